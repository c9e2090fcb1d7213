import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteEventLog, type SqliteEventLog } from '@agentry/event-log/src/sqlite';
import { connect } from '@agentry/grpc';
import { createLogger } from '@agentry/observability';
import { integrationV1 } from '@agentry/proto-ts';
import { BUILT_IN_PROVIDERS, loadSecretBox, startIntegrationService } from '../src';
import { LIST_BACKENDS } from './support/read-models';
import { startMockProvider, type MockProvider } from './support/oauth-provider';

describe.each(LIST_BACKENDS)('OAuth2 against oauth2-mock-server ($name)', ({ open }) => {
  const readModels = open();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-oauth-'));
  let log: SqliteEventLog;
  let provider: MockProvider;
  let service: Awaited<ReturnType<typeof startIntegrationService>>;
  let client: ReturnType<typeof connect<integrationV1.IntegrationServiceClient>>;
  let now = new Date('2026-03-01T12:00:00Z');
  const caller = { tenantId: 'tenant-o', userId: 'ursula', roles: [] };
  const redirectUri = 'http://127.0.0.1:9/api/v1/oauth/callback';

  beforeAll(async () => {
    provider = await startMockProvider();
    log = createSqliteEventLog({ path: path.join(dir, 'events.db') });
    service = await startIntegrationService({
      events: log.events,
      box: loadSecretBox({ dataDir: dir, production: false }),
      logger: createLogger({ name: 'test', level: 'silent' }),
      clock: { now: () => now },
      readModels,
    });
    client = connect(integrationV1.IntegrationServiceClient, service.address);
    await client.registerOAuthProvider({
      caller,
      name: 'mock',
      displayName: 'Mock IdP',
      authorizeUrl: `${provider.url}/authorize`,
      tokenUrl: `${provider.url}/token`,
      revokeUrl: `${provider.url}/revoke`,
      defaultScopes: ['read'],
      pkce: true,
      clientId: 'agentry-test',
      clientSecret: 'client-secret-7f3a9c',
    });
  });
  afterAll(async () => {
    client.close();
    await service.close();
    await readModels?.close();
    await log.close();
    await provider.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Start → follow the provider's redirect → the callback's state and code → complete. */
  async function connectAccount(title: string) {
    const started = await client.startOAuth({ caller, provider: 'mock', scopes: ['read', 'write'], redirectUri, title, blockIds: [] });
    const authorize = new URL(started.authorizationUrl);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('state')).toBe(started.state);
    const res = await fetch(started.authorizationUrl, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
    expect(back.searchParams.get('state')).toBe(started.state);
    const done = await client.completeOAuth({ state: back.searchParams.get('state')!, code: back.searchParams.get('code')!, error: '' });
    return { state: started.state, code: back.searchParams.get('code')!, credential: done.credential! };
  }

  it('lists the built-in registry and the tenant-added provider, without client secrets', async () => {
    const { items } = await client.listOAuthProviders({ caller });
    const names = items.map((p) => p.name);
    for (const p of ['github', 'google', 'microsoft', 'notion', 'linear', 'discord', 'twitter', 'reddit', 'hubspot', 'airtable', 'slack']) expect(names).toContain(p);
    expect(BUILT_IN_PROVIDERS).toHaveLength(11);
    expect(items.find((p) => p.name === 'mock')).toMatchObject({ tenantOwned: true, configured: true, pkce: true });
    expect(items.find((p) => p.name === 'github')).toMatchObject({ configured: false });
    expect(JSON.stringify(items)).not.toContain('client-secret-7f3a9c');
    // Another tenant does not see it.
    const other = await client.listOAuthProviders({ caller: { ...caller, tenantId: 'tenant-x' } });
    expect(other.items.map((p) => p.name)).not.toContain('mock');
  });

  it('connects with code + PKCE + state, stores tokens encrypted and refuses a replayed callback', async () => {
    const { state, code, credential } = await connectAccount('work account');
    expect(credential).toMatchObject({ provider: 'mock', type: 'oauth2', title: 'work account', status: 'active' });
    expect(Date.parse(credential.expiresAt)).toBe(now.getTime() + 3600_000);
    const resolved = await client.resolveCredential({ tenantId: caller.tenantId, credentialId: credential.id, purpose: 'test', requiredScopes: [], blockName: '' });
    const token = String(resolved.secret!.accessToken);
    expect(token.split('.')).toHaveLength(3);
    expect(JSON.stringify(await log.events.readAll())).not.toContain(token);
    await expect(client.completeOAuth({ state, code, error: '' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/already used/) });
    await expect(client.completeOAuth({ state: 'forged', code, error: '' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/unknown state/) });
    expect((await provider.stats()).authorizationCode).toBe(1);
  });

  it('refreshes ahead of expiry once for two concurrent resolves, then surfaces a revoked refresh token as "reconnect"', async () => {
    const { credential } = await connectAccount('refreshing');
    const first = await client.resolveCredential({ tenantId: caller.tenantId, credentialId: credential.id, purpose: 'a', requiredScopes: [], blockName: '' });
    const before = (await provider.stats()).refresh;
    now = new Date(now.getTime() + 3600_000 - 30_000); // 30 s before expiry: inside the refresh skew
    const [a, b] = await Promise.all([
      client.resolveCredential({ tenantId: caller.tenantId, credentialId: credential.id, purpose: 'a', requiredScopes: [], blockName: '' }),
      client.resolveCredential({ tenantId: caller.tenantId, credentialId: credential.id, purpose: 'b', requiredScopes: [], blockName: '' }),
    ]);
    expect((await provider.stats()).refresh).toBe(before + 1);
    expect(a.secret!.accessToken).toBe(b.secret!.accessToken);
    // (The mock signs identical claims within one second, so the new token may equal the old one: compare expiries.)
    expect(first.credential!.expiresAt).not.toBe(a.credential!.expiresAt);
    expect(a.credential!.expiresAt).toBe(new Date(now.getTime() + 3600_000).toISOString());

    provider.failRefresh(true);
    now = new Date(now.getTime() + 3600_000);
    const err = await client.resolveCredential({ tenantId: caller.tenantId, credentialId: credential.id, purpose: 'c', requiredScopes: [], blockName: '' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_CREDENTIALS', message: expect.stringMatching(/^reconnect required/), details: { reconnect: true, credentialId: credential.id } });
    provider.failRefresh(false);
    const listed = await client.listCredentials({ caller, provider: 'mock' });
    expect(listed.items.find((c) => c.id === credential.id)!.status).toBe('reconnect_required');
  });

  it('revokes at the provider and then answers "reconnect"', async () => {
    const { credential } = await connectAccount('to revoke');
    const before = (await provider.stats()).revoke;
    const { credential: revoked } = await client.revokeCredential({ caller, credentialId: credential.id });
    expect(revoked!.status).toBe('revoked');
    expect((await provider.stats()).revoke).toBe(before + 1);
    await expect(client.resolveCredential({ tenantId: caller.tenantId, credentialId: credential.id, purpose: 'x', requiredScopes: [], blockName: '' })).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
      details: { reconnect: true, reason: 'it was revoked' },
    });
  });

  it('refuses to start with an unknown or unconfigured provider', async () => {
    await expect(client.startOAuth({ caller, provider: 'nope', scopes: [], redirectUri, title: '', blockIds: [] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(client.startOAuth({ caller, provider: 'github', scopes: [], redirectUri, title: '', blockIds: [] })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
