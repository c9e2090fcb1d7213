import type { Request, Response } from 'express';
import { listen, newApp, type RecordedRequest } from './http';
import { decideReply, deltas, tokens, type BrainMessage, type ScriptedReply } from './llm-brain';
import { INVALID_KEY_PREFIX, type FakeLlmServer } from './openai';

type Block = { type: string; text?: string; content?: unknown; input?: unknown; name?: string; id?: string };

function anthropicError(res: Response, status: number, message: string): void {
  const type =
    status === 401
      ? 'authentication_error'
      : status === 429
        ? 'rate_limit_error'
        : status >= 500
          ? 'api_error'
          : 'invalid_request_error';
  res.status(status).json({ type: 'error', error: { type, message } });
}

/** Anthropic /v1/messages: JSON or SSE events (message_start … message_stop), tool_use blocks, usage. */
export async function startFakeAnthropic(): Promise<FakeLlmServer> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedReply[] = [];
  const app = newApp(requests);
  let seq = 0;

  app.post('/v1/messages', (req: Request, res: Response) => {
    const key = String(req.headers['x-api-key'] ?? '');
    if (!key) return anthropicError(res, 401, 'x-api-key header is required');
    if (key.startsWith(INVALID_KEY_PREFIX)) return anthropicError(res, 401, 'invalid x-api-key');
    if (!req.headers['anthropic-version']) return anthropicError(res, 400, 'anthropic-version header is required');
    const body = req.body as {
      model?: string;
      max_tokens?: number;
      system?: string;
      messages?: Array<{ role: string; content: string | Block[] }>;
      tools?: Array<{ name: string; input_schema?: object }>;
      stream?: boolean;
    };
    if (!body?.model || !body.max_tokens || !Array.isArray(body.messages))
      return anthropicError(res, 400, 'model, max_tokens and messages are required');
    for (let i = 1; i < body.messages.length; i++) {
      if (body.messages[i].role === body.messages[i - 1].role)
        return anthropicError(res, 400, 'messages: roles must alternate between "user" and "assistant"');
    }
    const messages: BrainMessage[] = body.system ? [{ role: 'system', text: body.system }] : [];
    for (const m of body.messages) {
      if (typeof m.content === 'string') messages.push({ role: m.role, text: m.content });
      else
        for (const b of m.content) {
          if (b.type === 'tool_result')
            messages.push({
              role: 'tool',
              text: typeof b.content === 'string' ? b.content : JSON.stringify(b.content),
            });
          else if (b.type === 'text') messages.push({ role: m.role, text: b.text ?? '' });
          else if (b.type === 'tool_use') messages.push({ role: 'assistant', text: '' });
        }
    }
    const reply = decideReply(
      messages,
      (body.tools ?? []).map((t) => ({ name: t.name, parameters: t.input_schema as never })),
      queue,
    );
    if (reply.status) return anthropicError(res, reply.status, reply.error ?? 'scripted error');

    const id = `msg_fake${++seq}`;
    const content: Block[] = [];
    if (reply.text) content.push({ type: 'text', text: reply.text });
    (reply.toolCalls ?? []).forEach((c, i) =>
      content.push({ type: 'tool_use', id: `toolu_${seq}_${i}`, name: c.name, input: c.arguments }),
    );
    const usage = {
      input_tokens: tokens(messages.map((m) => m.text).join(' ')),
      output_tokens: tokens(JSON.stringify(content)),
    };
    const stopReason = reply.toolCalls?.length ? 'tool_use' : 'end_turn';

    if (!body.stream) {
      return void res.json({
        id,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content,
        stop_reason: stopReason,
        stop_sequence: null,
        usage,
      });
    }
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    const send = (event: string, data: object) =>
      res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
    send('message_start', {
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: [],
        stop_reason: null,
        usage: { input_tokens: usage.input_tokens, output_tokens: 1 },
      },
    });
    send('ping', {});
    content.forEach((block, index) => {
      if (block.type === 'text') {
        send('content_block_start', { index, content_block: { type: 'text', text: '' } });
        for (const piece of deltas(block.text ?? ''))
          send('content_block_delta', { index, delta: { type: 'text_delta', text: piece } });
      } else {
        send('content_block_start', {
          index,
          content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
        });
        for (const piece of deltas(JSON.stringify(block.input), 7))
          send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } });
      }
      send('content_block_stop', { index });
    });
    send('message_delta', {
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    });
    send('message_stop', {});
    res.end();
  });
  app.use((req, res) => anthropicError(res, 404, `Not found: ${req.method} ${req.path}`));

  const { url, close } = await listen(app);
  return {
    name: 'anthropic',
    url,
    requests,
    enqueue: (...replies) => queue.push(...replies),
    reset: () => {
      requests.length = 0;
      queue.length = 0;
    },
    close,
  };
}
