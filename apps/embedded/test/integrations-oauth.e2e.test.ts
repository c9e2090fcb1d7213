import fs from 'node:fs';
import { createRegistry } from '@agentry/blocks';
import { startMockProvider, type MockProvider } from '@agentry/svc-integration/test/support/oauth-provider';
import { startFakeWeb, type FakeWebServer } from '@agentry/testing';
import type { Platform } from '../src/platform';
import { api, BLOCK, greetingGraph, login, startTestPlatform, tempDataDir, waitForExecution } from './support';

/**
 * OAuth2 connections used by blocks in real executions on the whole platform: the built-in Google provider is pointed
 * at oauth2-mock-server and the Gmail API at the fake web server. A connection must be granted the scopes its block
 * declares; a connection the provider no longer honours fails its node with "reconnect required".
 */
describe('OAuth connections inside executions', () => {
  const dataDir = tempDataDir();
  const registry = createRegistry();
  const gmailSend = registry.list().find((b) => b.name === 'GmailSendBlock')!;
  const SEND = gmailSend.credentials!.scopes![0];
  let platform: Platform;
  let provider: MockProvider;
  let web: FakeWebServer;
  let token: string;
  const previousGmailUrl = process.env.AGENTRY_GMAIL_API_URL;
  const call = (method: string, p: string, body?: unknown) => api(platform.url, method, p, body, token);

  beforeAll(async () => {
    provider = await startMockProvider();
    web = await startFakeWeb();
    // Blocks read their API base URLs from the process environment (the platform runs in this process).
    process.env.AGENTRY_GMAIL_API_URL = web.env.AGENTRY_GMAIL_API_URL;
    platform = await startTestPlatform(dataDir, {
      AGENTRY_OAUTH_GOOGLE_CLIENT_ID: 'agentry-e2e-google',
      AGENTRY_OAUTH_GOOGLE_CLIENT_SECRET: 'e2e-google-client-secret',
      AGENTRY_OAUTH_GOOGLE_AUTHORIZE_URL: `${provider.url}/authorize`,
      AGENTRY_OAUTH_GOOGLE_TOKEN_URL: `${provider.url}/token`,
      AGENTRY_OAUTH_GOOGLE_REVOKE_URL: `${provider.url}/revoke`,
      AGENTRY_BLOCK_RUNNER_ALLOW_HOSTS: new URL(web.url).hostname,
    });
    token = await login(platform.url);
  }, 60000);
  afterAll(async () => {
    await platform?.close();
    await provider?.close();
    await web?.close();
    if (previousGmailUrl === undefined) delete process.env.AGENTRY_GMAIL_API_URL;
    else process.env.AGENTRY_GMAIL_API_URL = previousGmailUrl;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** "Connect Google" in the UI: start for the block, the provider's consent redirect, the public callback. */
  async function connectGoogle(title: string, body: { blockIds?: string[]; scopes?: string[] } = { blockIds: [gmailSend.id] }) {
    const start = await call('POST', '/api/v1/oauth/google/start', { ...body, title });
    expect(start.status).toBe(200);
    const toProvider = await fetch(start.json.authorizationUrl, { redirect: 'manual' });
    const done = await fetch(toProvider.headers.get('location')!, { headers: { accept: 'application/json' } });
    expect(done.status).toBe(200);
    const { credential } = (await done.json()) as { credential: { id: string; provider: string; type: string; title: string; scopes: string[]; status: string } };
    return { start: start.json as { authorizationUrl: string; scopes: string[] }, credential };
  }

  /** input → Gmail send (with the credential) → output. */
  async function sendMailWith(credential: { id: string; provider: string; type: string; title: string }) {
    const graph = await call('POST', '/api/v1/graphs', {
      name: `Mail with ${credential.title}`,
      nodes: [
        { id: 'in', blockId: BLOCK.input, inputDefault: { name: 'subject' } },
        { id: 'send', blockId: gmailSend.id, inputDefault: { credentials: credential, to: ['ada@example.com'], body: 'Hello Ada' } },
        { id: 'out', blockId: BLOCK.output, inputDefault: { name: 'sent' } },
      ],
      links: [
        { sourceId: 'in', sourceName: 'result', sinkId: 'send', sinkName: 'subject' },
        { sourceId: 'send', sourceName: 'result', sinkId: 'out', sinkName: 'value' },
      ],
    });
    expect(graph.status).toBe(201);
    const run = await call('POST', `/api/v1/graphs/${graph.json.id}/execute`, { inputs: { subject: 'Hi' } });
    expect(run.status).toBe(202);
    return waitForExecution(platform.url, token, run.json.executionId);
  }
  const sendsToGmail = () => web.requests.filter((r) => r.path.endsWith('/messages/send'));
  const credentialStatus = async (id: string) => ((await call('GET', '/api/v1/credentials?provider=google')).json.items as Array<{ id: string; status: string }>).find((c) => c.id === id)?.status;
  const sendNode = (execution: { nodeExecutions: Array<{ nodeId: string; status: string; error?: unknown }> }) => execution.nodeExecutions.find((n) => n.nodeId === 'send')!;

  it('asks the provider for the scopes of the block the connection is for, and a connection granted them sends the mail', async () => {
    const { start, credential } = await connectGoogle('Gmail (all granted)');
    expect(start.scopes).toContain(SEND);
    expect(new URL(start.authorizationUrl).searchParams.get('scope')!.split(' ')).toEqual(start.scopes);
    expect(credential.scopes).toEqual(start.scopes);
    const sendsBefore = sendsToGmail().length;
    const execution = await sendMailWith(credential);
    expect(execution).toMatchObject({ status: 'COMPLETED', outputs: { sent: [{ status: 'sent' }] } });
    expect(sendsToGmail()).toHaveLength(sendsBefore + 1);
  });

  it('fails the node, cleanly, when the connection was not granted a scope the block needs, naming it', async () => {
    await provider.denyScopes([SEND]);
    const { credential } = await connectGoogle('Gmail (send not granted)');
    await provider.denyScopes([]);
    expect(credential.scopes).not.toContain(SEND);
    const sendsBefore = sendsToGmail().length;
    const execution = await sendMailWith(credential);
    expect(execution.status).toBe('FAILED');
    const failure = String(execution.error.message);
    expect(failure).toMatch(/^node send failed: reconnect required/);
    expect(failure).toContain(SEND);
    expect(failure).toContain('GmailSendBlock');
    expect(sendNode(execution).error).toEqual({ message: expect.stringMatching(/^reconnect required/), code: 'INVALID_CREDENTIALS', retryable: false });
    expect(sendsToGmail()).toHaveLength(sendsBefore); // the block never ran
    expect(await credentialStatus(credential.id)).toBe('active'); // the connection is fine for other blocks
  });

  it('fails the node with "reconnect required" when the token expired and the provider refuses the refresh; the credential says reconnect_required', async () => {
    provider.expiresIn(30); // inside the 60 s refresh skew: every use refreshes first
    await provider.stats(); // (IPC is ordered: the setting is applied once this round trip is back)
    const { credential } = await connectGoogle('Gmail (refresh refused)');
    provider.expiresIn(3600);
    provider.failRefresh(true);
    await provider.stats();
    try {
      const sendsBefore = sendsToGmail().length;
      const execution = await sendMailWith(credential);
      expect(execution.status).toBe('FAILED');
      expect(sendNode(execution)).toMatchObject({ status: 'FAILED', error: { code: 'INVALID_CREDENTIALS' } });
      expect(execution.error.message).toContain(`reconnect required: the google connection "${credential.title}" is no longer valid (the provider refused the refresh (invalid_grant))`);
      expect(sendsToGmail()).toHaveLength(sendsBefore);
      expect(await credentialStatus(credential.id)).toBe('reconnect_required');
    } finally {
      provider.failRefresh(false);
    }
    // The owner is told why, in-app (execution_failed carries the node's message).
    let failed: { body: string } | undefined;
    for (let i = 0; i < 200 && !failed; i++) {
      const items = (await call('GET', '/api/v1/notifications')).json.items as Array<{ type: string; body: string }>;
      failed = items.find((n) => n.type === 'execution_failed' && n.body.includes(credential.title));
      if (!failed) await new Promise((r) => setTimeout(r, 25));
    }
    expect(failed?.body).toMatch(/reconnect required/);
  });

  it('fails the node with "reconnect required" for a revoked connection, and the platform keeps running', async () => {
    const { credential } = await connectGoogle('Gmail (revoked)');
    expect((await call('POST', `/api/v1/credentials/${credential.id}/revoke`)).json.status).toBe('revoked');
    const execution = await sendMailWith(credential);
    expect(execution.status).toBe('FAILED');
    expect(sendNode(execution)).toMatchObject({ status: 'FAILED', error: { code: 'INVALID_CREDENTIALS' } });
    expect(execution.error.message).toContain(`reconnect required: the google connection "${credential.title}" is no longer valid (it was revoked)`);
    expect(await credentialStatus(credential.id)).toBe('revoked');

    const graph = (await call('POST', '/api/v1/graphs', greetingGraph())).json;
    const run = await call('POST', `/api/v1/graphs/${graph.id}/execute`, { inputs: { topic: 'still here' } });
    expect(await waitForExecution(platform.url, token, run.json.executionId)).toMatchObject({ status: 'COMPLETED', outputs: { greeting: ['Hello still here!'] } });
  });
});
