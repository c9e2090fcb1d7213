import { defineBlock, type BlockContext, type CredentialsRequirement } from '@agentry/block-sdk';
import { z } from 'zod';
import { testApiKey, withErrorPin } from '../support';
import { llmCall, type ChatMessage, type ToolDefinition } from './client';
import { DEFAULT_LLM_MODEL } from './models';
import { extractJson, fillTemplate, parseListLiteral } from './prompt';

export const LLM_CREDENTIALS: CredentialsRequirement = {
  field: 'credentials',
  providers: ['openai', 'anthropic', 'ollama', 'open_router', 'groq'],
  types: ['api_key'],
};

/** AutoGPT's credentials meta input; the engine resolves it and hands the secret over in ctx.credentials. */
export const credentialsInput = z
  .object({ id: z.string(), provider: z.string(), type: z.string(), title: z.string().nullish() })
  .passthrough()
  .optional()
  .describe('Credentials reference (resolved by the engine, never stored in the graph)');

const model = z.string().default(DEFAULT_LLM_MODEL).describe('Language model; the provider is chosen from its name');
const ollamaHost = z
  .string()
  .default('localhost:11434')
  .describe('Ollama host for local models (AGENTRY_OLLAMA_HOST when left at the default)');
const maxTokens = z.number().int().positive().nullish().describe('Maximum number of tokens to generate');
const promptValues = z
  .record(z.string(), z.unknown())
  .default({})
  .describe('Values for {{placeholders}} in the prompts');
const messageList = z.array(z.record(z.string(), z.unknown()));

const openAiTestKey = testApiKey('openai');
const testCredentialsMeta = { id: 'test-openai', provider: 'openai', type: 'api_key', title: 'test' };

// ---------------------------------------------------------------- shared structured-response core

export interface StructuredRequest {
  prompt: string;
  sysPrompt: string;
  expectedFormat: Record<string, string>;
  listResult: boolean;
  conversationHistory: Array<Record<string, unknown>>;
  promptValues: Record<string, unknown>;
  retry: number;
  model: string;
  maxTokens?: number | null;
  ollamaHost?: string;
}

export interface StructuredResult {
  response: unknown;
  prompt: ChatMessage[];
}

function formatInstructions(expected: Record<string, string>, list: boolean): string {
  const shape = JSON.stringify(expected, null, 2);
  return list
    ? `Reply with a JSON array of objects only, each object in this format (keys and descriptions of their values):\n${shape}\nNo text before or after the JSON.`
    : `Reply with a JSON object only, in this format (keys and descriptions of their values):\n${shape}\nNo text before or after the JSON.`;
}

/** Check a parsed answer against expected_format; returns an error text for the model or the clean value. */
function validateShape(
  value: unknown,
  expected: Record<string, string>,
  list: boolean,
): { ok: true; value: unknown } | { ok: false; error: string } {
  const keys = Object.keys(expected);
  const check = (
    obj: unknown,
    where: string,
  ): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } => {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj))
      return { ok: false, error: `${where} is not a JSON object` };
    const missing = keys.filter((k) => !(k in (obj as Record<string, unknown>)));
    if (missing.length) return { ok: false, error: `${where} is missing keys: ${missing.join(', ')}` };
    return { ok: true, value: Object.fromEntries(keys.map((k) => [k, (obj as Record<string, unknown>)[k]])) };
  };
  if (!list) return check(value, 'the response');
  const items = Array.isArray(value)
    ? value
    : value && typeof value === 'object' && Array.isArray(Object.values(value)[0])
      ? (Object.values(value)[0] as unknown[])
      : undefined;
  if (!items) return { ok: false, error: 'the response is not a JSON array' };
  const out: unknown[] = [];
  for (const [i, item] of items.entries()) {
    const r = check(item, `item ${i}`);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return { ok: true, value: out };
}

/**
 * AutoGPT's structured generation: history + system + user prompt; when expected_format is non-empty the
 * answer must be JSON with those keys, and an invalid answer is sent back to the model with the problem,
 * up to `retry` calls. With an empty expected_format the text answer is returned as is.
 */
export async function generateStructured(ctx: BlockContext, req: StructuredRequest): Promise<StructuredResult> {
  const structured = Object.keys(req.expectedFormat).length > 0;
  const sys = [
    fillTemplate(req.sysPrompt, req.promptValues),
    structured ? formatInstructions(req.expectedFormat, req.listResult) : '',
  ]
    .filter(Boolean)
    .join('\n\n');
  const messages: ChatMessage[] = req.conversationHistory.map((m) => ({ ...m }) as ChatMessage);
  if (sys) messages.push({ role: 'system', content: sys });
  const userPrompt = fillTemplate(req.prompt, req.promptValues);
  if (userPrompt) messages.push({ role: 'user', content: userPrompt });

  const attempts = Math.max(1, req.retry);
  let lastError = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const result = await llmCall(ctx, {
      model: req.model,
      messages,
      maxTokens: req.maxTokens,
      json: structured && !req.listResult,
      ollamaHost: req.ollamaHost,
    });
    if (!structured) return { response: result.text, prompt: messages };
    let problem: string;
    try {
      const checked = validateShape(extractJson(result.text), req.expectedFormat, req.listResult);
      if (checked.ok) return { response: checked.value, prompt: messages };
      problem = checked.error;
    } catch (err) {
      problem = (err as Error).message;
    }
    lastError = problem;
    ctx.logger.warn('LLM answer did not match expected_format', { attempt, problem });
    messages.push({ role: 'assistant', content: result.text });
    messages.push({
      role: 'user',
      content: `Your previous response could not be used: ${problem}.\n${formatInstructions(req.expectedFormat, req.listResult)}`,
    });
  }
  throw new Error(`The model did not return a valid response after ${attempts} attempts: ${lastError}`);
}

// ---------------------------------------------------------------- blocks

export const aiStructuredResponseGeneratorBlock = defineBlock({
  id: 'ed55ac19-356e-4243-a6cb-bc599e9b716f',
  name: 'AIStructuredResponseGeneratorBlock',
  description:
    'Call a language model and get a JSON object (or list of objects) with the keys of expected_format; invalid answers are retried.',
  categories: ['AI', 'TEXT'],
  credentials: LLM_CREDENTIALS,
  input: z.object({
    prompt: z.string().describe('The prompt to send to the language model'),
    expected_format: z
      .record(z.string(), z.string())
      .describe('Expected keys of the answer, with a description of each value'),
    list_result: z.boolean().default(false).describe('Expect a list of objects instead of one object'),
    model,
    credentials: credentialsInput,
    sys_prompt: z.string().default(''),
    conversation_history: messageList.nullish().default([]),
    retry: z.number().int().min(1).default(3).describe('Number of calls to get a valid answer'),
    prompt_values: promptValues,
    max_tokens: maxTokens,
    compress_prompt_to_fit: z
      .boolean()
      .default(true)
      .describe('Accepted for AutoGPT compatibility; prompts are not compressed'),
    ollama_host: ollamaHost,
  }),
  output: z.object({
    response: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]),
    prompt: z.array(z.unknown()),
    error: z.string(),
  }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const result = await generateStructured(ctx, {
        prompt: input.prompt,
        sysPrompt: input.sys_prompt,
        expectedFormat: input.expected_format,
        listResult: input.list_result,
        conversationHistory: input.conversation_history ?? [],
        promptValues: input.prompt_values,
        retry: input.retry,
        model: input.model,
        maxTokens: input.max_tokens,
        ollamaHost: input.ollama_host,
      });
      yield ['response', result.response];
      yield ['prompt', result.prompt];
    }),
  testCases: [
    {
      name: 'parses the JSON answer and keeps the expected keys',
      needs: ['openai'],
      credentials: openAiTestKey,
      input: {
        credentials: testCredentialsMeta,
        model: 'gpt-4o',
        expected_format: { city: 'the city', country: 'its country' },
        prompt:
          'Where is the Eiffel tower? <fake-reply>{"city": "Paris", "country": "France", "extra": 1}</fake-reply>',
      },
      output: [
        ['response', { city: 'Paris', country: 'France' }],
        ['prompt', (v: unknown) => Array.isArray(v) && v.length === 2],
      ],
    },
    {
      name: 'retries when the first answer misses a key',
      needs: ['openai'],
      credentials: openAiTestKey,
      input: {
        credentials: testCredentialsMeta,
        expected_format: { summary: 'a summary' },
        prompt: 'Summarise. <fake-reply>{"wrong": 1}</fake-reply><fake-reply>{"summary": "short"}</fake-reply>',
      },
      output: [
        ['response', { summary: 'short' }],
        ['prompt', (v: unknown) => Array.isArray(v) && v.length === 4],
      ],
    },
  ],
});

export const aiTextGeneratorBlock = defineBlock({
  id: '1f292d4a-41a4-4977-9684-7c8d560b9f91',
  name: 'AITextGeneratorBlock',
  description: 'Call a language model with a prompt and get its text answer.',
  categories: ['AI', 'TEXT'],
  credentials: LLM_CREDENTIALS,
  input: z.object({
    prompt: z.string().describe('The prompt; {{name}} placeholders are filled from prompt_values'),
    model,
    credentials: credentialsInput,
    sys_prompt: z.string().default(''),
    retry: z.number().int().min(1).default(3),
    prompt_values: promptValues,
    ollama_host: ollamaHost,
    max_tokens: maxTokens,
  }),
  output: z.object({ response: z.string(), prompt: z.array(z.unknown()), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const result = await generateStructured(ctx, {
        prompt: input.prompt,
        sysPrompt: input.sys_prompt,
        expectedFormat: {},
        listResult: false,
        conversationHistory: [],
        promptValues: input.prompt_values,
        retry: input.retry,
        model: input.model,
        maxTokens: input.max_tokens,
        ollamaHost: input.ollama_host,
      });
      yield ['response', result.response];
      yield ['prompt', result.prompt];
    }),
  testCases: [
    {
      name: 'OpenAI with prompt values',
      needs: ['openai'],
      credentials: openAiTestKey,
      input: {
        credentials: testCredentialsMeta,
        model: 'gpt-4o-mini',
        prompt: 'Greet {{name}} <fake-reply>Hello {{name}}!</fake-reply>',
        prompt_values: { name: 'Ada' },
      },
      output: [
        ['response', 'Hello Ada!'],
        [
          'prompt',
          (v: unknown) =>
            Array.isArray(v) && (v as ChatMessage[])[0].content === 'Greet Ada <fake-reply>Hello Ada!</fake-reply>',
        ],
      ],
    },
    {
      name: 'Anthropic',
      needs: ['anthropic'],
      credentials: testApiKey('anthropic'),
      input: {
        model: 'claude-3-5-haiku-latest',
        sys_prompt: 'Be brief.',
        prompt: 'Say hi <fake-reply>Hi.</fake-reply>',
      },
      output: [
        ['response', 'Hi.'],
        ['prompt', (v: unknown) => Array.isArray(v) && v.length === 2],
      ],
    },
    {
      name: 'Ollama',
      needs: ['ollama'],
      credentials: testApiKey('ollama'),
      input: { model: 'llama3.2', prompt: 'Say hi <fake-reply>Hi from llama</fake-reply>' },
      output: [
        ['response', 'Hi from llama'],
        ['prompt', (v: unknown) => Array.isArray(v)],
      ],
    },
  ],
});

export const aiConversationBlock = defineBlock({
  id: '32a87eab-381e-4dd4-bdb8-4c47151be35a',
  name: 'AIConversationBlock',
  description: 'Send a list of chat messages (and optionally one more prompt) to a language model and get its answer.',
  categories: ['AI'],
  credentials: LLM_CREDENTIALS,
  input: z.object({
    prompt: z.string().default(''),
    messages: messageList.describe('Messages of the conversation ({role, content})'),
    model,
    credentials: credentialsInput,
    max_tokens: maxTokens,
    ollama_host: ollamaHost,
  }),
  output: z.object({ response: z.string(), prompt: z.array(z.unknown()), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const result = await generateStructured(ctx, {
        prompt: input.prompt,
        sysPrompt: '',
        expectedFormat: {},
        listResult: false,
        conversationHistory: input.messages,
        promptValues: {},
        retry: 1,
        model: input.model,
        maxTokens: input.max_tokens,
        ollamaHost: input.ollama_host,
      });
      yield ['response', result.response];
      yield ['prompt', result.prompt];
    }),
  testCases: [
    {
      needs: ['openai'],
      credentials: openAiTestKey,
      input: {
        messages: [
          { role: 'system', content: 'You are helpful.' },
          { role: 'user', content: 'Who won in 2020? <fake-reply>The Dodgers.</fake-reply>' },
        ],
      },
      output: [
        ['response', 'The Dodgers.'],
        ['prompt', (v: unknown) => Array.isArray(v) && v.length === 2],
      ],
    },
  ],
});

const LIST_SYSTEM_PROMPT = `You are a list generator. Generate a list based on the user's prompt.
Respond ONLY with a valid list, in JSON or Python literal syntax, e.g. ['a', 'b', 'c'] or [['1', '2'], ['3', '4']].
Do not include explanations, code fences or any other text.`;

export const aiListGeneratorBlock = defineBlock({
  id: '9c0b0450-d199-458b-a731-072189dd6593',
  name: 'AIListGeneratorBlock',
  description:
    'Ask a language model for a list (optionally extracted from source data); yields the list and each item.',
  categories: ['AI', 'TEXT'],
  credentials: LLM_CREDENTIALS,
  input: z.object({
    focus: z.string().nullish().describe('What the list should be about'),
    source_data: z.string().nullish().describe('Data to extract the list from'),
    model,
    credentials: credentialsInput,
    max_retries: z.number().int().min(1).max(5).default(3),
    ollama_host: ollamaHost,
    max_tokens: maxTokens,
  }),
  output: z.object({
    generated_list: z.array(z.unknown()),
    list_item: z.unknown(),
    prompt: z.array(z.unknown()),
    error: z.string(),
  }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      let prompt = input.focus
        ? `Generate a list with the following focus:\n<focus>\n\n${input.focus}</focus>`
        : input.source_data
          ? 'Extract the main focus of the source data to a list.'
          : 'Generate a random list.';
      prompt += input.source_data
        ? `\n\nUse the following source data to generate the list from:\n\n<source_data>\n\n${input.source_data}</source_data>\n\nDo not invent fictional data that is not present in the source data.`
        : '\n\nInvent the data to generate the list from.';
      const messages: ChatMessage[] = [
        { role: 'system', content: LIST_SYSTEM_PROMPT },
        { role: 'user', content: prompt },
      ];
      let lastError = '';
      for (let attempt = 1; attempt <= input.max_retries; attempt++) {
        const result = await llmCall(ctx, {
          model: input.model,
          messages,
          maxTokens: input.max_tokens,
          ollamaHost: input.ollama_host,
        });
        try {
          const list = parseListLiteral(result.text);
          yield ['generated_list', list];
          yield ['prompt', messages];
          for (const item of list) yield ['list_item', item];
          return;
        } catch (err) {
          lastError = (err as Error).message;
          messages.push({ role: 'assistant', content: result.text });
          messages.push({
            role: 'user',
            content: `The previous answer failed: ${lastError}. Respond only with the list, no commentary.`,
          });
        }
      }
      throw new Error(`Failed to generate a valid list after ${input.max_retries} attempts. Last error: ${lastError}`);
    }),
  testCases: [
    {
      needs: ['openai'],
      credentials: openAiTestKey,
      input: {
        focus: 'planets',
        source_data: "Zylora Prime and Kharon-9 <fake-reply>['Zylora Prime', 'Kharon-9']</fake-reply>",
      },
      output: [
        ['generated_list', ['Zylora Prime', 'Kharon-9']],
        ['prompt', (v: unknown) => Array.isArray(v)],
        ['list_item', 'Zylora Prime'],
        ['list_item', 'Kharon-9'],
      ],
    },
  ],
});

/** Split text into chunks of about `size` tokens (4 characters each) overlapping by `overlap` tokens. */
export function chunkText(text: string, size: number, overlap: number): string[] {
  const chunkChars = Math.max(400, size * 4);
  const step = Math.max(chunkChars / 2, chunkChars - Math.max(0, overlap) * 4);
  const chunks: string[] = [];
  for (let start = 0; start < text.length; start += step) {
    chunks.push(text.slice(start, start + chunkChars));
    if (start + chunkChars >= text.length) break;
  }
  return chunks.length ? chunks : [''];
}

export const aiTextSummarizerBlock = defineBlock({
  id: 'a0a69be1-4528-491c-a85a-a4ab6873e3f0',
  name: 'AITextSummarizerBlock',
  description: 'Summarise a text of any length with a language model (chunked map-reduce).',
  categories: ['AI', 'TEXT'],
  credentials: LLM_CREDENTIALS,
  input: z.object({
    text: z.string(),
    model,
    focus: z.string().default('general information'),
    style: z.enum(['concise', 'detailed', 'bullet points', 'numbered list']).default('concise'),
    credentials: credentialsInput,
    max_tokens: z.number().int().positive().default(4096).describe('Size of one chunk in tokens'),
    chunk_overlap: z.number().int().min(0).default(100),
    ollama_host: ollamaHost,
  }),
  output: z.object({ summary: z.string(), prompt: z.array(z.unknown()), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const call = (prompt: string, key: string) =>
        generateStructured(ctx, {
          prompt,
          sysPrompt: '',
          expectedFormat: { [key]: `the ${key.replace('_', ' ')}` },
          listResult: false,
          conversationHistory: [],
          promptValues: {},
          retry: 3,
          model: input.model,
          ollamaHost: input.ollama_host,
        });
      const chunks = chunkText(input.text, input.max_tokens, input.chunk_overlap);
      const summaries: string[] = [];
      let last: StructuredResult | undefined;
      for (const [i, chunk] of chunks.entries()) {
        ctx.emitProgress({ message: `summarising part ${i + 1} of ${chunks.length}`, fraction: i / chunks.length });
        last = await call(
          `Summarize the following text in a ${input.style} form. Focus your summary on the topic of \`${input.focus}\` if present, otherwise just provide a general summary:\n\n\`\`\`${chunk}\`\`\``,
          'summary',
        );
        summaries.push(String((last.response as Record<string, unknown>).summary));
      }
      let summary = summaries[0];
      // Reduce until one summary is left; each round combines as many summaries as fit in a chunk.
      let round = summaries;
      while (round.length > 1) {
        const groups = chunkText(round.join('\n\n'), input.max_tokens, 0);
        const next: string[] = [];
        for (const group of groups) {
          last = await call(
            `Combine the following summaries into a single, ${input.style} summary focusing on \`${input.focus}\`:\n\n${group}`,
            'final_summary',
          );
          next.push(String((last.response as Record<string, unknown>).final_summary));
        }
        if (next.length >= round.length) {
          round = [next.join('\n\n')];
          break;
        }
        round = next;
      }
      summary = round[0];
      yield ['summary', summary];
      yield ['prompt', last?.prompt ?? []];
    }),
  testCases: [
    {
      needs: ['openai'],
      credentials: openAiTestKey,
      input: { text: 'A long text about cats. <fake-reply>{"summary": "Cats."}</fake-reply>' },
      output: [
        ['summary', 'Cats.'],
        ['prompt', (v: unknown) => Array.isArray(v)],
      ],
    },
  ],
});

export const aiConditionBlock = defineBlock({
  id: '553ec5b8-6c45-4299-8d75-b394d05f72ff',
  name: 'AIConditionBlock',
  description:
    'Evaluate a condition written in plain language on a value with a language model; routes the value to yes_output or no_output.',
  categories: ['AI', 'LOGIC'],
  credentials: LLM_CREDENTIALS,
  input: z.object({
    input_value: z.unknown().describe('The value to evaluate'),
    condition: z.string().describe('E.g. "the input is an email address"'),
    yes_value: z.unknown().optional().describe('Output when true (defaults to input_value)'),
    no_value: z.unknown().optional().describe('Output when false (defaults to input_value)'),
    model,
    credentials: credentialsInput,
    ollama_host: ollamaHost,
  }),
  output: z.object({ result: z.boolean(), yes_output: z.unknown(), no_output: z.unknown(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const value = typeof input.input_value === 'string' ? input.input_value : JSON.stringify(input.input_value);
      const answer = await llmCall(ctx, {
        model: input.model,
        ollamaHost: input.ollama_host,
        maxTokens: 16,
        messages: [
          {
            role: 'system',
            content:
              "You evaluate conditions on input data. Respond with only 'true' or 'false' (lowercase): whether the condition is met by the input value.",
          },
          {
            role: 'user',
            content: `Input value: ${value}\nCondition to evaluate: ${input.condition}\n\nDoes the input value satisfy the condition? Respond with only 'true' or 'false'.`,
          },
        ],
      });
      const { result, error } = parseBoolean(answer.text);
      if (error) yield ['error', error];
      yield ['result', result];
      if (result) yield ['yes_output', input.yes_value ?? input.input_value];
      else yield ['no_output', input.no_value ?? input.input_value];
    }),
  testCases: [
    {
      needs: ['openai'],
      credentials: openAiTestKey,
      input: {
        input_value: 'john@example.com',
        condition: 'the input is an email address <fake-reply>true</fake-reply>',
        yes_value: 'Valid email',
        no_value: 'Not an email',
      },
      output: [
        ['result', true],
        ['yes_output', 'Valid email'],
      ],
    },
  ],
});

export function parseBoolean(text: string): { result: boolean; error?: string } {
  const t = text.trim().toLowerCase();
  if (t === 'true') return { result: true };
  if (t === 'false') return { result: false };
  const tokens = new Set(t.match(/\b(true|false|yes|no|1|0)\b/g) ?? []);
  if (tokens.size === 1) {
    const [only] = tokens;
    return { result: only === 'true' || only === 'yes' || only === '1' };
  }
  return { result: false, error: `Unclear AI response: '${text}'` };
}

// ---------------------------------------------------------------- tool calling

const DEFAULT_TOOL_SYS_PROMPT =
  'You are a helpful assistant that decides which tool to call to progress the task. Call a tool when one is needed; when the task is done, answer with the final result as text.';

/** Pin name through which the engine routes one argument of a tool call to the node acting as that tool. */
export const toolPin = (tool: string, arg: string): string => `tools_^_${tool}_~_${arg}`;

/** Tool calls of the conversation's assistant turns that no `tool` message has answered yet. */
export function pendingToolCalls(history: unknown): string[] {
  if (!Array.isArray(history)) return [];
  const asked: string[] = [];
  const answered = new Set<string>();
  for (const m of history as ChatMessage[]) {
    if (m?.role === 'assistant') for (const c of m.tool_calls ?? []) if (c?.id) asked.push(c.id);
    if (m?.role === 'tool' && m.tool_call_id) answered.add(m.tool_call_id);
  }
  return asked.filter((id) => !answered.has(id));
}

/** Inputs of the tool loop that do not hold the node back the way other links do (AutoGPT's get_missing_links). */
const TOOL_LOOP_INPUTS = ['conversation_history', 'last_tool_output'];

export const smartDecisionMakerBlock = defineBlock({
  id: '3b191d9f-356f-482d-8238-ba04b6d18381',
  name: 'SmartDecisionMakerBlock',
  description:
    'Let a language model pick tools: each tool call is yielded as tools_^_<tool>_~_<arg> pins with the updated history on conversations, and the final answer on finished.',
  categories: ['AI'],
  credentials: LLM_CREDENTIALS,
  input: z.object({
    prompt: z.string(),
    model,
    credentials: credentialsInput,
    multiple_tool_calls: z.boolean().default(false),
    sys_prompt: z.string().default(DEFAULT_TOOL_SYS_PROMPT),
    conversation_history: messageList.nullish().default([]),
    last_tool_output: z.unknown().optional(),
    retry: z.number().int().min(1).default(3),
    prompt_values: promptValues,
    max_tokens: maxTokens,
    ollama_host: ollamaHost,
    /**
     * Ours: OpenAI-style function definitions of the tools. Like AutoGPT, the engine derives them from the nodes
     * linked to tools_^_* pins when it dispatches the node (services/execution/src/app/tool-routing.ts); a
     * non-empty list set by hand is kept as it is.
     */
    tool_definitions: z
      .array(
        z.object({
          type: z.literal('function').default('function'),
          function: z.object({
            name: z.string(),
            description: z.string().optional(),
            parameters: z.record(z.string(), z.unknown()).optional(),
          }),
        }),
      )
      .default([])
      .describe('Tool (function) definitions; filled by the engine from the linked tool nodes'),
  }),
  /**
   * AutoGPT's tool loop: `conversations` is linked back to `conversation_history` and the tool nodes' results to
   * `last_tool_output`. Those two links never hold back the first turn; afterwards a pending tool call waits for its
   * output, and an output waits for the conversation it answers (AutoGPT's get_missing_input).
   */
  missingInputs: (input, unsatisfied) => {
    const missing = unsatisfied.filter((name) => !TOOL_LOOP_INPUTS.includes(name));
    if (missing.length) return missing;
    const pending = pendingToolCalls(input.conversation_history).length > 0;
    const hasOutput = input.last_tool_output !== undefined && input.last_tool_output !== null;
    if (pending && !hasOutput) return ['last_tool_output'];
    if (!pending && hasOutput) return ['conversation_history'];
    return [];
  },
  output: z
    .object({ finished: z.string(), conversations: z.array(z.unknown()), error: z.string() })
    .catchall(z.unknown())
    .describe('Plus one dynamic pin per tool argument: tools_^_<tool>_~_<arg>'),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const history = (input.conversation_history ?? []).map((m) => ({ ...m }) as ChatMessage);
      // The previous turn asked for a tool; its output comes back as that call's result.
      const pending = [...history].reverse().find((m) => m.role === 'assistant' && m.tool_calls?.length);
      if (input.last_tool_output !== undefined && input.last_tool_output !== null && pending?.tool_calls) {
        const answered = new Set(history.filter((m) => m.role === 'tool').map((m) => m.tool_call_id));
        const open = pending.tool_calls.filter((c) => !answered.has(c.id));
        const content =
          typeof input.last_tool_output === 'string' ? input.last_tool_output : JSON.stringify(input.last_tool_output);
        for (const call of open.length ? open : pending.tool_calls.slice(-1))
          history.push({ role: 'tool', tool_call_id: call.id, content });
      }
      const messages: ChatMessage[] = [...history];
      if (!messages.some((m) => m.role === 'system') && input.sys_prompt)
        messages.unshift({ role: 'system', content: fillTemplate(input.sys_prompt, input.prompt_values) });
      const prompt = fillTemplate(input.prompt, input.prompt_values);
      const continuing = history.length > 0 && history[history.length - 1].role === 'tool';
      if (prompt && !continuing) messages.push({ role: 'user', content: prompt });

      const tools = input.tool_definitions as ToolDefinition[];
      const known = new Set(tools.map((t) => t.function.name));
      let lastError = '';
      for (let attempt = 1; attempt <= input.retry; attempt++) {
        const result = await llmCall(ctx, {
          model: input.model,
          messages,
          tools,
          parallelToolCalls: tools.length ? input.multiple_tool_calls : undefined,
          maxTokens: input.max_tokens,
          ollamaHost: input.ollama_host,
        });
        const calls = input.multiple_tool_calls ? result.toolCalls : result.toolCalls.slice(0, 1);
        const bad = calls.find((c) => !known.has(c.name));
        if (bad) {
          lastError = `the model called an unknown tool '${bad.name}'`;
          messages.push({ role: 'user', content: `Error: ${lastError}. Available tools: ${[...known].join(', ')}.` });
          continue;
        }
        const parsed: Array<{ name: string; args: Record<string, unknown> }> = [];
        try {
          for (const c of calls)
            parsed.push({ name: c.name, args: (JSON.parse(c.arguments || '{}') ?? {}) as Record<string, unknown> });
        } catch (err) {
          lastError = `tool arguments are not valid JSON (${(err as Error).message})`;
          messages.push({
            role: 'user',
            content: `Error: ${lastError}. Call the tool again with valid JSON arguments.`,
          });
          continue;
        }
        const assistant: ChatMessage = { role: 'assistant', content: result.text || null };
        if (calls.length)
          assistant.tool_calls = calls.map((c) => ({
            id: c.id,
            type: 'function',
            function: { name: c.name, arguments: c.arguments },
          }));
        const conversations = [...messages, assistant];
        if (!calls.length) {
          // Like AutoGPT: the final answer only. `conversations` is usually linked back to conversation_history;
          // yielding it here would start another turn of a conversation that is over.
          yield ['finished', result.text];
          return;
        }
        for (const call of parsed) {
          const declared = tools.find((t) => t.function.name === call.name)?.function.parameters?.properties as
            Record<string, unknown> | undefined;
          for (const arg of Object.keys(declared ?? call.args)) yield [toolPin(call.name, arg), call.args[arg] ?? null];
        }
        yield ['conversations', conversations];
        return;
      }
      throw new Error(`The model did not produce a usable answer after ${input.retry} attempts: ${lastError}`);
    }),
  testCases: [
    {
      name: 'calls a tool',
      needs: ['openai'],
      credentials: openAiTestKey,
      input: {
        prompt: 'Search the web for cats',
        tool_definitions: [
          {
            type: 'function',
            function: {
              name: 'web_search',
              description: 'Search',
              parameters: { type: 'object', properties: { question: { type: 'string' } }, required: ['question'] },
            },
          },
        ],
      },
      output: [
        ['tools_^_web_search_~_question', 'test question'],
        [
          'conversations',
          (v: unknown) =>
            Array.isArray(v) && (v as ChatMessage[]).at(-1)?.tool_calls?.[0]?.function.name === 'web_search',
        ],
      ],
    },
    {
      name: 'finishes after the tool output comes back',
      needs: ['openai'],
      credentials: openAiTestKey,
      input: {
        prompt: 'Search the web for cats',
        last_tool_output: 'Cats are mammals.',
        conversation_history: [
          { role: 'user', content: 'Search the web for cats' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'web_search', arguments: '{"question":"cats"}' } },
            ],
          },
        ],
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
      output: [['finished', 'Done: Cats are mammals.']],
    },
  ],
});

export const llmBlocks = [
  aiTextGeneratorBlock,
  aiStructuredResponseGeneratorBlock,
  aiTextSummarizerBlock,
  aiListGeneratorBlock,
  aiConversationBlock,
  aiConditionBlock,
  smartDecisionMakerBlock,
];
