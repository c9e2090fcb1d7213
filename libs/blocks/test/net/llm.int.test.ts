import { createTestContext, runBlock, type ResolvedCredentials } from '@agentry/block-sdk';
import { ProviderError, llmCall, networkBlocks } from '../../src/net';
import { startFakeServers, type FakeServers } from '@agentry/testing';

const block = (name: string) => {
  const b = networkBlocks.find((x) => x.name === name);
  if (!b) throw new Error(`no block ${name}`);
  return b;
};
const key = (provider: string, apiKey = `test-${provider}-key-0123456789`): ResolvedCredentials => ({
  id: provider,
  provider,
  type: 'api_key',
  apiKey,
});

describe('LLM blocks against fake providers', () => {
  let fakes: FakeServers;
  const saved = process.env.AGENTRY_LLM_STREAMING;
  beforeAll(async () => {
    fakes = await startFakeServers(['openai', 'anthropic', 'ollama']);
  });
  afterAll(async () => {
    await fakes.close();
    if (saved === undefined) delete process.env.AGENTRY_LLM_STREAMING;
    else process.env.AGENTRY_LLM_STREAMING = saved;
  });
  beforeEach(() => {
    for (const f of Object.values(fakes.servers)) f.reset();
    delete process.env.AGENTRY_LLM_STREAMING;
  });

  it.each([
    ['streaming', undefined, true],
    ['non-streaming', 'false', false],
  ])('OpenAI %s: text, usage and cost reported', async (_label, env, streamed) => {
    if (env) process.env.AGENTRY_LLM_STREAMING = env;
    fakes.servers.openai!.enqueue({ text: 'Hello from a streamed answer that is long enough' });
    const ctx = createTestContext({ credentials: key('openai') });
    const out = await runBlock(
      block('AITextGeneratorBlock'),
      { prompt: 'hi', model: 'gpt-4o-mini', sys_prompt: 'sys' },
      ctx,
    );
    expect(out[0]).toEqual(['response', 'Hello from a streamed answer that is long enough']);
    const [req] = fakes.servers.openai!.requests as Array<{
      path: string;
      headers: Record<string, string>;
      body: Record<string, unknown>;
    }>;
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer test-openai-key-0123456789');
    expect(Boolean(req.body.stream)).toBe(streamed);
    expect(req.body.messages).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'hi' },
    ]);
    expect(ctx.recorded.usage).toHaveLength(1);
    const usage = ctx.recorded.usage[0];
    expect(usage.model).toBe('gpt-4o-mini');
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBeGreaterThan(0);
    expect(usage.costUsd).toBeCloseTo((usage.inputTokens! * 0.15 + usage.outputTokens! * 0.6) / 1e6, 12);
    if (streamed) expect(ctx.recorded.progress.length).toBeGreaterThan(0);
  });

  it.each([['streaming'], ['non-streaming']])(
    'Anthropic %s: system prompt split out, tool calls parsed',
    async (mode) => {
      if (mode === 'non-streaming') process.env.AGENTRY_LLM_STREAMING = '0';
      fakes.servers.anthropic!.enqueue({
        text: 'Let me search.',
        toolCalls: [{ name: 'web_search', arguments: { question: 'cats?' } }],
      });
      const ctx = createTestContext({ credentials: key('anthropic') });
      const out = await runBlock(
        block('SmartDecisionMakerBlock'),
        {
          prompt: 'Find cats',
          model: 'claude-sonnet-4-20250514',
          tool_definitions: [
            {
              type: 'function',
              function: {
                name: 'web_search',
                parameters: { type: 'object', properties: { question: { type: 'string' } } },
              },
            },
          ],
        },
        ctx,
      );
      expect(out[0]).toEqual(['tools_^_web_search_~_question', 'cats?']);
      expect(out[1][0]).toBe('conversations');
      const conv = out[1][1] as Array<{
        role: string;
        tool_calls?: Array<{ function: { name: string; arguments: string } }>;
      }>;
      expect(conv.at(-1)!.tool_calls![0].function).toEqual({ name: 'web_search', arguments: '{"question":"cats?"}' });
      const [req] = fakes.servers.anthropic!.requests as Array<{
        headers: Record<string, string>;
        body: Record<string, any>;
      }>;
      expect(req.headers['x-api-key']).toBe('test-anthropic-key-0123456789');
      expect(req.headers['anthropic-version']).toBe('2023-06-01');
      expect(typeof req.body.system).toBe('string');
      expect(req.body.messages).toEqual([{ role: 'user', content: 'Find cats' }]);
      expect(req.body.tools[0]).toMatchObject({ name: 'web_search', input_schema: { type: 'object' } });
      expect(ctx.recorded.usage[0]).toMatchObject({ model: 'claude-sonnet-4-20250514', costUsd: expect.any(Number) });
    },
  );

  it('SmartDecisionMaker round trip: tool output goes back as a tool_result and the model finishes', async () => {
    const tools = [
      {
        type: 'function',
        function: { name: 'web_search', parameters: { type: 'object', properties: { question: { type: 'string' } } } },
      },
    ];
    const ctx = createTestContext({ credentials: key('anthropic') });
    const first = await runBlock(
      block('SmartDecisionMakerBlock'),
      { prompt: 'Find cats', model: 'claude-3-5-haiku-latest', tool_definitions: tools },
      ctx,
    );
    const history = first.find(([pin]) => pin === 'conversations')![1];
    const second = await runBlock(
      block('SmartDecisionMakerBlock'),
      {
        prompt: 'Find cats',
        model: 'claude-3-5-haiku-latest',
        tool_definitions: tools,
        conversation_history: history,
        last_tool_output: 'Cats purr.',
      },
      ctx,
    );
    expect(second[0]).toEqual(['finished', 'Done: Cats purr.']);
    const sent = (
      fakes.servers.anthropic!.requests[1] as { body: { messages: Array<{ role: string; content: unknown }> } }
    ).body.messages;
    expect(sent.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(sent[2].content).toEqual([
      { type: 'tool_result', tool_use_id: expect.stringMatching(/^toolu_/), content: 'Cats purr.' },
    ]);
  });

  it('structured output: invalid answers are sent back with the problem, up to `retry` calls', async () => {
    fakes.servers.openai!.enqueue(
      { text: 'Sure! Here it is' },
      { text: '{"name": "Ada"}' },
      { text: '```json\n{"name": "Ada", "age": 36}\n```' },
    );
    const ctx = createTestContext({ credentials: key('openai') });
    const out = await runBlock(
      block('AIStructuredResponseGeneratorBlock'),
      { prompt: 'Who?', expected_format: { name: 'name', age: 'age' }, retry: 3 },
      ctx,
    );
    expect(out[0]).toEqual(['response', { name: 'Ada', age: 36 }]);
    const requests = fakes.servers.openai!.requests as Array<{
      body: { messages: Array<{ role: string; content: string }>; response_format?: unknown };
    }>;
    expect(requests).toHaveLength(3);
    expect(requests[0].body.response_format).toEqual({ type: 'json_object' });
    const lastMessages = requests[2].body.messages;
    expect(lastMessages.at(-1)!.content).toContain('missing keys: age');
    expect(lastMessages.at(-3)!.content).toContain('not valid JSON');
    expect(ctx.recorded.usage).toHaveLength(3);
  });

  it('structured output gives up after `retry` calls with an error', async () => {
    fakes.servers.openai!.enqueue({ text: 'nope' }, { text: 'still nope' });
    const out = await runBlock(
      block('AIStructuredResponseGeneratorBlock'),
      { prompt: 'Who?', expected_format: { name: 'name' }, retry: 2 },
      createTestContext({ credentials: key('openai') }),
    );
    expect(out).toEqual([['error', expect.stringMatching(/after 2 attempts: the response is not valid JSON/)]]);
  });

  it('list_result expects a list of objects', async () => {
    fakes.servers.openai!.enqueue({ text: '[{"k": 1, "x": 2}, {"k": 2}]' });
    const out = await runBlock(
      block('AIStructuredResponseGeneratorBlock'),
      { prompt: 'List', expected_format: { k: 'a key' }, list_result: true },
      createTestContext({ credentials: key('openai') }),
    );
    expect(out[0]).toEqual(['response', [{ k: 1 }, { k: 2 }]]);
  });

  it('429 is thrown as a retryable ProviderError (for the node RetryPolicy)', async () => {
    fakes.servers.openai!.enqueue({ status: 429, error: 'Rate limit reached for gpt-4o' });
    const run = runBlock(
      block('AITextGeneratorBlock'),
      { prompt: 'hi' },
      createTestContext({ credentials: key('openai') }),
    );
    await expect(run).rejects.toBeInstanceOf(ProviderError);
    fakes.servers.openai!.enqueue({ status: 429, error: 'Rate limit reached for gpt-4o' });
    await expect(
      runBlock(block('AITextGeneratorBlock'), { prompt: 'hi' }, createTestContext({ credentials: key('openai') })),
    ).rejects.toMatchObject({
      retryable: true,
      code: 'PROVIDER_RATE_LIMITED',
      status: 429,
      message: 'openai API error 429: Rate limit reached for gpt-4o',
    });
  });

  it('5xx is retryable too', async () => {
    fakes.servers.anthropic!.enqueue({ status: 529, error: 'Overloaded' });
    await expect(
      runBlock(
        block('AITextGeneratorBlock'),
        { prompt: 'hi', model: 'claude-3-5-haiku-latest' },
        createTestContext({ credentials: key('anthropic') }),
      ),
    ).rejects.toMatchObject({
      retryable: true,
      code: 'PROVIDER_UNAVAILABLE',
      message: 'anthropic API error 529: Overloaded',
    });
  });

  it('400 is not retryable: yielded on the error pin with the provider message', async () => {
    fakes.servers.openai!.enqueue({ status: 400, error: "This model's maximum context length is 128000 tokens." });
    const out = await runBlock(
      block('AITextGeneratorBlock'),
      { prompt: 'hi' },
      createTestContext({ credentials: key('openai') }),
    );
    expect(out).toEqual([['error', "openai API error 400: This model's maximum context length is 128000 tokens."]]);
    expect(fakes.servers.openai!.requests).toHaveLength(1);
  });

  it('scrubs the API key the provider quotes back in its error', async () => {
    const secret = 'sk-invalid-SECRETSECRET1234567890';
    const ctx = createTestContext({ credentials: key('openai', secret) });
    const out = await runBlock(block('AITextGeneratorBlock'), { prompt: 'hi' }, ctx);
    expect(out[0][0]).toBe('error');
    expect(out[0][1]).toMatch(/^openai API error 401: Incorrect API key provided: \*\*\*/);
    const everything = JSON.stringify({ out, logs: ctx.recorded.logs, progress: ctx.recorded.progress });
    expect(everything).not.toContain('SECRETSECRET');
  });

  it('Ollama: host from the input overrides AGENTRY_OLLAMA_HOST; tokens from eval counts; no cost', async () => {
    const host = fakes.servers.ollama!.url.replace('http://', '');
    const saved = process.env.AGENTRY_OLLAMA_HOST;
    process.env.AGENTRY_OLLAMA_HOST = 'http://127.0.0.1:9';
    try {
      const ctx = createTestContext({ credentials: key('ollama') });
      const out = await runBlock(
        block('AITextGeneratorBlock'),
        { prompt: 'hi <fake-reply>hello</fake-reply>', model: 'llama3.2', ollama_host: host },
        ctx,
      );
      expect(out[0]).toEqual(['response', 'hello']);
      expect((fakes.servers.ollama!.requests[0] as { body: { stream: boolean } }).body.stream).toBe(false);
      expect(ctx.recorded.usage[0]).toMatchObject({ model: 'llama3.2', costUsd: 0 });
    } finally {
      process.env.AGENTRY_OLLAMA_HOST = saved;
    }
  });

  it('routes OpenRouter and Groq models to their OpenAI-compatible endpoints', async () => {
    const ctx = createTestContext({ credentials: key('open_router') });
    await llmCall(ctx, { model: 'meta-llama/llama-3.1-405b-instruct', messages: [{ role: 'user', content: 'x' }] });
    await llmCall(ctx, { model: 'llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'x' }] });
    const models = (fakes.servers.openai!.requests as Array<{ body: { model: string } }>).map((r) => r.body.model);
    expect(models).toEqual(['meta-llama/llama-3.1-405b-instruct', 'llama-3.3-70b-versatile']);
  });

  it('summarizer chunks long input and combines the chunk summaries', async () => {
    const text = 'word '.repeat(2000); // 10k characters, chunk size 1000 tokens ≈ 4000 characters
    // 10 000 characters in chunks of 4 000 overlapping by 400: starts at 0, 3 600 and 7 200.
    fakes.servers.openai!.enqueue(
      { text: '{"summary": "s1"}' },
      { text: '{"summary": "s2"}' },
      { text: '{"summary": "s3"}' },
      { text: '{"final_summary": "all"}' },
    );
    const out = await runBlock(
      block('AITextSummarizerBlock'),
      { text, max_tokens: 1000, chunk_overlap: 100 },
      createTestContext({ credentials: key('openai') }),
    );
    expect(out[0]).toEqual(['summary', 'all']);
    const prompts = (fakes.servers.openai!.requests as Array<{ body: { messages: Array<{ content: string }> } }>).map(
      (r) => r.body.messages.at(-1)!.content,
    );
    expect(prompts).toHaveLength(4);
    expect(prompts.at(-1)).toContain('s1\n\ns2\n\ns3');
  });

  it('AI condition: no_output with the input value when false', async () => {
    fakes.servers.openai!.enqueue({ text: 'false' });
    const out = await runBlock(
      block('AIConditionBlock'),
      { input_value: 'hello', condition: 'is an email' },
      createTestContext({ credentials: key('openai') }),
    );
    expect(out).toEqual([
      ['result', false],
      ['no_output', 'hello'],
    ]);
  });
});
