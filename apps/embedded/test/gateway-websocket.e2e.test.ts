import fs from 'node:fs';
import WebSocket from 'ws';
import { api, greetingGraph, login, startTestPlatform, tempDataDir, waitForExecution } from './support';
import type { Platform } from '../src/platform';

const CONVERTER_BLOCK = '95d1b990-ce13-4d88-9737-ba5c2070c97b';

/** Bounded polling: the condition is re-checked every 10 ms, up to `attempts` times (no wall-clock assertion). */
async function until<T>(what: string, check: () => T | undefined | false, attempts = 1000): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

interface Socket {
  ws: WebSocket;
  messages: any[];
  pings: number;
  closed?: { code: number; reason: string };
  send(m: unknown): void;
  waitFor(pred: (m: any) => boolean, attempts?: number): Promise<any>;
}

async function openSocket(base: string, token: string, options: WebSocket.ClientOptions = {}): Promise<Socket> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws?token=${token}`, options);
  const s: Socket = {
    ws,
    messages: [],
    pings: 0,
    send: (m) => ws.send(JSON.stringify(m)),
    waitFor: (pred, attempts) => until(`a matching message (got ${s.messages.length})`, () => s.messages.find(pred), attempts),
  };
  ws.on('message', (raw) => s.messages.push(JSON.parse(raw.toString())));
  ws.on('ping', () => s.pings++);
  ws.on('close', (code, reason) => (s.closed = { code, reason: reason.toString() }));
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  return s;
}

describe('WebSocket heartbeats', () => {
  const dataDir = tempDataDir();
  let platform: Platform;
  let base: string;
  let token: string;

  beforeAll(async () => {
    platform = await startTestPlatform(dataDir, { AGENTRY_WS_HEARTBEAT_MS: '100' });
    base = platform.url;
    token = await login(base);
  });
  afterAll(async () => {
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('pings every client; one that answers stays, one that stops answering pongs is dropped', async () => {
    const answering = await openSocket(base, token);
    const silent = await openSocket(base, token, { autoPong: false });
    const closed = await until('the silent client to be dropped', () => silent.closed);
    // Terminated, not closed politely: a peer that does not answer would not answer a close frame either.
    expect(closed.code).toBe(1006);
    expect(silent.pings).toBeGreaterThanOrEqual(1);

    // The answering client has seen several pings since and is still served.
    const seen = answering.pings;
    await until('more pings', () => answering.pings >= seen + 3);
    expect(answering.closed).toBeUndefined();
    answering.send({ method: 'heartbeat' });
    expect(await answering.waitFor((m) => m.method === 'heartbeat')).toEqual({ method: 'heartbeat', data: 'pong' });
    answering.ws.close();
  });
});

describe('WebSocket notifications and slow clients', () => {
  const dataDir = tempDataDir();
  let platform: Platform;
  let base: string;
  let token: string;

  beforeAll(async () => {
    platform = await startTestPlatform(dataDir, { AGENTRY_WS_MAX_BUFFERED_BYTES: String(256 * 1024), AGENTRY_SIGNUP: 'open' });
    base = platform.url;
    token = await login(base);
  });
  afterAll(async () => {
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("pushes a failed execution's notification to its owner's socket only, never to another tenant's", async () => {
    const other = await api(base, 'POST', '/api/v1/auth/signup', { email: 'other@ws.test', password: 'other-password-1', tenantName: 'Other' });
    const owner = await openSocket(base, token);
    const stranger = await openSocket(base, other.json.accessToken);
    for (const s of [owner, stranger]) {
      s.send({ method: 'subscribe_notifications' });
      expect(await s.waitFor((m) => m.method === 'subscribed')).toEqual({ method: 'subscribed', data: { notifications: true } });
    }

    const failing = await api(
      base,
      'POST',
      '/api/v1/graphs',
      { name: 'Always fails', nodes: [{ id: 'convert', blockId: CONVERTER_BLOCK, inputDefault: { value: 'not a number', type: 'number' } }], links: [] },
      token,
    );
    expect(failing.status).toBe(201);
    const run = await api(base, 'POST', `/api/v1/graphs/${failing.json.id}/execute`, { inputs: {} }, token);
    expect((await waitForExecution(base, token, run.json.executionId)).status).toBe('FAILED');
    // The other tenant's own run, so its socket demonstrably still gets its own notifications.
    const otherGraph = await api(base, 'POST', '/api/v1/graphs', greetingGraph(), other.json.accessToken);
    const otherRun = await api(base, 'POST', `/api/v1/graphs/${otherGraph.json.id}/execute`, { inputs: { topic: 'b' } }, other.json.accessToken);
    await waitForExecution(base, other.json.accessToken, otherRun.json.executionId);

    const pushed = await owner.waitFor((m) => m.method === 'notification' && m.data.type === 'execution_failed');
    expect(pushed.data).toMatchObject({ type: 'execution_failed', title: expect.stringMatching(/failed/), read: false, data: { executionId: run.json.executionId }, unreadCount: expect.any(Number) });
    // It is the same notification the REST list shows.
    const listed = await api(base, 'GET', '/api/v1/notifications', undefined, token);
    expect(listed.json.items.map((n: { id: string }) => n.id)).toContain(pushed.data.id);

    await stranger.waitFor((m) => m.method === 'notification' && m.data.data?.executionId === otherRun.json.executionId);
    expect(stranger.messages.filter((m) => m.method === 'notification' && m.data.data?.executionId === run.json.executionId)).toEqual([]);
    expect(JSON.stringify(stranger.messages)).not.toContain(run.json.executionId);
    expect(owner.messages.filter((m) => JSON.stringify(m).includes(otherRun.json.executionId))).toEqual([]);

    // Unsubscribed: no more pushes.
    owner.send({ method: 'unsubscribe', data: { notifications: true } });
    await owner.waitFor((m) => m.method === 'unsubscribed');
    const count = owner.messages.filter((m) => m.method === 'notification').length;
    const again = await api(base, 'POST', `/api/v1/graphs/${failing.json.id}/execute`, { inputs: {} }, token);
    await waitForExecution(base, token, again.json.executionId);
    for (let i = 0; ; i++) {
      const listed = await api(base, 'GET', '/api/v1/notifications', undefined, token);
      if (JSON.stringify(listed.json.items).includes(again.json.executionId)) break;
      if (i > 400) throw new Error('the second failure was not notified');
      await new Promise((r) => setTimeout(r, 10));
    }
    owner.send({ method: 'heartbeat' });
    await until('the heartbeat reply', () => owner.messages.filter((m) => m.method === 'heartbeat').length === 1);
    expect(owner.messages.filter((m) => m.method === 'notification')).toHaveLength(count);
    owner.ws.close();
    stranger.ws.close();
  });

  it('refuses notifications to an API key without notifications:read', async () => {
    const key = await api(base, 'POST', '/api/v1/api-keys', { name: 'graphs only', scopes: ['graphs:read'] }, token);
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws?apiKey=${key.json.key}`);
    const messages: any[] = [];
    ws.on('message', (raw) => messages.push(JSON.parse(raw.toString())));
    await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
    ws.send(JSON.stringify({ method: 'subscribe_notifications' }));
    expect(await until('a reply', () => messages[0])).toMatchObject({ method: 'error', data: { code: 'PERMISSION_DENIED' } });
    ws.close();
  });
  it('a client that stops reading is disconnected with a close reason once its buffer is full, and never stalls the others', async () => {
    const graph = await api(base, 'POST', '/api/v1/graphs', greetingGraph(), token);
    const fast = await openSocket(base, token);
    const slow = await openSocket(base, token);
    for (const s of [fast, slow]) {
      s.send({ method: 'subscribe_graph_executions', data: { graphId: graph.json.id } });
      await s.waitFor((m) => m.method === 'subscribed');
    }
    // The slow client stops reading its socket: the kernel buffers fill, then the server's send buffer.
    (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();

    // Each run carries a large input through several events, so a few runs are megabytes of messages.
    const big = 'x'.repeat(1024 * 1024);
    const runs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const run = await api(base, 'POST', `/api/v1/graphs/${graph.json.id}/execute`, { inputs: { topic: `${i}${big}` } }, token);
      runs.push(run.json.executionId);
      await waitForExecution(base, token, run.json.executionId);
    }
    // The fast client got every run to its end while the slow one read nothing.
    for (const id of runs) await fast.waitFor((m) => m.method === 'graph_execution_event' && m.data.executionId === id && m.data.status === 'COMPLETED');
    expect(fast.closed).toBeUndefined();

    // When the slow client reads again, it finds what was queued before the bound, then the close frame.
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const closed = await until('the slow client to be closed', () => slow.closed);
    expect(closed).toEqual({ code: 1013, reason: 'client too slow: too many undelivered messages' });
    // Bounded: it was sent less than the fast client received.
    expect(slow.messages.length).toBeLessThan(fast.messages.length);
    expect(slow.messages.filter((m) => m.data?.executionId === runs[2] && m.data?.status === 'COMPLETED')).toEqual([]);

    // The others are still served.
    fast.send({ method: 'heartbeat' });
    expect(await fast.waitFor((m) => m.method === 'heartbeat')).toEqual({ method: 'heartbeat', data: 'pong' });
    fast.ws.close();
  });
});
