import fs from 'node:fs';
import { Metadata } from '@grpc/grpc-js';
import WebSocket from 'ws';
import { connect } from '@agentry/grpc';
import { gatewayV1 } from '@agentry/proto-ts';
import { ADMIN, greetingGraph, startTestPlatform, tempDataDir, waitForExecution } from './support';
import type { Platform } from '../src/platform';

interface Reply {
  status: number;
  json: any;
}

async function call(base: string, method: string, path: string, opts: { body?: unknown; token?: string; apiKey?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.apiKey) headers['x-api-key'] = opts.apiKey;
  const res = await fetch(base + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** A WebSocket that collects every message, with a bounded wait for one matching a predicate. */
async function openSocket(base: string, query: string) {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws?${query}`);
  const messages: any[] = [];
  ws.on('message', (raw) => messages.push(JSON.parse(raw.toString())));
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  return {
    messages,
    send: (m: unknown) => ws.send(JSON.stringify(m)),
    async waitFor(pred: (m: any) => boolean, attempts = 400) {
      for (let i = 0; i < attempts; i++) {
        const found = messages.find(pred);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`no matching message in ${JSON.stringify(messages)}`);
    },
    close: () => ws.close(),
  };
}

const ALL_SCOPES = [
  'graphs:read',
  'graphs:write',
  'executions:read',
  'executions:write',
  'files:read',
  'files:write',
  'credentials:write',
  'schedules:write',
  'store:write',
  'notifications:write',
  'tenant:admin',
];

describe('tenant isolation: every resource of tenant A tried from tenant B through REST, WebSocket and gRPC', () => {
  const dataDir = tempDataDir();
  const saved = { ...process.env };
  let platform: Platform;
  let base: string;
  const a = {} as {
    token: string;
    tenantId: string;
    graphId: string;
    executionId: string;
    keyId: string;
    invitationId: string;
    userId: string;
    fileId: string;
    credentialId: string;
    scheduleId: string;
    triggerId: string;
    listingId: string;
    pendingListingId: string;
    libraryId: string;
    presetId: string;
    notificationId: string;
  };
  const b = {} as { token: string; apiKey: string; tenantId: string; graphId: string };

  beforeAll(async () => {
    process.env.AGENTRY_SIGNUP = 'open';
    platform = await startTestPlatform(dataDir);
    base = platform.url;

    const loginA = await call(base, 'POST', '/api/v1/auth/login', { body: ADMIN });
    Object.assign(a, { token: loginA.json.accessToken, tenantId: loginA.json.tenantId });
    a.userId = (await call(base, 'GET', '/api/v1/me', { token: a.token })).json.id;
    a.graphId = (await call(base, 'POST', '/api/v1/graphs', { token: a.token, body: greetingGraph() })).json.id;
    a.executionId = (await call(base, 'POST', `/api/v1/graphs/${a.graphId}/execute`, { token: a.token, body: { inputs: { topic: 'secret-of-a' } } })).json.executionId;
    await waitForExecution(base, a.token, a.executionId);
    a.keyId = (await call(base, 'POST', '/api/v1/api-keys', { token: a.token, body: { name: 'a-key', scopes: ['graphs:read'] } })).json.id;
    a.invitationId = (await call(base, 'POST', `/api/v1/tenants/${a.tenantId}/invitations`, { token: a.token, body: { email: 'guest@a.test' } })).json.id;
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('secret-of-a')]), 'a.txt');
    a.fileId = ((await (await fetch(`${base}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${a.token}` }, body: form })).json()) as { id: string }).id;
    const post = async (path: string, body?: unknown) => (await call(base, 'POST', path, { token: a.token, body })).json;
    a.credentialId = (await post('/api/v1/credentials', { provider: 'openai', type: 'api_key', title: 'secret-of-a', secret: { apiKey: 'sk-secret-of-a' } })).id;
    a.scheduleId = (await post('/api/v1/schedules', { graphId: a.graphId, cron: '0 9 * * *', name: 'secret-of-a', inputs: { topic: 'secret-of-a' } })).id;
    a.triggerId = (await post('/api/v1/webhook-triggers', { graphId: a.graphId })).id;
    await call(base, 'PUT', '/api/v1/store/me/profile', { token: a.token, body: { handle: 'tenant-a', name: 'A' } });
    a.listingId = (await post('/api/v1/store/listings', { graphId: a.graphId, name: 'Approved of A', description: 'secret-of-a' })).id;
    await post(`/api/v1/store/listings/${a.listingId}/versions/1/review`, { decision: 'APPROVE' });
    a.pendingListingId = (await post('/api/v1/store/listings', { graphId: a.graphId, name: 'Pending of A', description: 'secret-of-a' })).id;
    a.libraryId = (await post('/api/v1/library', { listingId: a.listingId })).id;
    a.presetId = (await post(`/api/v1/library/${a.libraryId}/presets`, { name: 'secret-of-a', inputs: { topic: 'secret-of-a' } })).presets[0].id;
    for (let i = 0; !a.notificationId; i++) {
      if (i > 400) throw new Error('no notification for the execution of A');
      a.notificationId = (await call(base, 'GET', '/api/v1/notifications', { token: a.token })).json.items[0]?.id;
      if (!a.notificationId) await new Promise((r) => setTimeout(r, 10));
    }

    const signupB = await call(base, 'POST', '/api/v1/auth/signup', { body: { email: 'b@tenant-b.test', password: 'b-password-1', tenantName: 'B' } });
    Object.assign(b, { token: signupB.json.accessToken, tenantId: signupB.json.tenantId });
    b.apiKey = (await call(base, 'POST', '/api/v1/api-keys', { token: b.token, body: { name: 'b-key', scopes: ALL_SCOPES } })).json.key;
    b.graphId = (await call(base, 'POST', '/api/v1/graphs', { token: b.token, body: greetingGraph() })).json.id;
  });
  afterAll(async () => {
    await platform?.close();
    process.env = saved;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const attempts = () =>
    [
      ['GET', `/api/v1/graphs/${a.graphId}`],
      ['GET', `/api/v1/graphs/${a.graphId}?version=1`],
      ['GET', `/api/v1/graphs/${a.graphId}/versions`],
      ['GET', `/api/v1/graphs/${a.graphId}/export`],
      ['PUT', `/api/v1/graphs/${a.graphId}`, { ...greetingGraph(), name: 'hijacked', baseVersion: 1 }],
      ['DELETE', `/api/v1/graphs/${a.graphId}`],
      ['POST', `/api/v1/graphs/${a.graphId}/execute`, { inputs: { topic: 'b' } }],
      ['GET', `/api/v1/executions/${a.executionId}`],
      ['GET', `/api/v1/executions/${a.executionId}/events`],
      ['POST', `/api/v1/executions/${a.executionId}/cancel`],
      ['POST', `/api/v1/executions/${a.executionId}/reviews/in%231`, { decision: 'approve' }],
      ['GET', `/api/v1/tenants/${a.tenantId}`],
      ['GET', `/api/v1/tenants/${a.tenantId}/members`],
      ['POST', `/api/v1/tenants/${a.tenantId}/members`, { email: 'b@tenant-b.test', role: 'owner' }],
      ['PATCH', `/api/v1/tenants/${a.tenantId}/members/${a.userId}`, { role: 'viewer' }],
      ['DELETE', `/api/v1/tenants/${a.tenantId}/members/${a.userId}`],
      ['GET', `/api/v1/tenants/${a.tenantId}/invitations`],
      ['POST', `/api/v1/tenants/${a.tenantId}/invitations`, { email: 'x@b.test' }],
      ['DELETE', `/api/v1/tenants/${a.tenantId}/invitations/${a.invitationId}`],
      ['POST', '/api/v1/auth/switch-tenant', { tenantId: a.tenantId }],
      ['GET', `/api/v1/files/${a.fileId}`],
      ['GET', `/api/v1/files/${a.fileId}/content`],
      ['DELETE', `/api/v1/files/${a.fileId}`],
      ['POST', `/api/v1/graphs/${b.graphId}/execute`, { inputs: { topic: { $file: a.fileId } } }],
      ['POST', `/api/v1/credentials/${a.credentialId}/revoke`],
      ['DELETE', `/api/v1/credentials/${a.credentialId}`],
      ['GET', `/api/v1/schedules/${a.scheduleId}`],
      ['GET', `/api/v1/schedules/${a.scheduleId}/fires`],
      ['POST', `/api/v1/schedules/${a.scheduleId}/pause`],
      ['POST', `/api/v1/schedules/${a.scheduleId}/resume`],
      ['DELETE', `/api/v1/schedules/${a.scheduleId}`],
      ['POST', '/api/v1/schedules', { graphId: a.graphId, cron: '* * * * *' }],
      ['DELETE', `/api/v1/webhook-triggers/${a.triggerId}`],
      ['POST', '/api/v1/webhook-triggers', { graphId: a.graphId }],
      ['GET', `/api/v1/store/my/listings/${a.pendingListingId}`],
      ['POST', `/api/v1/store/listings/${a.pendingListingId}/versions`, { name: 'hijacked' }],
      ['PUT', `/api/v1/store/listings/${a.pendingListingId}/versions/1`, { name: 'hijacked' }],
      ['POST', `/api/v1/store/listings/${a.pendingListingId}/versions/1/submit`],
      ['POST', '/api/v1/store/listings', { graphId: a.graphId, name: 'stolen' }],
      ['GET', `/api/v1/store/listings/${a.pendingListingId}`],
      ['POST', '/api/v1/library', { listingId: a.pendingListingId }],
      ['GET', `/api/v1/library/${a.libraryId}`],
      ['POST', `/api/v1/library/${a.libraryId}/update`],
      ['POST', `/api/v1/library/${a.libraryId}/presets`, { name: 'x', inputs: {} }],
      ['DELETE', `/api/v1/library/${a.libraryId}/presets/${a.presetId}`],
      ['POST', `/api/v1/library/${a.libraryId}/run`, { presetId: a.presetId }],
      ['GET', `/api/v1/tenants/${a.tenantId}/quotas`],
      ['PATCH', `/api/v1/tenants/${a.tenantId}/quotas`, { storageBytes: 1 }],
      ['GET', `/api/v1/tenants/${a.tenantId}/usage`],
    ] as Array<[string, string, unknown?]>;

  it('REST: with a token or an API key of B, every resource of A is 404 NOT_FOUND, never data', async () => {
    for (const cred of [{ token: b.token }, { apiKey: b.apiKey }]) {
      for (const [method, path, body] of attempts()) {
        if (cred.apiKey && path.includes('switch-tenant')) continue; // user tokens only
        const res = await call(base, method, path, { ...cred, body });
        expect({ via: cred.token ? 'token' : 'key', method, path, status: res.status, code: res.json?.code }).toEqual({ via: cred.token ? 'token' : 'key', method, path, status: 404, code: 'NOT_FOUND' });
        expect(JSON.stringify(res.json)).not.toContain('secret-of-a');
      }
    }
    // API keys of A are not visible or revocable from B.
    expect((await call(base, 'GET', `/api/v1/api-keys/${a.keyId}`, { token: b.token })).status).toBe(404);
    expect((await call(base, 'DELETE', `/api/v1/api-keys/${a.keyId}`, { token: b.token })).status).toBe(404);
    // Lists of B never show A's things.
    const graphs = await call(base, 'GET', '/api/v1/graphs', { token: b.token });
    expect(graphs.json.items.map((g: { id: string }) => g.id)).toEqual([b.graphId]);
    expect((await call(base, 'GET', `/api/v1/executions?graphId=${a.graphId}`, { token: b.token })).json.items).toEqual([]);
    expect((await call(base, 'GET', '/api/v1/executions', { token: b.token })).json.items).toEqual([]);
    expect((await call(base, 'GET', '/api/v1/api-keys', { token: b.token })).json.items.map((k: { name: string }) => k.name)).toEqual(['b-key']);
    expect((await call(base, 'GET', '/api/v1/tenants', { token: b.token })).json.items.map((t: { id: string }) => t.id)).toEqual([b.tenantId]);
    // Nor do B's lists of credentials, schedules, triggers, listings, library, notifications and files.
    for (const cred of [{ token: b.token }, { apiKey: b.apiKey }]) {
      for (const path of ['/api/v1/credentials', '/api/v1/schedules', `/api/v1/schedules?graphId=${a.graphId}`, '/api/v1/webhook-triggers', '/api/v1/store/my/listings', '/api/v1/library', '/api/v1/notifications', '/api/v1/files']) {
        const res = await call(base, 'GET', path, cred);
        expect({ path, status: res.status, items: res.json.items }).toEqual({ path, status: 200, items: [] });
      }
    }
    // Marking A's notification read from B changes nothing of A's.
    const unreadBefore = (await call(base, 'GET', '/api/v1/notifications/unread-count', { token: a.token })).json.unreadCount;
    await call(base, 'POST', '/api/v1/notifications/read', { token: b.token, body: { ids: [a.notificationId] } });
    expect((await call(base, 'GET', '/api/v1/notifications/unread-count', { token: a.token })).json.unreadCount).toBe(unreadBefore);
    expect(unreadBefore).toBeGreaterThan(0);
    // A login cannot pick a tenant it does not belong to.
    expect((await call(base, 'POST', '/api/v1/auth/login', { body: { email: 'b@tenant-b.test', password: 'b-password-1', tenantId: a.tenantId } })).status).toBe(404);
  });

  it('WebSocket: subscriptions to A are NOT_FOUND and B never receives A events', async () => {
    for (const query of [`token=${b.token}`, `apiKey=${b.apiKey}`]) {
      const ws = await openSocket(base, query);
      ws.send({ method: 'subscribe_graph_execution', data: { executionId: a.executionId } });
      ws.send({ method: 'subscribe_graph_executions', data: { graphId: a.graphId } });
      ws.send({ method: 'subscribe_graph_executions', data: { graphId: b.graphId } });
      expect(await ws.waitFor((m) => m.method === 'error' && /execution/.test(m.data.message))).toMatchObject({ data: { code: 'NOT_FOUND' } });
      expect(await ws.waitFor((m) => m.method === 'error' && /graph/.test(m.data.message))).toMatchObject({ data: { code: 'NOT_FOUND' } });
      await ws.waitFor((m) => m.method === 'subscribed' && m.data.graphId === b.graphId);
      ws.send({ method: 'subscribe_notifications' });
      await ws.waitFor((m) => m.method === 'subscribed' && m.data.notifications === true);

      // A runs again while B listens; B's own run arrives, A's never does.
      const runA = await call(base, 'POST', `/api/v1/graphs/${a.graphId}/execute`, { token: a.token, body: { inputs: { topic: 'secret-of-a' } } });
      const runB = await call(base, 'POST', `/api/v1/graphs/${b.graphId}/execute`, { token: b.token, body: { inputs: { topic: 'b' } } });
      await waitForExecution(base, a.token, runA.json.executionId);
      await waitForExecution(base, b.token, runB.json.executionId);
      await ws.waitFor((m) => m.data?.executionId === runB.json.executionId && m.data?.status === 'COMPLETED' && m.method === 'graph_execution_event');
      // B's own notification arrives; A's (pushed to A at the same time) never does.
      await ws.waitFor((m) => m.method === 'notification' && m.data.data?.executionId === runB.json.executionId);
      expect(ws.messages.filter((m) => m.method === 'notification' && m.data.data?.executionId !== runB.json.executionId)).toEqual([]);
      expect(ws.messages.filter((m) => [a.executionId, runA.json.executionId].includes(m.data?.executionId))).toEqual([]);
      expect(JSON.stringify(ws.messages)).not.toContain('secret-of-a');
      ws.close();
    }
  });

  it('gRPC: every graph and execution operation on A answers NOT_FOUND to B', async () => {
    const client = connect(gatewayV1.GatewayServiceClient, platform.addresses.gateway);
    try {
      for (const md of [
        ['authorization', `Bearer ${b.token}`],
        ['x-api-key', b.apiKey],
      ]) {
        const metadata = new Metadata();
        metadata.set(md[0], md[1]);
        const o = { metadata };
        const calls: Array<[string, () => Promise<unknown>]> = [
          ['getGraph', () => client.getGraph({ graphId: a.graphId, version: 0 }, o)],
          ['updateGraph', () => client.updateGraph({ graphId: a.graphId, baseVersion: 1, draft: { name: 'x', description: '', nodes: [], links: [] } }, o)],
          ['deleteGraph', () => client.deleteGraph({ graphId: a.graphId }, o)],
          ['executeGraph', () => client.executeGraph({ graphId: a.graphId, graphVersion: 0, inputs: {} }, o)],
          ['getExecution', () => client.getExecution({ executionId: a.executionId }, o)],
          ['cancelExecution', () => client.cancelExecution({ executionId: a.executionId }, o)],
          ['listExecutionEvents', () => client.listExecutionEvents({ executionId: a.executionId }, o)],
        ];
        for (const [name, fn] of calls) {
          const outcome = await fn().then(
            (res) => ({ name, code: 'OK', res }),
            (err: { code?: string }) => ({ name, code: err.code }),
          );
          expect(outcome).toEqual({ name, code: 'NOT_FOUND' });
        }
        const graphs = await client.listGraphs({ page: undefined, query: '', sort: '' }, o);
        expect(graphs.items.map((g) => g.id)).toEqual([b.graphId]);
        const execs = await client.listExecutions({ page: undefined, graphId: a.graphId, status: '' }, o);
        expect(execs.items).toEqual([]);
      }
    } finally {
      client.close();
    }
  });

  it("left A's resources as they were", async () => {
    const graph = await call(base, 'GET', `/api/v1/graphs/${a.graphId}`, { token: a.token });
    expect(graph.json).toMatchObject({ version: 1, name: 'Greeting' });
    expect((await call(base, 'GET', `/api/v1/executions/${a.executionId}`, { token: a.token })).json.status).toBe('COMPLETED');
    const members = await call(base, 'GET', `/api/v1/tenants/${a.tenantId}/members`, { token: a.token });
    expect(members.json.items).toEqual([expect.objectContaining({ userId: a.userId, role: 'owner' })]);
    const invitations = await call(base, 'GET', `/api/v1/tenants/${a.tenantId}/invitations`, { token: a.token });
    expect(invitations.json.items).toEqual([expect.objectContaining({ id: a.invitationId, status: 'pending' })]);
    expect((await call(base, 'GET', `/api/v1/api-keys/${a.keyId}`, { token: a.token })).json.revokedAt).toBeUndefined();
    expect((await call(base, 'GET', `/api/v1/files/${a.fileId}`, { token: a.token })).status).toBe(200);
    expect((await call(base, 'GET', '/api/v1/files', { token: b.token })).json.items).toEqual([]);
    expect((await call(base, 'GET', '/api/v1/credentials', { token: a.token })).json.items).toEqual([expect.objectContaining({ id: a.credentialId, status: 'active' })]);
    expect((await call(base, 'GET', `/api/v1/schedules/${a.scheduleId}`, { token: a.token })).json).toMatchObject({ id: a.scheduleId, paused: false });
    expect((await call(base, 'GET', '/api/v1/webhook-triggers', { token: a.token })).json.items.map((t: { id: string }) => t.id)).toEqual([a.triggerId]);
    expect((await call(base, 'GET', `/api/v1/store/my/listings/${a.pendingListingId}`, { token: a.token })).json).toMatchObject({ name: 'Pending of A', latestVersion: 1 });
    expect((await call(base, 'GET', `/api/v1/library/${a.libraryId}`, { token: a.token })).json.presets.map((p: { id: string }) => p.id)).toEqual([a.presetId]);
    expect((await call(base, 'GET', `/api/v1/tenants/${a.tenantId}/quotas`, { token: a.token })).json.quotas).toEqual({});
  });
});
