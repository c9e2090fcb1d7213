import fs from 'node:fs';
import path from 'node:path';
import { createPrivateKey, generateKeyPairSync, createHmac, createPublicKey } from 'node:crypto';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { ADMIN, greetingGraph, startTestPlatform, tempDataDir, waitForExecution } from './support';
import type { Platform } from '../src/platform';

const STACK = /\bat [\w.<>]+ \(|node_modules|\.ts:\d+|\.js:\d+:\d+/;
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('bad input: fuzzed requests to every route never crash, never leak, never store; bad tokens are refused', () => {
  const dataDir = tempDataDir();
  const saved = { ...process.env };
  let platform: Platform;
  let base: string;
  let token: string;
  let claims: { sub: string; tenant: string };
  let db: Database.Database;
  let operations: Array<{ method: string; path: string }>;

  const head = () => (db.prepare('SELECT COALESCE(MAX(global_position), 0) AS p FROM event_log').get() as { p: number }).p;
  const platformKey = () => createPrivateKey(fs.readFileSync(path.join(dataDir, 'keys', 'jwt-es256.pem'), 'utf8'));
  const kidOf = (t: string) => JSON.parse(Buffer.from(t.split('.')[0], 'base64url').toString()).kid as string;
  const sign = (payload: Record<string, unknown>, key = platformKey(), kid = kidOf(token)) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' }).setIssuer('agentry').setAudience('agentry-api').setSubject(String(payload.sub ?? claims.sub)).sign(key);

  beforeAll(async () => {
    // Generous limits: the fuzzer must reach the handlers, not the rate limiter.
    Object.assign(process.env, { AGENTRY_RATE_LIMIT_AUTH_PER_IP: '0', AGENTRY_RATE_LIMIT_PER_TENANT: '0' });
    platform = await startTestPlatform(dataDir);
    base = platform.url;
    const login = (await (await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) })).json()) as { accessToken: string };
    token = login.accessToken;
    claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const graph = (await (await fetch(`${base}/api/v1/graphs`, { method: 'POST', headers: auth, body: JSON.stringify(greetingGraph()) })).json()) as { id: string };
    const run = (await (await fetch(`${base}/api/v1/graphs/${graph.id}/execute`, { method: 'POST', headers: auth, body: '{"inputs":{"topic":"f"}}' })).json()) as { executionId: string };
    await waitForExecution(base, token, run.executionId);
    db = new Database(path.join(dataDir, 'agentry.db'), { readonly: true, fileMustExist: true });
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    operations = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path: p })));
  });
  afterAll(async () => {
    db?.close();
    await platform?.close();
    process.env = saved;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers random and malformed bodies, headers, query strings and tokens on every route with < 500 and no stack trace; rejected requests store nothing', async () => {
    const segment = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('..', '%', '%00', '00000000-0000-0000-0000-000000000000', 'x'.repeat(300), '🙂', '<script>', "' OR 1=1 --"));
    const forgedTokens = [
      'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      `${b64({ alg: 'none', typ: 'JWT' })}.${token.split('.')[1]}.`,
      `${token.split('.')[0]}.${b64({ ...claims, roles: ['owner'], tenant: 'other' })}.${token.split('.')[2]}`,
      `${token.slice(0, -4)}AAAA`,
    ];
    const authHeader = fc.oneof(
      fc.constant(undefined),
      fc.constant(`Bearer ${token}`),
      fc.constantFrom(...forgedTokens.map((t) => `Bearer ${t}`)),
      fc.string({ maxLength: 200 }).map((s) => `Bearer ${s}`),
      fc.string({ maxLength: 100 }),
      fc.constant(`Basic ${Buffer.from('a:b').toString('base64')}`),
    );
    const body = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 300 }),
      fc.constantFrom('{"name": ', '[[[[[[[[[[', '{"__proto__": {"admin": true}}', '{"constructor": {"prototype": {"x": 1}}}', 'null', '"x"', '1e309', '{"nodes": "not-an-array"}'),
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a).toString('latin1')),
    );
    const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-16', 'application/problem+json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', '', 'application/json; charset=nope');
    const query = fc.dictionary(fc.oneof(fc.constantFrom('limit', 'cursor', 'status', 'version', 'q', 'sort', 'graphId', 'from', 'to', '__proto__', 'constructor', 'a[b]', 'category'), fc.string({ maxLength: 8 })), fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('-1', '1e99', 'NaN', '999999999999', '2026-13-45')), { maxKeys: 4 });

    const request = fc.record({
      op: fc.constantFrom(...operations),
      segments: fc.array(segment, { minLength: 3, maxLength: 3 }),
      query,
      authorization: authHeader,
      apiKey: fc.option(fc.string({ maxLength: 80 }), { nil: undefined }),
      contentType,
      body,
      requestId: fc.option(fc.string({ maxLength: 200 }), { nil: undefined }),
    });

    let count = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        // Rotating the signing keys is a legitimate success that would retire the token the fuzzer uses.
        if (r.op.path.includes('signing-keys') && r.authorization === `Bearer ${token}`) return;
        let i = 0;
        const url = base + r.op.path.replace(/\{\w+\}/g, () => encodeURIComponent(r.segments[i++ % 3])) + (Object.keys(r.query).length ? `?${new URLSearchParams(r.query)}` : '');
        const headers: Record<string, string> = {};
        if (r.authorization !== undefined) headers.authorization = r.authorization;
        if (r.apiKey !== undefined) headers['x-api-key'] = r.apiKey;
        if (r.contentType) headers['content-type'] = r.contentType;
        if (r.requestId !== undefined) headers['x-request-id'] = r.requestId;
        const before = head();
        let res: Response;
        try {
          res = await fetch(url, { method: r.op.method, headers, body: ['GET', 'HEAD'].includes(r.op.method) ? undefined : r.body });
        } catch (err) {
          // fetch refuses to send some header values (invalid characters): nothing reached the server.
          if (err instanceof TypeError) return;
          throw err;
        }
        const text = await res.text();
        count++;
        expect({ url, method: r.op.method, status: res.status, text: text.slice(0, 300) }).toEqual({ url, method: r.op.method, status: expect.any(Number), text: expect.any(String) });
        expect({ route: `${r.op.method} ${r.op.path}`, status: res.status < 500, text: text.slice(0, 200) }).toEqual({ route: `${r.op.method} ${r.op.path}`, status: true, text: text.slice(0, 200) });
        if (res.status >= 400) {
          expect({ route: `${r.op.method} ${r.op.path}`, stackTrace: STACK.test(text) }).toEqual({ route: `${r.op.method} ${r.op.path}`, stackTrace: false });
          expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
          expect({ route: `${r.op.method} ${r.op.path}`, status: res.status, stored: head() - before }).toEqual({ route: `${r.op.method} ${r.op.path}`, status: res.status, stored: 0 });
        }
      }),
      { numRuns: 300, seed: Number(process.env.FUZZ_SEED ?? 20261125), endOnFailure: true },
    );
    expect(count).toBeGreaterThan(200);
  });

  it('refuses expired, forged (other key, alg none, HS256 with the public key), tampered and cross-tenant tokens', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ tenant: claims.tenant, roles: ['owner'] })
      .setProtectedHeader({ alg: 'ES256', kid: kidOf(token) })
      .setIssuer('agentry')
      .setAudience('agentry-api')
      .setSubject(claims.sub)
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(platformKey());
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const foreign = await sign({ tenant: claims.tenant, roles: ['owner'], sub: claims.sub }, otherKey);
    const none = `${b64({ alg: 'none', typ: 'JWT', kid: kidOf(token) })}.${token.split('.')[1]}.`;
    const publicPem = createPublicKey(platformKey()).export({ type: 'spki', format: 'pem' }).toString();
    const hsInput = `${b64({ alg: 'HS256', typ: 'JWT', kid: kidOf(token) })}.${token.split('.')[1]}`;
    const hs256 = `${hsInput}.${createHmac('sha256', publicPem).update(hsInput).digest('base64url')}`;
    const tampered = `${token.split('.')[0]}.${b64({ ...claims, roles: ['owner', 'admin'] })}.${token.split('.')[2]}`;
    // Properly signed, but naming a tenant the user does not belong to.
    const crossTenant = await sign({ tenant: '11111111-2222-3333-4444-555555555555', roles: ['owner'], sub: claims.sub });
    const unknownUser = await sign({ tenant: claims.tenant, roles: ['owner'], sub: 'nobody' });
    const cases = { expired, foreign, none, hs256, tampered, crossTenant, unknownUser, empty: '' };
    for (const [name, t] of Object.entries(cases)) {
      const res = await fetch(`${base}/api/v1/graphs`, { headers: { authorization: `Bearer ${t}` } });
      const problem = (await res.json()) as { code: string };
      expect({ name, status: res.status, code: problem.code }).toEqual({ name, status: 401, code: name === 'expired' ? 'TOKEN_EXPIRED' : 'UNAUTHENTICATED' });
    }
    // The same tokens cannot open a WebSocket either.
    for (const [name, t] of Object.entries(cases)) {
      const ws = new WebSocket(`${base.replace('http', 'ws')}/ws?token=${encodeURIComponent(t)}`);
      const status = await new Promise<number>((resolve) => {
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => resolve(-1));
      });
      ws.terminate();
      expect({ name, status }).toEqual({ name, status: 401 });
    }
    const ok = await fetch(`${base}/api/v1/graphs`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
  });
});
