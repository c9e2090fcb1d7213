import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRegistry } from '@agentry/blocks';
import { createSqliteEventLog, type SqliteEventLog } from '@agentry/event-log/src/sqlite';
import { connect } from '@agentry/grpc';
import { createLogger } from '@agentry/observability';
import { integrationV1 } from '@agentry/proto-ts';
import { BUILT_IN_PROVIDERS, loadSecretBox, startIntegrationService } from '../src';
import { LIST_BACKENDS } from './support/read-models';
import { startMockProvider, type MockProvider } from './support/oauth-provider';

/**
 * Blocks declare the OAuth scopes they need: a connection started for them asks for those scopes, the scopes the
 * provider grants are stored, and a credential that lacks one is refused for that block with the scopes to add.
 */
describe.each(LIST_BACKENDS)('OAuth scopes per block, against oauth2-mock-server ($name)', ({ open }) => {
  const readModels = open();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-oauth-scopes-'));
  const registry = createRegistry();
  const blockNamed = (name: string) => registry.list().find((b) => b.name === name)!;
  const gmailSend = blockNamed('GmailSendBlock');
  const gmailRead = blockNamed('GmailReadBlock');
  const github = registry.list().find((b) => b.credentials?.providers.includes('github'))!;
  const SEND = gmailSend.credentials!.scopes![0];
  const READ = gmailRead.credentials!.scopes![0];
  const googleDefaults = BUILT_IN_PROVIDERS.find((p) => p.name === 'google')!.defaultScopes;
  const caller = { tenantId: 'tenant-s', userId: 'sam', roles: [] };
  const redirectUri = 'http://127.0.0.1:9/api/v1/oauth/callback';
  let log: SqliteEventLog;
  let provider: MockProvider;
  let service: Awaited<ReturnType<typeof startIntegrationService>>;
  let client: ReturnType<typeof connect<integrationV1.IntegrationServiceClient>>;
  let now = new Date('2026-04-01T09:00:00Z');

  beforeAll(async () => {
    provider = await startMockProvider();
    log = createSqliteEventLog({ path: path.join(dir, 'events.db') });
    service = await startIntegrationService({
      events: log.events,
      box: loadSecretBox({ dataDir: dir, production: false }),
      logger: createLogger({ name: 'test', level: 'silent' }),
      clock: { now: () => now },
      readModels,
      // The built-in Google provider, pointed at the mock (as AGENTRY_OAUTH_GOOGLE_AUTHORIZE_URL/_TOKEN_URL would).
      oauth: { providers: { google: { clientId: 'agentry-google', clientSecret: 'google-secret-1a2b3c', authorizeUrl: `${provider.url}/authorize`, tokenUrl: `${provider.url}/token` } } },
    });
    client = connect(integrationV1.IntegrationServiceClient, service.address);
  });
  afterAll(async () => {
    client.close();
    await service.close();
    await readModels?.close();
    await log.close();
    await provider.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function connectGoogle(input: { scopes?: string[]; blockIds?: string[]; title: string }) {
    const started = await client.startOAuth({ caller, provider: 'google', scopes: input.scopes ?? [], blockIds: input.blockIds ?? [], redirectUri, title: input.title });
    const res = await fetch(started.authorizationUrl, { redirect: 'manual' });
    const back = new URL(res.headers.get('location')!);
    const done = await client.completeOAuth({ state: back.searchParams.get('state')!, code: back.searchParams.get('code')!, error: '' });
    return { started, credential: done.credential! };
  }
  const resolveFor = (credentialId: string, block: { name: string; credentials?: { scopes?: string[] } }) =>
    client.resolveCredential({ tenantId: caller.tenantId, credentialId, purpose: 'test', requiredScopes: block.credentials?.scopes ?? [], blockName: block.name });

  it('asks for the provider defaults, the explicit scopes and the blocks\' scopes, once each, and stores what was granted', async () => {
    const { started, credential } = await connectGoogle({ scopes: ['email', 'profile'], blockIds: [gmailSend.id, gmailRead.id, gmailSend.id], title: 'all of Gmail' });
    const expected = [...googleDefaults, 'profile', SEND, READ];
    expect(started.scopes).toEqual(expected);
    expect(new URL(started.authorizationUrl).searchParams.get('scope')).toBe(expected.join(' '));
    expect((await provider.stats()).lastRequestedScope).toBe(expected.join(' '));
    expect(credential.scopes).toEqual(expected);
    const listed = await client.listCredentials({ caller, provider: 'google' });
    expect(listed.items.find((c) => c.id === credential.id)!.scopes).toEqual(expected);
    // Both blocks may use it.
    expect((await resolveFor(credential.id, gmailSend)).secret!.accessToken).toEqual(expect.any(String));
    expect((await resolveFor(credential.id, gmailRead)).credential!.id).toBe(credential.id);
  });

  it('refuses a credential for a block whose scope the user did not grant, naming the missing scope, and serves the blocks it covers', async () => {
    await provider.denyScopes([SEND]);
    const { started, credential } = await connectGoogle({ blockIds: [gmailSend.id, gmailRead.id], title: 'read only Gmail' });
    await provider.denyScopes([]);
    expect(started.scopes).toEqual([...googleDefaults, SEND, READ]);
    expect(credential.scopes).toEqual([...googleDefaults, READ]);

    const err = await resolveFor(credential.id, gmailSend).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'INVALID_CREDENTIALS',
      details: { reconnect: true, reason: 'missing_scopes', credentialId: credential.id, provider: 'google', missingScopes: [SEND], requiredScopes: [SEND] },
    });
    const message = (err as Error).message;
    expect(message).toMatch(/^reconnect required/);
    expect(message).toContain(SEND);
    expect(message).toContain('GmailSendBlock');
    expect(message).toContain('read only Gmail');
    // The connection itself is fine: it still serves the block it covers and stays active.
    expect((await resolveFor(credential.id, gmailRead)).credential!.status).toBe('active');
    // Reconnecting for the block (the user grants everything this time) gives a credential that works.
    const again = await connectGoogle({ blockIds: [gmailSend.id], title: 'Gmail send' });
    expect(again.credential.scopes).toEqual(expect.arrayContaining([SEND]));
    expect((await resolveFor(again.credential.id, gmailSend)).credential!.id).toBe(again.credential.id);
  });

  it('keeps the granted scopes the provider reports on refresh', async () => {
    const { credential } = await connectGoogle({ blockIds: [gmailRead.id], title: 'refreshing Gmail' });
    now = new Date(now.getTime() + 3600_000);
    const refreshed = await resolveFor(credential.id, gmailRead);
    expect(refreshed.credential!.expiresAt).toBe(new Date(now.getTime() + 3600_000).toISOString());
    expect(refreshed.credential!.scopes).toEqual([...googleDefaults, READ]);
    await expect(resolveFor(credential.id, gmailSend)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS', details: { missingScopes: [SEND] } });
  });

  it('refuses to start for unknown blocks and blocks of another provider, every problem at once', async () => {
    const err = await client.startOAuth({ caller, provider: 'google', scopes: [], blockIds: [gmailSend.id, 'no-such-block', github.id], redirectUri, title: '' }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { errors: { 'blockIds[1]': "unknown block 'no-such-block'", 'blockIds[2]': `block ${github.name} does not use a google connection` } },
    });
    expect(Object.keys((err as { details: { errors: object } }).details.errors)).toHaveLength(2);
  });
});
