import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CliDeps, Io } from '../src/context';

export interface Call {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: unknown;
}

export type Handler = (call: Call) => { status?: number; body?: unknown; type?: string };

/** A fetch that answers from a table of `METHOD /path` handlers and records every call. */
export function fakeFetch(routes: Record<string, Handler>): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const impl = async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const call: Call = {
      method: init.method ?? 'GET',
      url,
      headers: (init.headers ?? {}) as Record<string, string>,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    };
    calls.push(call);
    const handler = routes[`${call.method} ${url.pathname}`];
    if (!handler) return problem(404, 'NOT_FOUND', 'no such API route');
    const out = handler(call);
    const status = out.status ?? 200;
    if (status === 204) return new Response(null, { status });
    return new Response(JSON.stringify(out.body ?? {}), {
      status,
      headers: { 'content-type': out.type ?? (status >= 400 ? 'application/problem+json' : 'application/json') },
    });
  };
  return { fetch: impl as typeof fetch, calls };
}

export function problem(status: number, code: string, detail: string, errors?: unknown): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title: code, status, code, detail, errors }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
}

export interface FakeIo extends Io {
  out: string[];
  err: string[];
}

export function fakeIo(tty = false): FakeIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    stdoutIsTTY: tty,
    stderrIsTTY: tty,
    stdinIsTTY: tty,
    prompt: async () => '',
    readStdin: async () => '',
  };
}

export function tempConfig(): { dir: string; file: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-cli-'));
  return { dir, file: path.join(dir, 'config.json'), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function deps(io: Io, configFile: string, fetchImpl: typeof fetch, env: NodeJS.ProcessEnv = {}): CliDeps {
  return { io, env: { AGENTRY_CONFIG: configFile, ...env }, fetch: fetchImpl };
}
