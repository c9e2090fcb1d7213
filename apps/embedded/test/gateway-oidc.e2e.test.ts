import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { greetingGraph, startTestPlatform, tempDataDir, waitForExecution } from './support';
import type { Platform } from '../src/platform';

/** An OIDC issuer (oauth2-mock-server, ESM-only, so in a child process) that mints tokens with the claims asked for. */
async function startIssuer() {
  const child: ChildProcess = fork(path.resolve(__dirname, '../../../services/gateway/test/support/oidc-provider.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (m: { url: string }) => resolve(m.url));
  });
  return {
    url,
    token: (claims: Record<string, unknown>, expiresIn?: number) =>
      new Promise<string>((resolve) => {
        child.once('message', (m: { token: string }) => resolve(m.token));
        child.send({ cmd: 'token', claims, expiresIn });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ cmd: 'stop' });
      }),
  };
}

describe('external OIDC mode: an issuer’s tokens, verified by its JWKS, mapped to tenant and roles', () => {
  const dataDir = tempDataDir();
  const saved = { ...process.env };
  let platform: Platform;
  let issuer: Awaited<ReturnType<typeof startIssuer>>;
  let other: Awaited<ReturnType<typeof startIssuer>>;

  const get = async (p: string, token: string, init: RequestInit = {}) => {
    const res = await fetch(platform.url + p, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
    return { status: res.status, json: (await res.json().catch(() => undefined)) as any };
  };

  beforeAll(async () => {
    [issuer, other] = await Promise.all([startIssuer(), startIssuer()]);
    Object.assign(process.env, { AGENTRY_OIDC_ISSUER: issuer.url, AGENTRY_OIDC_TENANT_CLAIM: 'org.tenant', AGENTRY_OIDC_ROLES_CLAIM: 'agentry_roles' });
    platform = await startTestPlatform(dataDir);
  });
  afterAll(async () => {
    await platform?.close();
    await issuer?.close();
    await other?.close();
    process.env = saved;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('maps claims to tenant and roles: a member runs graphs, a viewer only reads, tenants stay apart', async () => {
    const member = await issuer.token({ sub: 'alice', email: 'alice@idp.test', org: { tenant: 'acme' }, agentry_roles: ['member'] });
    expect((await get('/api/v1/me', member)).json).toMatchObject({ id: 'alice', email: 'alice@idp.test', tenantId: 'acme', roles: ['member'] });
    const graph = await get('/api/v1/graphs', member, { method: 'POST', body: JSON.stringify(greetingGraph()) });
    expect(graph.status).toBe(201);
    const run = await get(`/api/v1/graphs/${graph.json.id}/execute`, member, { method: 'POST', body: JSON.stringify({ inputs: { topic: 'oidc' } }) });
    expect((await waitForExecution(platform.url, member, run.json.executionId)).outputs).toEqual({ greeting: ['Hello oidc!'] });

    const viewer = await issuer.token({ sub: 'bob', org: { tenant: 'acme' }, agentry_roles: ['viewer'] });
    expect((await get(`/api/v1/graphs/${graph.json.id}`, viewer)).status).toBe(200);
    expect((await get('/api/v1/graphs', viewer, { method: 'POST', body: JSON.stringify(greetingGraph()) })).json.code).toBe('PERMISSION_DENIED');
    const noRole = await issuer.token({ sub: 'carol', org: { tenant: 'acme' } });
    expect((await get('/api/v1/me', noRole)).json.roles).toEqual(['viewer']);

    const elsewhere = await issuer.token({ sub: 'dave', org: { tenant: 'globex' }, agentry_roles: ['owner'] });
    expect((await get(`/api/v1/graphs/${graph.json.id}`, elsewhere)).status).toBe(404);
    // Local account management is the issuer's business.
    expect((await get('/api/v1/api-keys', member)).json.code).toBe('PERMISSION_DENIED');
  });

  it('refuses tokens of another issuer key, expired ones and ones without a tenant', async () => {
    // Same claims, signed by a different issuer that pretends to be the trusted one.
    const forged = await other.token({ iss: issuer.url, sub: 'mallory', org: { tenant: 'acme' }, agentry_roles: ['owner'] });
    expect((await get('/api/v1/me', forged)).status).toBe(401);
    const expired = await issuer.token({ sub: 'alice', org: { tenant: 'acme' } }, -60);
    expect((await get('/api/v1/me', expired)).json.code).toBe('TOKEN_EXPIRED');
    const tenantless = await issuer.token({ sub: 'alice' });
    expect((await get('/api/v1/me', tenantless)).status).toBe(401);
    const [h, p] = (await issuer.token({ sub: 'alice', org: { tenant: 'acme' } })).split('.');
    const none = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(h, 'base64url').toString()), alg: 'none' })).toString('base64url')}.${p}.`;
    expect((await get('/api/v1/me', none)).status).toBe(401);
  });
});
