import { Writable } from 'node:stream';
import fs from 'node:fs';
import { SERVICE_NAMES } from '@agentry/config';
import { connect } from '@agentry/grpc';
import { createLogger } from '@agentry/observability';
import { integrationV1 } from '@agentry/proto-ts';
import { hubSignature } from '@agentry/svc-integration';
import { startMockProvider, type MockProvider } from '@agentry/svc-integration/test/support/oauth-provider';
import { startPlatform, type Platform } from '../src/platform';
import { ADMIN, api, greetingGraph, login, tempDataDir, waitForExecution } from './support';

/**
 * Credentials, OAuth2, webhook triggers, schedules and notifications through the gateway's REST routes, on the whole
 * platform; every log line written meanwhile is captured and searched for every secret used.
 */
describe('integrations through REST on the whole platform', () => {
  const dataDir = tempDataDir();
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  const secretsUsed = new Set<string>([ADMIN.password]);
  let platform: Platform;
  let provider: MockProvider;
  let token: string;
  const call = (method: string, p: string, body?: unknown) => api(platform.url, method, p, body, token);

  beforeAll(async () => {
    provider = await startMockProvider();
    const env: NodeJS.ProcessEnv = { AGENTRY_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', AGENTRY_ADMIN_EMAIL: ADMIN.email, AGENTRY_ADMIN_PASSWORD: ADMIN.password };
    for (const s of SERVICE_NAMES) env[`AGENTRY_${s.toUpperCase().replace('-', '_')}_GRPC_PORT`] = '0';
    platform = await startPlatform(env, createLogger({ name: 'agentry', level: 'trace', destination: sink }));
    token = await login(platform.url);
    secretsUsed.add(token);
  }, 60000);
  afterAll(async () => {
    await platform?.close();
    await provider?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('credentials: the four types in, metadata only out, every problem at once', async () => {
    const secrets = { apiKey: 'sk-e2e-apikey-98765', password: 'e2e-pass-word-4321', header: 'Token e2e-host-scoped-24680' };
    Object.values(secrets).forEach((s) => secretsUsed.add(s));
    const made = [
      await call('POST', '/api/v1/credentials', { provider: 'openai', type: 'api_key', title: 'OpenAI', secret: { apiKey: secrets.apiKey } }),
      await call('POST', '/api/v1/credentials', { provider: 'imap', type: 'user_password', secret: { username: 'me', password: secrets.password } }),
      await call('POST', '/api/v1/credentials', { provider: 'intranet', type: 'host_scoped', secret: { host: 'api.intranet.test', headers: { authorization: secrets.header } } }),
    ];
    expect(made.map((r) => r.status)).toEqual([201, 201, 201]);
    const listed = await call('GET', '/api/v1/credentials');
    expect(listed.status).toBe(200);
    expect(listed.json.items).toHaveLength(3);
    for (const s of Object.values(secrets)) expect(JSON.stringify([made.map((m) => m.json), listed.json])).not.toContain(s);
    const bad = await call('POST', '/api/v1/credentials', { provider: 'x', type: 'host_scoped', secret: { host: 'bad host' } });
    expect(bad.status).toBe(400);
    expect(bad.json.errors).toMatchObject({ 'secret.host': expect.any(String), 'secret.headers': expect.any(String) });
    expect((await call('DELETE', `/api/v1/credentials/${made[1].json.id}`)).status).toBe(204);
    expect((await call('GET', '/api/v1/credentials')).json.items).toHaveLength(2);
    expect((await api(platform.url, 'GET', '/api/v1/credentials')).status).toBe(401);
  });

  it('OAuth2: a tenant-added provider, start → provider redirect → public callback → connected credential', async () => {
    const clientSecret = 'e2e-oauth-client-secret-1357';
    secretsUsed.add(clientSecret);
    const reg = await call('POST', '/api/v1/oauth/providers', {
      name: 'mockidp',
      authorizeUrl: `${provider.url}/authorize`,
      tokenUrl: `${provider.url}/token`,
      revokeUrl: `${provider.url}/revoke`,
      clientId: 'agentry-e2e',
      clientSecret,
    });
    expect(reg.status).toBe(201);
    const providers = await call('GET', '/api/v1/oauth/providers');
    expect(providers.json.items.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['github', 'slack', 'mockidp']));
    const start = await call('POST', '/api/v1/oauth/mockidp/start', { scopes: ['read'], title: 'My IdP' });
    expect(start.status).toBe(200);
    const toProvider = await fetch(start.json.authorizationUrl, { redirect: 'manual' });
    const callback = toProvider.headers.get('location')!;
    expect(callback.startsWith(`${platform.url}/api/v1/oauth/callback?`)).toBe(true);
    const done = await fetch(callback, { headers: { accept: 'application/json' } });
    expect(done.status).toBe(200);
    const body = (await done.json()) as { credential: { id: string; type: string; status: string } };
    expect(body.credential).toMatchObject({ type: 'oauth2', status: 'active' });
    const again = await fetch(callback, { headers: { accept: 'application/json' } });
    expect(again.status).toBe(400);

    const integration = connect(integrationV1.IntegrationServiceClient, platform.addresses.integration);
    const me = (await call('GET', '/api/v1/me')).json;
    const resolved = await integration.resolveCredential({ tenantId: me.tenantId, credentialId: body.credential.id, purpose: 'e2e', requiredScopes: [], blockName: '' });
    integration.close();
    secretsUsed.add(String(resolved.secret!.accessToken));
    secretsUsed.add(String(resolved.secret!.refreshToken));

    const revoked = await call('POST', `/api/v1/credentials/${body.credential.id}/revoke`);
    expect(revoked.json.status).toBe('revoked');
  });

  it('webhook: a signed delivery starts one execution with the payload; replay and bad signature start nothing', async () => {
    const pushGraph = greetingGraph();
    pushGraph.nodes[1].inputDefault.format = 'Hello {{ topic.repository.name }}!';
    const graph = (await call('POST', '/api/v1/graphs', pushGraph)).json;
    const created = await call('POST', '/api/v1/webhook-triggers', { graphId: graph.id, kind: 'github', events: ['push'], inputName: 'topic' });
    expect(created.status).toBe(201);
    const { secret, url } = created.json as { secret: string; url: string };
    secretsUsed.add(secret);
    expect(url).toBe(`${platform.url}/api/v1/webhooks/${created.json.id}`);
    expect(JSON.stringify((await call('GET', '/api/v1/webhook-triggers')).json)).not.toContain(secret);

    const body = JSON.stringify({ ref: 'refs/heads/main', repository: { name: 'webhook world' } });
    const deliver = (delivery: string, sig = hubSignature(secret, body), event = 'push') =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': delivery, 'x-hub-signature-256': sig }, body });
    const first = await deliver('gh-1');
    expect(first.status).toBe(202);
    const { executionId } = (await first.json()) as { executionId: string };
    const execution = await waitForExecution(platform.url, token, executionId);
    expect(execution).toMatchObject({ status: 'COMPLETED', outputs: { greeting: ['Hello webhook world!'] } });

    const replay = await deliver('gh-1');
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ outcome: 'duplicate', executionId });
    expect((await deliver('gh-2', hubSignature('not-the-secret', body))).status).toBe(401);
    expect((await deliver('gh-3', undefined, 'issues')).status).toBe(202);
    expect((await fetch(`${platform.url}/api/v1/webhooks/does-not-exist`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(404);
    const runs = await call('GET', `/api/v1/executions?graphId=${graph.id}`);
    expect(runs.json.items.map((e: { id: string }) => e.id)).toEqual([executionId]);

    // The execution's owner is told, in-app.
    let listed: { items: Array<{ id: string; type: string; data: { executionId: string } }>; unreadCount: number } | undefined;
    for (let i = 0; i < 200 && !listed?.items.some((n) => n.data.executionId === executionId); i++) {
      listed = (await call('GET', '/api/v1/notifications')).json;
      if (!listed!.items.some((n) => n.data.executionId === executionId)) await new Promise((r) => setTimeout(r, 25));
    }
    const mine = listed!.items.find((n) => n.data.executionId === executionId)!;
    expect(mine.type).toBe('execution_completed');
    expect((await call('GET', '/api/v1/notifications/unread-count')).json.unreadCount).toBeGreaterThan(0);
    expect((await call('POST', '/api/v1/notifications/read', { all: true })).json.unreadCount).toBe(0);
    const prefs = await call('PUT', '/api/v1/notifications/preferences', { types: { execution_completed: { inApp: true, email: 'daily' } } });
    expect(prefs.json.types.execution_completed).toEqual({ inApp: true, email: 'daily' });
    expect((await call('PUT', '/api/v1/notifications/preferences', { types: { execution_completed: { email: 'hourly' } } })).status).toBe(400);
    // The unsubscribe link needs no sign-in, but a forged token changes nothing.
    expect((await api(platform.url, 'GET', '/api/v1/notifications/unsubscribe?token=forged.token')).status).toBe(400);
  });

  it('schedules: preview, create, pause, resume, fires, delete; bad cron and zone refused with the reason', async () => {
    const preview = await call('GET', `/api/v1/schedules/preview?cron=${encodeURIComponent('0 9 * * *')}&timezone=Asia/Tokyo&count=3&from=2025-12-31T12:00:00Z`);
    expect(preview.json.runs).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z']);
    const graph = (await call('POST', '/api/v1/graphs', greetingGraph())).json;
    const bad = await call('POST', '/api/v1/schedules', { graphId: graph.id, cron: '99 * * * *', timezone: 'Atlantis/Capital' });
    expect(bad.status).toBe(400);
    expect(bad.json.errors).toMatchObject({ cron: expect.stringMatching(/invalid cron/), timezone: "unknown time zone 'Atlantis/Capital'" });
    const created = await call('POST', '/api/v1/schedules', { graphId: graph.id, cron: '0 0 1 1 *', timezone: 'Europe/Paris', inputs: { topic: 'new year' }, missedRunPolicy: 'run_once', name: 'yearly' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'yearly', missedRunPolicy: 'run_once', paused: false, inputs: { topic: 'new year' } });
    expect(created.json.nextRuns).toHaveLength(5);
    const id = created.json.id as string;
    expect((await call('POST', `/api/v1/schedules/${id}/pause`)).json.paused).toBe(true);
    expect((await call('POST', `/api/v1/schedules/${id}/resume`)).json.paused).toBe(false);
    expect((await call('GET', '/api/v1/schedules')).json.items.map((s: { id: string }) => s.id)).toContain(id);
    expect((await call('GET', `/api/v1/schedules/${id}/fires`)).json.items).toEqual([]);
    expect((await call('DELETE', `/api/v1/schedules/${id}`)).status).toBe(204);
    expect((await call('GET', `/api/v1/schedules/${id}`)).status).toBe(404);
  });

  it('no secret used in this suite appears in any log line written during it', () => {
    const logs = logLines.join('');
    expect(logs).toContain('credential resolved');
    expect(logs).toContain('webhook delivery');
    for (const secret of secretsUsed) expect(secret.length > 8 && logs.includes(secret) ? secret : 'absent').toBe('absent');
  });
});
