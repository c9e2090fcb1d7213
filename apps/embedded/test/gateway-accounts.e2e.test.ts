import fs from 'node:fs';
import { startFakeSmtp, type FakeSmtpServer } from '@agentry/testing';
import { ADMIN, greetingGraph, startTestPlatform, tempDataDir, waitForExecution } from './support';
import type { Platform } from '../src/platform';

interface Reply {
  status: number;
  headers: Headers;
  json: any;
}

async function call(base: string, method: string, path: string, opts: { body?: unknown; token?: string; apiKey?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.apiKey) headers['x-api-key'] = opts.apiKey;
  const res = await fetch(base + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

/** The newest mail to an address, and the token of the given prefix inside it. */
function tokenFromMail(smtp: FakeSmtpServer, to: string, prefix: string): string {
  const mail = [...smtp.messages].reverse().find((m) => m.to.includes(to));
  const match = mail?.raw.replace(/=\r?\n/g, '').match(new RegExp(`${prefix}_[A-Za-z0-9_-]{20,}`));
  if (!match) throw new Error(`no ${prefix} token mailed to ${to}`);
  return match[0];
}

describe('gateway accounts: tokens, sessions, sign-up, password reset, tenants, roles, invitations, API keys', () => {
  const dataDir = tempDataDir();
  let platform: Platform;
  let smtp: FakeSmtpServer;
  let base: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    smtp = await startFakeSmtp();
    Object.assign(process.env, { AGENTRY_SMTP_HOST: smtp.host, AGENTRY_SMTP_PORT: String(smtp.port), AGENTRY_SIGNUP: 'open' });
    platform = await startTestPlatform(dataDir);
    base = platform.url;
  });
  afterAll(async () => {
    await platform?.close();
    await smtp?.close();
    process.env = saved;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs in with a refresh token that rotates, and a reused one revokes the session', async () => {
    const login = await call(base, 'POST', '/api/v1/auth/login', { body: ADMIN });
    expect(login.status).toBe(200);
    expect(login.json).toMatchObject({ tokenType: 'Bearer', refreshToken: expect.stringMatching(/^agrt_/) });

    const first = await call(base, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: login.json.refreshToken } });
    expect(first.status).toBe(200);
    expect(first.json.refreshToken).not.toBe(login.json.refreshToken);
    expect((await call(base, 'GET', '/api/v1/me', { token: first.json.accessToken })).status).toBe(200);

    // The rotated-away token is refused, and presenting it again ends the whole session (its newest tokens too).
    const reuse = await call(base, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: login.json.refreshToken } });
    expect(reuse.status).toBe(401);
    expect((await call(base, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: first.json.refreshToken } })).status).toBe(401);
    expect((await call(base, 'GET', '/api/v1/me', { token: first.json.accessToken })).json.code).toBe('UNAUTHENTICATED');
  });

  it('logs out: the refresh token and the access tokens of its session stop working', async () => {
    const login = await call(base, 'POST', '/api/v1/auth/login', { body: ADMIN });
    expect((await call(base, 'POST', '/api/v1/auth/logout', { body: { refreshToken: login.json.refreshToken } })).status).toBe(200);
    expect((await call(base, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: login.json.refreshToken } })).status).toBe(401);
    expect((await call(base, 'GET', '/api/v1/me', { token: login.json.accessToken })).status).toBe(401);
  });

  it('publishes its keys as JWKS and keeps old tokens valid across a key rotation', async () => {
    const login = await call(base, 'POST', '/api/v1/auth/login', { body: ADMIN });
    const oldKid = JSON.parse(Buffer.from(login.json.accessToken.split('.')[0], 'base64url').toString()).kid;
    const before = await call(base, 'GET', '/.well-known/jwks.json');
    expect(before.json.keys.map((k: { kid: string }) => k.kid)).toContain(oldKid);

    const rotated = await call(base, 'POST', '/api/v1/admin/signing-keys/rotate', { token: login.json.accessToken });
    expect(rotated.status).toBe(200);
    expect(rotated.json.kid).not.toBe(oldKid);
    const after = await call(base, 'GET', '/.well-known/jwks.json');
    expect(after.json.keys.map((k: { kid: string }) => k.kid)).toEqual(expect.arrayContaining([oldKid, rotated.json.kid]));

    const fresh = await call(base, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: login.json.refreshToken } });
    expect(JSON.parse(Buffer.from(fresh.json.accessToken.split('.')[0], 'base64url').toString()).kid).toBe(rotated.json.kid);
    expect((await call(base, 'GET', '/api/v1/me', { token: login.json.accessToken })).status).toBe(200);
    expect((await call(base, 'GET', '/api/v1/me', { token: fresh.json.accessToken })).status).toBe(200);
  });

  it('resets a forgotten password with an emailed token, once', async () => {
    const email = 'forgetful@example.test';
    const signup = await call(base, 'POST', '/api/v1/auth/signup', { body: { email, password: 'first-password' } });
    expect(signup.status).toBe(201);
    // Same answer for an unknown address: nobody learns who has an account.
    expect((await call(base, 'POST', '/api/v1/auth/password-reset', { body: { email: 'nobody@example.test' } })).status).toBe(202);
    expect((await call(base, 'POST', '/api/v1/auth/password-reset', { body: { email } })).status).toBe(202);
    const token = tokenFromMail(smtp, email, 'agr');

    expect((await call(base, 'POST', '/api/v1/auth/password-reset/confirm', { body: { token, password: 'second-password' } })).status).toBe(200);
    expect((await call(base, 'POST', '/api/v1/auth/password-reset/confirm', { body: { token, password: 'third-password' } })).json.code).toBe('NOT_FOUND');
    expect((await call(base, 'POST', '/api/v1/auth/login', { body: { email, password: 'first-password' } })).status).toBe(401);
    expect((await call(base, 'POST', '/api/v1/auth/login', { body: { email, password: 'second-password' } })).status).toBe(200);
    // The sessions from before the reset are over.
    expect((await call(base, 'GET', '/api/v1/me', { token: signup.json.accessToken })).status).toBe(401);
  });

  it('runs tenants with members, roles and invitations; viewers cannot write', async () => {
    const owner = await call(base, 'POST', '/api/v1/auth/signup', { body: { email: 'owner@team.test', password: 'owner-password', tenantName: 'Team' } });
    const tenantId = owner.json.tenantId as string;
    const ownerToken = owner.json.accessToken as string;

    // An unknown email is invited (the token is mailed, and shown once to the inviter).
    const invited = await call(base, 'POST', `/api/v1/tenants/${tenantId}/invitations`, { token: ownerToken, body: { email: 'viewer@team.test', role: 'viewer' } });
    expect(invited.status).toBe(201);
    expect(tokenFromMail(smtp, 'viewer@team.test', 'agi')).toBe(invited.json.token);
    const listed = await call(base, 'GET', `/api/v1/tenants/${tenantId}/invitations`, { token: ownerToken });
    expect(listed.json.items).toEqual([expect.objectContaining({ email: 'viewer@team.test', status: 'pending' })]);
    expect(listed.json.items[0]).not.toHaveProperty('token');

    const joined = await call(base, 'POST', '/api/v1/invitations/accept', { body: { token: invited.json.token, password: 'viewer-password' } });
    expect(joined.status).toBe(200);
    expect(joined.json.tenantId).toBe(tenantId);
    expect((await call(base, 'POST', '/api/v1/invitations/accept', { body: { token: invited.json.token, password: 'viewer-password' } })).status).toBe(404);
    const viewer = joined.json.accessToken as string;

    const members = await call(base, 'GET', `/api/v1/tenants/${tenantId}/members`, { token: viewer });
    expect(members.json.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ email: 'owner@team.test', role: 'owner' }), expect.objectContaining({ email: 'viewer@team.test', role: 'viewer' })]),
    );

    // The owner's graph is readable by the viewer, not writable or runnable.
    const graph = await call(base, 'POST', '/api/v1/graphs', { token: ownerToken, body: greetingGraph() });
    expect(graph.status).toBe(201);
    expect((await call(base, 'GET', `/api/v1/graphs/${graph.json.id}`, { token: viewer })).status).toBe(200);
    for (const [method, path, body] of [
      ['POST', '/api/v1/graphs', greetingGraph()],
      ['PUT', `/api/v1/graphs/${graph.json.id}`, { ...greetingGraph(), baseVersion: 1 }],
      ['DELETE', `/api/v1/graphs/${graph.json.id}`, undefined],
      ['POST', `/api/v1/graphs/${graph.json.id}/execute`, { inputs: { topic: 'x' } }],
      ['POST', `/api/v1/tenants/${tenantId}/invitations`, { email: 'x@team.test' }],
    ] as const) {
      const res = await call(base, method, path, { token: viewer, body });
      expect({ method, path, status: res.status, code: res.json?.code }).toEqual({ method, path, status: 403, code: 'PERMISSION_DENIED' });
    }

    // Promoted to member, the same account may run the graph (roles are read on every request, not from the token).
    const viewerId = members.json.items.find((m: { email: string }) => m.email === 'viewer@team.test').userId;
    expect((await call(base, 'PATCH', `/api/v1/tenants/${tenantId}/members/${viewerId}`, { token: ownerToken, body: { role: 'member' } })).json.role).toBe('member');
    const run = await call(base, 'POST', `/api/v1/graphs/${graph.json.id}/execute`, { token: viewer, body: { inputs: { topic: 'team' } } });
    expect(run.status).toBe(202);
    expect((await waitForExecution(base, viewer, run.json.executionId)).outputs).toEqual({ greeting: ['Hello team!'] });

    // A tenant keeps an owner; removed members lose access at once.
    const ownerId = members.json.items.find((m: { email: string }) => m.email === 'owner@team.test').userId;
    expect((await call(base, 'DELETE', `/api/v1/tenants/${tenantId}/members/${ownerId}`, { token: ownerToken })).json.code).toBe('INVALID_TRANSITION');
    expect((await call(base, 'DELETE', `/api/v1/tenants/${tenantId}/members/${viewerId}`, { token: ownerToken })).status).toBe(204);
    expect((await call(base, 'GET', `/api/v1/graphs/${graph.json.id}`, { token: viewer })).status).toBe(401);
  });

  it('adds an existing account to another tenant, which it can switch into', async () => {
    const a = await call(base, 'POST', '/api/v1/auth/signup', { body: { email: 'a@multi.test', password: 'a-password-1' } });
    const b = await call(base, 'POST', '/api/v1/auth/signup', { body: { email: 'b@multi.test', password: 'b-password-1' } });
    const added = await call(base, 'POST', `/api/v1/tenants/${a.json.tenantId}/members`, { token: a.json.accessToken, body: { email: 'b@multi.test', role: 'admin' } });
    expect(added.status).toBe(201);
    const tenants = await call(base, 'GET', '/api/v1/tenants', { token: b.json.accessToken });
    expect(tenants.json.items.map((t: { id: string }) => t.id).sort()).toEqual([a.json.tenantId, b.json.tenantId].sort());
    const switched = await call(base, 'POST', '/api/v1/auth/switch-tenant', { token: b.json.accessToken, body: { tenantId: a.json.tenantId } });
    expect(switched.status).toBe(200);
    expect((await call(base, 'GET', '/api/v1/me', { token: switched.json.accessToken })).json).toMatchObject({ tenantId: a.json.tenantId, roles: ['admin'] });
    const stranger = await call(base, 'POST', '/api/v1/auth/signup', { body: { email: 'c@multi.test', password: 'c-password-1' } });
    expect((await call(base, 'POST', '/api/v1/auth/switch-tenant', { token: stranger.json.accessToken, body: { tenantId: a.json.tenantId } })).status).toBe(404);
  });

  it('issues scoped API keys, shown once, stored hashed, listed with last use, revocable', async () => {
    const login = await call(base, 'POST', '/api/v1/auth/login', { body: ADMIN });
    const token = login.json.accessToken as string;
    const created = await call(base, 'POST', '/api/v1/api-keys', { token, body: { name: 'ci', scopes: ['graphs:read', 'executions:write'] } });
    expect(created.status).toBe(201);
    const key = created.json.key as string;
    expect(key).toMatch(/^agk_/);

    const listed = await call(base, 'GET', '/api/v1/api-keys', { token });
    const entry = listed.json.items.find((k: { id: string }) => k.id === created.json.id);
    expect(entry).toMatchObject({ name: 'ci', scopes: ['executions:write', 'graphs:read'], prefix: key.slice(0, 12) });
    expect(entry).not.toHaveProperty('key');
    expect(entry.lastUsedAt).toBeUndefined();
    // Stored hashed: the key appears nowhere in the event log.
    const db = fs.readdirSync(dataDir).filter((f) => f.startsWith('agentry.db'));
    for (const f of db) expect(fs.readFileSync(`${dataDir}/${f}`).includes(Buffer.from(key.slice(4)))).toBe(false);

    expect((await call(base, 'GET', '/api/v1/graphs', { apiKey: key })).status).toBe(200);
    const graph = await call(base, 'POST', '/api/v1/graphs', { token, body: greetingGraph() });
    expect((await call(base, 'POST', '/api/v1/graphs', { apiKey: key, body: greetingGraph() })).json.code).toBe('PERMISSION_DENIED');
    const run = await call(base, 'POST', `/api/v1/graphs/${graph.json.id}/execute`, { apiKey: key, body: { inputs: { topic: 'key' } } });
    expect(run.status).toBe(202);
    // executions:write includes executions:read.
    expect((await call(base, 'GET', `/api/v1/executions/${run.json.executionId}`, { apiKey: key })).status).toBe(200);
    // Keys do not manage keys.
    expect((await call(base, 'GET', '/api/v1/api-keys', { apiKey: key })).status).toBe(403);

    const used = await call(base, 'GET', `/api/v1/api-keys/${created.json.id}`, { token });
    expect(used.json.lastUsedAt).toEqual(expect.any(String));

    expect((await call(base, 'DELETE', `/api/v1/api-keys/${created.json.id}`, { token })).status).toBe(204);
    const after = await call(base, 'GET', '/api/v1/graphs', { apiKey: key });
    expect(after.status).toBe(401);
    expect((await call(base, 'GET', `/api/v1/api-keys/${created.json.id}`, { token })).json.revokedAt).toEqual(expect.any(String));

    // Lists are cursor-paginated and filterable.
    for (const name of ['p1', 'p2', 'p3']) await call(base, 'POST', '/api/v1/api-keys', { token, body: { name, scopes: ['graphs:read'] } });
    const all = (await call(base, 'GET', '/api/v1/api-keys?status=active&limit=200', { token })).json.items.map((k: { id: string }) => k.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = await call(base, 'GET', `/api/v1/api-keys?status=active&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token });
      seen.push(...page.json.items.map((k: { id: string }) => k.id));
      cursor = page.json.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(all);
    expect((await call(base, 'GET', '/api/v1/api-keys?status=revoked', { token })).json.items.map((k: { id: string }) => k.id)).toContain(created.json.id);
    expect((await call(base, 'GET', '/api/v1/api-keys?cursor=bm9wZQ', { token })).json.code).toBe('VALIDATION_FAILED');
  });

  it('rebuilds accounts, sessions, keys and memberships from the event log on restart', async () => {
    const login = await call(base, 'POST', '/api/v1/auth/login', { body: ADMIN });
    const key = (await call(base, 'POST', '/api/v1/api-keys', { token: login.json.accessToken, body: { name: 'durable', scopes: ['tenant:read'] } })).json.key as string;
    const revoked = (await call(base, 'POST', '/api/v1/api-keys', { token: login.json.accessToken, body: { name: 'gone', scopes: ['tenant:read'] } })).json;
    await call(base, 'DELETE', `/api/v1/api-keys/${revoked.id}`, { token: login.json.accessToken });
    await platform.close();
    platform = await startTestPlatform(dataDir);
    base = platform.url;

    expect((await call(base, 'GET', '/api/v1/me', { apiKey: key })).status).toBe(200);
    expect((await call(base, 'GET', '/api/v1/me', { apiKey: revoked.key })).status).toBe(401);
    expect((await call(base, 'GET', '/api/v1/me', { token: login.json.accessToken })).status).toBe(200);
    const refreshed = await call(base, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: login.json.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect((await call(base, 'POST', '/api/v1/auth/login', { body: { email: 'forgetful@example.test', password: 'second-password' } })).status).toBe(200);
    const b = await call(base, 'POST', '/api/v1/auth/login', { body: { email: 'b@multi.test', password: 'b-password-1' } });
    expect((await call(base, 'GET', '/api/v1/tenants', { token: b.json.accessToken })).json.items).toHaveLength(2);
  });
});
