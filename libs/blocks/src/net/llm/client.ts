import type { BlockContext } from '@agentry/block-sdk';
import { ProviderError } from '../errors';
import { credentialSecret, ollamaBaseUrl, openProvider, providerBaseUrl } from '../http';
import { apiModelName, estimateCostUsd, providerForModel, type LlmProvider } from './models';
import { sseEvents } from './sse';

/** A chat message in OpenAI's wire shape, the lingua franca of conversation histories in graphs. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null | unknown[];
  tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
  [key: string]: unknown;
}

export interface ToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export interface ToolCall {
  id: string;
  name: string;
  /** JSON text of the arguments, as the model produced it. */
  arguments: string;
}

export interface LlmRequest {
  model: string;
  messages: ChatMessage[];
  maxTokens?: number | null;
  /** Ask for a JSON object (OpenAI response_format, Ollama format); Anthropic relies on the prompt. */
  json?: boolean;
  tools?: ToolDefinition[];
  parallelToolCalls?: boolean;
  ollamaHost?: string;
  /** Stream the answer (SSE) when the provider supports it; defaults to env AGENTRY_LLM_STREAMING (on). */
  stream?: boolean;
}

export interface LlmResult {
  provider: LlmProvider;
  model: string;
  text: string;
  toolCalls: ToolCall[];
  inputTokens: number;
  outputTokens: number;
  stopReason?: string;
}

const streamingByDefault = (): boolean =>
  !['0', 'false', 'off'].includes((process.env.AGENTRY_LLM_STREAMING ?? '').toLowerCase());

/** One model call, routed by model name; reports token usage and cost through ctx.reportUsage. */
export async function llmCall(ctx: BlockContext, req: LlmRequest): Promise<LlmResult> {
  const provider = providerForModel(req.model, ctx.credentials?.provider);
  const stream = req.stream ?? streamingByDefault();
  let result: LlmResult;
  switch (provider) {
    case 'openai':
    case 'open_router':
    case 'groq':
      result = await openAiChat(ctx, provider, req, stream);
      break;
    case 'anthropic':
      result = await anthropicMessages(ctx, req, stream);
      break;
    case 'ollama':
      result = await ollamaChat(ctx, req);
      break;
    default: {
      const unreachable: never = provider;
      throw new Error(`Unknown provider ${String(unreachable)}`);
    }
  }
  ctx.reportUsage({
    model: result.model,
    inputTokens: result.inputTokens,
    outputTokens: result.outputTokens,
    costUsd: estimateCostUsd(provider, result.model, result.inputTokens, result.outputTokens),
  });
  return result;
}

function apiKeyFor(ctx: BlockContext, provider: LlmProvider): string {
  const key = credentialSecret(ctx);
  if (!key && provider !== 'ollama')
    throw new ProviderError(
      provider,
      'PROVIDER_AUTH',
      `No ${provider} API key was provided to this block`,
      undefined,
      false,
    );
  return key ?? '';
}

function progress(ctx: BlockContext, provider: string, chunks: number, chars: number): void {
  if (chunks % 16 === 1) ctx.emitProgress({ message: `${provider}: receiving answer (${chars} characters)` });
}

// ---------------------------------------------------------------- OpenAI-compatible chat completions

interface OpenAiChoice {
  message?: {
    content?: string | null;
    tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
  };
  finish_reason?: string;
}
interface OpenAiUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
}

async function openAiChat(
  ctx: BlockContext,
  provider: 'openai' | 'open_router' | 'groq',
  req: LlmRequest,
  stream: boolean,
): Promise<LlmResult> {
  const model = apiModelName(req.model);
  const reasoningModel = /^o\d/.test(model);
  const body: Record<string, unknown> = { model, messages: req.messages };
  if (req.maxTokens) body[reasoningModel ? 'max_completion_tokens' : 'max_tokens'] = req.maxTokens;
  if (req.json) body.response_format = { type: 'json_object' };
  if (req.tools?.length) {
    body.tools = req.tools;
    if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  }
  if (stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  const response = await openProvider(ctx, {
    provider,
    url: `${providerBaseUrl(provider)}/chat/completions`,
    method: 'POST',
    headers: { authorization: `Bearer ${apiKeyFor(ctx, provider)}` },
    json: body,
  });

  if (!stream || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    const data = (await response.json()) as { model?: string; choices?: OpenAiChoice[]; usage?: OpenAiUsage };
    const choice = data.choices?.[0];
    if (!choice?.message)
      throw new ProviderError(
        provider,
        'PROVIDER_BAD_RESPONSE',
        `${provider} returned no choices`,
        response.status,
        false,
      );
    return {
      provider,
      model: data.model ?? model,
      text: choice.message.content ?? '',
      toolCalls: (choice.message.tool_calls ?? []).map((t) => ({
        id: t.id,
        name: t.function.name,
        arguments: t.function.arguments ?? '',
      })),
      inputTokens: data.usage?.prompt_tokens ?? 0,
      outputTokens: data.usage?.completion_tokens ?? 0,
      stopReason: choice.finish_reason,
    };
  }

  let text = '';
  let chunks = 0;
  let usage: OpenAiUsage = {};
  let stopReason: string | undefined;
  let answeredModel = model;
  const calls: Array<{ id: string; name: string; arguments: string }> = [];
  for await (const event of sseEvents(response.body as ReadableStream<Uint8Array>)) {
    if (event.data === '[DONE]') break;
    const chunk = JSON.parse(event.data) as {
      model?: string;
      error?: { message?: string };
      usage?: OpenAiUsage | null;
      choices?: Array<{
        delta?: {
          content?: string | null;
          tool_calls?: Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }>;
        };
        finish_reason?: string | null;
      }>;
    };
    if (chunk.error)
      throw new ProviderError(
        provider,
        'PROVIDER_UNAVAILABLE',
        `${provider} stream error: ${chunk.error.message ?? 'unknown'}`,
        undefined,
        true,
      );
    if (chunk.model) answeredModel = chunk.model;
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      if (choice.delta?.content) text += choice.delta.content;
      for (const tc of choice.delta?.tool_calls ?? []) {
        const slot = (calls[tc.index] ??= { id: '', name: '', arguments: '' });
        if (tc.id) slot.id = tc.id;
        if (tc.function?.name) slot.name += tc.function.name;
        if (tc.function?.arguments) slot.arguments += tc.function.arguments;
      }
      if (choice.finish_reason) stopReason = choice.finish_reason;
    }
    progress(ctx, provider, ++chunks, text.length);
  }
  return {
    provider,
    model: answeredModel,
    text,
    toolCalls: calls.filter(Boolean),
    inputTokens: usage.prompt_tokens ?? 0,
    outputTokens: usage.completion_tokens ?? 0,
    stopReason,
  };
}

// ---------------------------------------------------------------- Anthropic messages API

type AnthropicBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string };
interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: string | AnthropicBlock[];
}

const asText = (content: ChatMessage['content']): string =>
  typeof content === 'string' ? content : content == null ? '' : JSON.stringify(content);

/** OpenAI-shaped history → Anthropic's system string + alternating user/assistant messages. */
export function toAnthropicMessages(messages: ChatMessage[]): { system: string; messages: AnthropicMessage[] } {
  const system: string[] = [];
  const out: AnthropicMessage[] = [];
  const push = (role: 'user' | 'assistant', blocks: AnthropicBlock[]) => {
    const last = out[out.length - 1];
    if (last && last.role === role) {
      const prev: AnthropicBlock[] =
        typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : last.content;
      last.content = [...prev, ...blocks];
    } else out.push({ role, content: blocks });
  };
  for (const m of messages) {
    if (m.role === 'system') system.push(asText(m.content));
    else if (m.role === 'tool')
      push('user', [{ type: 'tool_result', tool_use_id: m.tool_call_id ?? '', content: asText(m.content) }]);
    else if (Array.isArray(m.content))
      push(m.role, m.content as AnthropicBlock[]); // already Anthropic-shaped
    else {
      const blocks: AnthropicBlock[] = [];
      if (m.content) blocks.push({ type: 'text', text: m.content });
      for (const tc of m.tool_calls ?? [])
        blocks.push({ type: 'tool_use', id: tc.id, name: tc.function.name, input: safeJson(tc.function.arguments) });
      if (blocks.length) push(m.role === 'assistant' ? 'assistant' : 'user', blocks);
    }
  }
  // Plain single-text messages are sent as strings, the common and most readable form.
  for (const m of out)
    if (Array.isArray(m.content) && m.content.length === 1 && m.content[0].type === 'text')
      m.content = m.content[0].text;
  return { system: system.join('\n\n'), messages: out };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text || '{}');
  } catch {
    return {};
  }
}

async function anthropicMessages(ctx: BlockContext, req: LlmRequest, stream: boolean): Promise<LlmResult> {
  const model = apiModelName(req.model);
  const { system, messages } = toAnthropicMessages(req.messages);
  const body: Record<string, unknown> = { model, max_tokens: req.maxTokens ?? 4096, messages };
  if (system) body.system = system;
  if (req.tools?.length) {
    body.tools = req.tools.map((t) => ({
      name: t.function.name,
      description: t.function.description ?? '',
      input_schema: t.function.parameters ?? { type: 'object', properties: {} },
    }));
    if (req.parallelToolCalls === false) body.tool_choice = { type: 'auto', disable_parallel_tool_use: true };
  }
  if (stream) body.stream = true;
  const response = await openProvider(ctx, {
    provider: 'anthropic',
    url: `${providerBaseUrl('anthropic')}/v1/messages`,
    method: 'POST',
    headers: { 'x-api-key': apiKeyFor(ctx, 'anthropic'), 'anthropic-version': '2023-06-01' },
    json: body,
  });

  if (!stream || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    const data = (await response.json()) as {
      model?: string;
      content?: AnthropicBlock[];
      stop_reason?: string;
      usage?: { input_tokens?: number; output_tokens?: number };
    };
    const content = data.content ?? [];
    return {
      provider: 'anthropic',
      model: data.model ?? model,
      text: content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join(''),
      toolCalls: content.flatMap((b) =>
        b.type === 'tool_use' ? [{ id: b.id, name: b.name, arguments: JSON.stringify(b.input ?? {}) }] : [],
      ),
      inputTokens: data.usage?.input_tokens ?? 0,
      outputTokens: data.usage?.output_tokens ?? 0,
      stopReason: data.stop_reason,
    };
  }

  let answeredModel = model;
  let inputTokens = 0;
  let outputTokens = 0;
  let stopReason: string | undefined;
  let chunks = 0;
  const blocks: Array<{ type: string; text: string; id?: string; name?: string; json: string }> = [];
  for await (const event of sseEvents(response.body as ReadableStream<Uint8Array>)) {
    const data = JSON.parse(event.data) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    switch (data.type) {
      case 'message_start':
        answeredModel = data.message?.model ?? answeredModel;
        inputTokens = data.message?.usage?.input_tokens ?? 0;
        outputTokens = data.message?.usage?.output_tokens ?? 0;
        break;
      case 'content_block_start':
        blocks[data.index] = {
          type: data.content_block.type,
          text: data.content_block.text ?? '',
          id: data.content_block.id,
          name: data.content_block.name,
          json: '',
        };
        break;
      case 'content_block_delta':
        if (data.delta.type === 'text_delta') blocks[data.index].text += data.delta.text;
        else if (data.delta.type === 'input_json_delta') blocks[data.index].json += data.delta.partial_json;
        break;
      case 'message_delta':
        if (data.usage?.output_tokens !== undefined) outputTokens = data.usage.output_tokens;
        if (data.delta?.stop_reason) stopReason = data.delta.stop_reason;
        break;
      case 'error':
        throw new ProviderError(
          'anthropic',
          'PROVIDER_UNAVAILABLE',
          `anthropic stream error: ${data.error?.message ?? 'unknown'}`,
          undefined,
          true,
        );
      default:
        break; // ping, content_block_stop, message_stop
    }
    progress(
      ctx,
      'anthropic',
      ++chunks,
      blocks.reduce((n, b) => n + (b?.text.length ?? 0), 0),
    );
  }
  return {
    provider: 'anthropic',
    model: answeredModel,
    text: blocks.flatMap((b) => (b?.type === 'text' ? [b.text] : [])).join(''),
    toolCalls: blocks.flatMap((b) =>
      b?.type === 'tool_use' ? [{ id: b.id ?? '', name: b.name ?? '', arguments: b.json || '{}' }] : [],
    ),
    inputTokens,
    outputTokens,
    stopReason,
  };
}

// ---------------------------------------------------------------- Ollama /api/chat

async function ollamaChat(ctx: BlockContext, req: LlmRequest): Promise<LlmResult> {
  const model = apiModelName(req.model);
  const messages = req.messages.map((m) =>
    m.tool_calls
      ? {
          ...m,
          content: asText(m.content),
          tool_calls: m.tool_calls.map((t) => ({
            function: { name: t.function.name, arguments: safeJson(t.function.arguments) },
          })),
        }
      : { ...m, content: asText(m.content) },
  );
  const body: Record<string, unknown> = { model, messages, stream: false };
  if (req.json) body.format = 'json';
  if (req.maxTokens) body.options = { num_predict: req.maxTokens };
  if (req.tools?.length) body.tools = req.tools;
  const key = credentialSecret(ctx);
  const response = await openProvider(ctx, {
    provider: 'ollama',
    url: `${ollamaBaseUrl(req.ollamaHost)}/api/chat`,
    method: 'POST',
    headers: key ? { authorization: `Bearer ${key}` } : {},
    json: body,
  });
  const data = (await response.json()) as {
    model?: string;
    message?: { content?: string; tool_calls?: Array<{ function: { name: string; arguments: unknown } }> };
    prompt_eval_count?: number;
    eval_count?: number;
    done_reason?: string;
  };
  return {
    provider: 'ollama',
    model: data.model ?? model,
    text: data.message?.content ?? '',
    toolCalls: (data.message?.tool_calls ?? []).map((t, i) => ({
      id: `call_${i}`,
      name: t.function.name,
      arguments:
        typeof t.function.arguments === 'string' ? t.function.arguments : JSON.stringify(t.function.arguments ?? {}),
    })),
    inputTokens: data.prompt_eval_count ?? 0,
    outputTokens: data.eval_count ?? 0,
    stopReason: data.done_reason,
  };
}
