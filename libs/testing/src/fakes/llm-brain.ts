/**
 * How the fake LLM servers decide what to answer, deterministically:
 *  1. a scripted reply queued by the test (`fake.enqueue(...)`), first in first out;
 *  2. `<fake-reply>…</fake-reply>` directives in the conversation: the newest user/system message holding
 *     directives answers with its Nth directive on the Nth model turn after it (so retries can be scripted);
 *  3. with tools and no tool result yet: a call of the first tool, arguments made up from its schema
 *     (strings "test <name>", numbers 1, booleans true);
 *  4. after a tool result: "Done: <the tool result>";
 *  5. otherwise "Fake answer to: <the last user message>".
 */
export interface ScriptedReply {
  text?: string;
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown> }>;
  /** Answer with this HTTP status and provider-shaped error body instead. */
  status?: number;
  error?: string;
}

export interface BrainMessage {
  role: string;
  text: string;
}

export interface BrainTool {
  name: string;
  parameters?: { properties?: Record<string, { type?: string }> };
}

const DIRECTIVE = /<fake-reply>([\s\S]*?)<\/fake-reply>/g;

export function decideReply(messages: BrainMessage[], tools: BrainTool[], queue: ScriptedReply[]): ScriptedReply {
  const scripted = queue.shift();
  if (scripted) return scripted;

  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role !== 'user' && m.role !== 'system') continue;
    const directives = [...m.text.matchAll(DIRECTIVE)].map((d) => d[1]);
    if (!directives.length) continue;
    const turn = messages.slice(i + 1).filter((x) => x.role === 'assistant').length;
    return { text: directives[Math.min(turn, directives.length - 1)] };
  }

  const last = messages[messages.length - 1];
  if (last?.role === 'tool') return { text: `Done: ${last.text}` };
  if (tools.length) {
    const tool = tools[0];
    const args: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(tool.parameters?.properties ?? {})) {
      args[name] =
        schema.type === 'number' || schema.type === 'integer' ? 1 : schema.type === 'boolean' ? true : `test ${name}`;
    }
    return { toolCalls: [{ name: tool.name, arguments: args }] };
  }
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  return { text: `Fake answer to: ${(lastUser?.text ?? '').slice(0, 200)}` };
}

/** Rough token count (4 characters a token), enough for usage fields. */
export const tokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

/** Split text into a few stream deltas. */
export function deltas(text: string, size = 4): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
