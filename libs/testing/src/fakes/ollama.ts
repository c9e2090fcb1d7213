import type { Request, Response } from 'express';
import { listen, newApp, type RecordedRequest } from './http';
import { decideReply, tokens, type ScriptedReply } from './llm-brain';
import type { FakeLlmServer } from './openai';

/** Ollama /api/chat (non-streaming JSON; NDJSON when stream is not false), tool calls, eval counts. */
export async function startFakeOllama(): Promise<FakeLlmServer> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedReply[] = [];
  const app = newApp(requests);

  app.post('/api/chat', (req: Request, res: Response) => {
    const body = req.body as {
      model?: string;
      messages?: Array<{ role: string; content?: string }>;
      tools?: Array<{ function: { name: string; parameters?: object } }>;
      stream?: boolean;
    };
    if (!body?.model) return void res.status(400).json({ error: 'model is required' });
    if (body.model.startsWith('missing'))
      return void res.status(404).json({ error: `model "${body.model}" not found, try pulling it first` });
    const messages = (body.messages ?? []).map((m) => ({ role: m.role, text: m.content ?? '' }));
    const reply = decideReply(
      messages,
      (body.tools ?? []).map((t) => ({ name: t.function.name, parameters: t.function.parameters as never })),
      queue,
    );
    if (reply.status) return void res.status(reply.status).json({ error: reply.error ?? 'scripted error' });
    const message: Record<string, unknown> = { role: 'assistant', content: reply.text ?? '' };
    if (reply.toolCalls?.length)
      message.tool_calls = reply.toolCalls.map((c) => ({ function: { name: c.name, arguments: c.arguments } }));
    const final = {
      model: body.model,
      created_at: '2025-01-01T00:00:00Z',
      message,
      done: true,
      done_reason: 'stop',
      prompt_eval_count: tokens(messages.map((m) => m.text).join(' ')),
      eval_count: tokens(String(reply.text ?? '')),
    };
    if (body.stream === false) return void res.json(final);
    res.setHeader('content-type', 'application/x-ndjson');
    res.write(`${JSON.stringify({ model: body.model, created_at: final.created_at, message, done: false })}\n`);
    res.end(`${JSON.stringify({ ...final, message: { role: 'assistant', content: '' } })}\n`);
  });
  app.get('/api/tags', (_req, res) => res.json({ models: [{ name: 'llama3.2:latest', model: 'llama3.2:latest' }] }));
  app.use((_req, res) => res.status(404).send('404 page not found'));

  const { url, close } = await listen(app);
  return {
    name: 'ollama',
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
