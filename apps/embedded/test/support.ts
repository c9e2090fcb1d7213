import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVICE_NAMES } from '@agentry/config';
import { startPlatform, type Platform } from '../src/platform';

export const ADMIN = { email: 'admin@example.test', password: 'correct-horse-battery' };

export const BLOCK = {
  input: 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b',
  template: 'db7d8f02-2f44-4c55-ab7a-eae0941f0c30',
  output: '363ae599-353e-4804-937e-b2ee3cef3da4',
};

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-e2e-'));
}

/** The whole platform on free ports, in one process, on a data folder of the test's own. */
export function startTestPlatform(dataDir: string, extraEnv: Record<string, string> = {}): Promise<Platform> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AGENTRY_DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    AGENTRY_ADMIN_EMAIL: ADMIN.email,
    AGENTRY_ADMIN_PASSWORD: ADMIN.password,
    ...extraEnv,
  };
  for (const s of SERVICE_NAMES) env[`AGENTRY_${s.toUpperCase().replace('-', '_')}_GRPC_PORT`] = '0';
  return startPlatform(env);
}

export async function api(base: string, method: string, pathname: string, body?: unknown, token?: string): Promise<{ status: number; headers: Headers; json: any }> {
  const res = await fetch(`${base}${pathname}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, json };
}

export async function login(base: string): Promise<string> {
  const res = await api(base, 'POST', '/api/v1/auth/login', ADMIN);
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json.accessToken as string;
}

/** Polls an execution until it leaves the running states (bounded by attempts, not by wall-clock assertions). */
export async function waitForExecution(base: string, token: string, executionId: string, attempts = 400): Promise<any> {
  for (let i = 0; i < attempts; i++) {
    const res = await api(base, 'GET', `/api/v1/executions/${executionId}`, undefined, token);
    if (res.status === 200 && ['COMPLETED', 'FAILED', 'TERMINATED'].includes(res.json.status)) return res.json;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`execution ${executionId} did not finish`);
}

export const greetingGraph = () => ({
  name: 'Greeting',
  description: 'input -> fill template -> output',
  nodes: [
    { id: 'in', blockId: BLOCK.input, inputDefault: { name: 'topic' }, metadata: { position: { x: 0, y: 0 } } },
    { id: 'fill', blockId: BLOCK.template, inputDefault: { format: 'Hello {{ topic }}!', values: {} }, metadata: { position: { x: 300, y: 0 } } },
    { id: 'out', blockId: BLOCK.output, inputDefault: { name: 'greeting' }, metadata: { position: { x: 600, y: 0 } } },
  ],
  links: [
    { sourceId: 'in', sourceName: 'result', sinkId: 'fill', sinkName: 'values_#_topic', isStatic: false },
    { sourceId: 'fill', sourceName: 'output', sinkId: 'out', sinkName: 'value', isStatic: false },
  ],
});
