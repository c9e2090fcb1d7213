import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteEventLog, type SqliteEventLog } from '@agentry/event-log/src/sqlite';
import { connect } from '@agentry/grpc';
import { createLogger } from '@agentry/observability';
import { integrationV1 } from '@agentry/proto-ts';
import { hubSignature, loadSecretBox, startIntegrationService } from '../src';
import { LIST_BACKENDS } from './support/read-models';

describe.each(LIST_BACKENDS)('webhook triggers: signature, event filter, dedupe ($name)', ({ open }) => {
  const readModels = open();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-webhooks-'));
  let log: SqliteEventLog;
  let service: Awaited<ReturnType<typeof startIntegrationService>>;
  let client: ReturnType<typeof connect<integrationV1.IntegrationServiceClient>>;
  const now = new Date('2026-04-01T10:00:00Z');
  const caller = { tenantId: 'tenant-w', userId: 'walt', roles: [] };

  beforeAll(async () => {
    log = createSqliteEventLog({ path: path.join(dir, 'events.db') });
    service = await startIntegrationService({ events: log.events, box: loadSecretBox({ dataDir: dir, production: false }), logger: createLogger({ name: 't', level: 'silent' }), clock: { now: () => now }, readModels });
    client = connect(integrationV1.IntegrationServiceClient, service.address);
  });
  afterAll(async () => {
    client.close();
    await service.close();
    await readModels?.close();
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('GitHub: verifies X-Hub-Signature-256, filters events, dedupes by X-GitHub-Delivery and links the execution', async () => {
    const { trigger, secret } = await client.createWebhookTrigger({ caller, graphId: 'g-gh', graphVersion: 2, kind: 'github', events: ['push'], inputName: 'payload', secret: '', inputs: { branch: 'main' } });
    expect(secret).toMatch(/^whsec_/);
    expect(trigger!.path).toBe(`/api/v1/webhooks/${trigger!.id}`);
    expect(JSON.stringify((await client.listWebhookTriggers({ caller, graphId: '' })).items)).not.toContain(secret);
    const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', commits: [{ id: 'abc' }] }));
    const headers = (event: string, delivery: string, sig = hubSignature(secret, body)) => ({ 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': delivery, 'x-hub-signature-256': sig });

    const accepted = await client.receiveWebhook({ triggerId: trigger!.id, headers: headers('push', 'd-1'), body });
    expect(accepted).toMatchObject({ outcome: 'accepted', deliveryId: 'd-1', event: 'push', graphId: 'g-gh', graphVersion: 2, caller: { tenantId: 'tenant-w', userId: 'walt' } });
    expect(accepted.inputs).toEqual({ branch: 'main', payload: { ref: 'refs/heads/main', commits: [{ id: 'abc' }] } });
    await client.linkWebhookExecution({ triggerId: trigger!.id, deliveryId: 'd-1', executionId: 'exec-1' });
    expect(await client.receiveWebhook({ triggerId: trigger!.id, headers: headers('push', 'd-1'), body })).toMatchObject({ outcome: 'duplicate', executionId: 'exec-1' });

    expect(await client.receiveWebhook({ triggerId: trigger!.id, headers: headers('issues', 'd-2'), body })).toMatchObject({ outcome: 'ignored', event: 'issues' });
    expect(await client.receiveWebhook({ triggerId: trigger!.id, headers: headers('ping', 'd-3'), body })).toMatchObject({ outcome: 'ignored' });
    await expect(client.receiveWebhook({ triggerId: trigger!.id, headers: headers('push', 'd-4', hubSignature('wrong-secret', body)), body })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(client.receiveWebhook({ triggerId: trigger!.id, headers: { ...headers('push', 'd-5'), 'x-hub-signature-256': '' }, body })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const tampered = Buffer.from(body.toString().replace('main', 'evil'));
    await expect(client.receiveWebhook({ triggerId: trigger!.id, headers: headers('push', 'd-6'), body: tampered })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(client.receiveWebhook({ triggerId: 'no-such-trigger', headers: headers('push', 'd-7'), body })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('generic: our signature header; without a delivery id an identical body is a replay', async () => {
    const { trigger, secret } = await client.createWebhookTrigger({ caller, graphId: 'g-gen', graphVersion: 0, kind: 'generic', events: [], inputName: 'event', secret: 'my-own-secret-of-16+', inputs: {} });
    expect(secret).toBe('my-own-secret-of-16+');
    const body = Buffer.from('{"type":"order.paid","id":42}');
    const h = { 'content-type': 'application/json', 'x-agentry-signature-256': hubSignature(secret, body) };
    const first = await client.receiveWebhook({ triggerId: trigger!.id, headers: h, body });
    expect(first).toMatchObject({ outcome: 'accepted', event: 'order.paid', inputs: { event: { type: 'order.paid', id: 42 } } });
    expect((await client.receiveWebhook({ triggerId: trigger!.id, headers: h, body })).outcome).toBe('duplicate');
  });

  it('Slack: v0 signature over timestamp and body, stale timestamps refused, url_verification answered', async () => {
    const { trigger, secret } = await client.createWebhookTrigger({ caller, graphId: 'g-sl', graphVersion: 0, kind: 'slack', events: ['app_mention'], inputName: 'payload', secret: '', inputs: {} });
    const sign = (ts: number, body: string) => `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
    const ts = Math.floor(now.getTime() / 1000);
    const challenge = JSON.stringify({ type: 'url_verification', challenge: 'ch-123' });
    expect(await client.receiveWebhook({ triggerId: trigger!.id, headers: { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sign(ts, challenge) }, body: Buffer.from(challenge) })).toMatchObject({
      outcome: 'ignored',
      reply: 'ch-123',
    });
    const evt = JSON.stringify({ type: 'event_callback', event_id: 'Ev1', event: { type: 'app_mention', text: 'hi' } });
    expect(await client.receiveWebhook({ triggerId: trigger!.id, headers: { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sign(ts, evt) }, body: Buffer.from(evt) })).toMatchObject({
      outcome: 'accepted',
      deliveryId: 'Ev1',
      event: 'app_mention',
    });
    const old = ts - 3600;
    await expect(client.receiveWebhook({ triggerId: trigger!.id, headers: { 'x-slack-request-timestamp': String(old), 'x-slack-signature': sign(old, evt) }, body: Buffer.from(evt) })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('refuses invalid triggers with every reason', async () => {
    await expect(client.createWebhookTrigger({ caller, graphId: '', graphVersion: 0, kind: 'ftp', events: [], inputName: '1bad', secret: 'short', inputs: {} })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { errors: { graphId: 'required', kind: expect.any(String), inputName: expect.any(String), secret: expect.any(String) } },
    });
  });
});
