import type { Request, Response } from 'express';
import { bearerOf, listen, newApp, type FakeServer, type RecordedRequest } from './http';
import { decideReply, deltas, tokens, type BrainMessage, type ScriptedReply } from './llm-brain';

export interface FakeLlmServer extends FakeServer {
  /** Queue replies for the next calls (before any <fake-reply> directive or default behaviour). */
  enqueue(...replies: ScriptedReply[]): void;
}

/** A key starting with this is refused with 401, quoting the key like the real API does. */
export const INVALID_KEY_PREFIX = 'sk-invalid';

interface OpenAiMessage {
  role: string;
  content?: string | null | Array<{ type: string; text?: string }>;
  tool_calls?: unknown[];
}

const textOf = (content: OpenAiMessage['content']): string =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.map((c) => c.text ?? '').join('') : '';

function openAiError(res: Response, status: number, message: string, type = 'invalid_request_error'): void {
  res
    .status(status)
    .json({ error: { message, type, param: null, code: status === 429 ? 'rate_limit_exceeded' : null } });
}

/** OpenAI-compatible /chat/completions (also serving as OpenRouter and Groq): JSON or SSE, tool calls, usage. */
export async function startFakeOpenAi(): Promise<FakeLlmServer> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedReply[] = [];
  const app = newApp(requests);
  let seq = 0;

  app.post(['/v1/chat/completions', '/chat/completions'], (req: Request, res: Response) => {
    const key = bearerOf(req);
    if (!key)
      return openAiError(
        res,
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth.",
      );
    if (key.startsWith(INVALID_KEY_PREFIX)) {
      return openAiError(
        res,
        401,
        `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      );
    }
    const body = req.body as {
      model?: string;
      messages?: OpenAiMessage[];
      tools?: Array<{ function: { name: string; parameters?: object } }>;
      stream?: boolean;
    };
    if (!body || typeof body !== 'object' || !body.model || !Array.isArray(body.messages)) {
      return openAiError(res, 400, "Missing required parameters: 'model' and 'messages'.");
    }
    const messages: BrainMessage[] = body.messages.map((m) => ({ role: m.role, text: textOf(m.content) }));
    const reply = decideReply(
      messages,
      (body.tools ?? []).map((t) => ({ name: t.function.name, parameters: t.function.parameters })),
      queue,
    );
    if (reply.status)
      return openAiError(
        res,
        reply.status,
        reply.error ?? 'scripted error',
        reply.status === 429 ? 'requests' : 'server_error',
      );

    const id = `chatcmpl-fake${++seq}`;
    const text = reply.text ?? '';
    const toolCalls = (reply.toolCalls ?? []).map((c, i) => ({
      id: `call_${seq}_${i}`,
      type: 'function',
      function: { name: c.name, arguments: JSON.stringify(c.arguments) },
    }));
    const usage = {
      prompt_tokens: tokens(messages.map((m) => m.text).join(' ')),
      completion_tokens: tokens(text + JSON.stringify(toolCalls)),
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const finish = toolCalls.length ? 'tool_calls' : 'stop';
    const created = 1_700_000_000 + seq;

    if (!body.stream) {
      return void res.json({
        id,
        object: 'chat.completion',
        created,
        model: body.model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: toolCalls.length && !text ? null : text,
              ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
            },
            finish_reason: finish,
          },
        ],
        usage,
      });
    }
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-cache');
    const send = (delta: object, finishReason: string | null = null) =>
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`,
      );
    send({ role: 'assistant', content: '' });
    for (const piece of deltas(text)) send({ content: piece });
    toolCalls.forEach((tc, index) => {
      send({
        tool_calls: [{ index, id: tc.id, type: 'function', function: { name: tc.function.name, arguments: '' } }],
      });
      for (const piece of deltas(tc.function.arguments, 7))
        send({ tool_calls: [{ index, function: { arguments: piece } }] });
    });
    send({}, finish);
    if ((body as { stream_options?: { include_usage?: boolean } }).stream_options?.include_usage) {
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage })}\n\n`,
      );
    }
    res.end('data: [DONE]\n\n');
  });

  app.get(['/v1/models', '/models'], (_req, res) =>
    res.json({ object: 'list', data: [{ id: 'gpt-4o', object: 'model' }] }),
  );
  app.use((req, res) => openAiError(res, 404, `Unknown request URL: ${req.method} ${req.path}.`));

  const { url, close } = await listen(app);
  return {
    name: 'openai',
    url: `${url}/v1`,
    requests,
    enqueue: (...replies) => queue.push(...replies),
    reset: () => {
      requests.length = 0;
      queue.length = 0;
    },
    close,
  };
}
