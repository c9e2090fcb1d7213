import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createSqliteEventLog, type SqliteEventLog } from '@agentry/event-log/src/sqlite';
import { connect, iterateStream } from '@agentry/grpc';
import { createLogger } from '@agentry/observability';
import { notificationV1 } from '@agentry/proto-ts';
import { startFakeSmtp, type FakeSmtpServer } from '@agentry/testing';
import { startNotificationService } from '../src';
import { LIST_BACKENDS } from './support/read-models';

/** A TCP hop in front of the fake SMTP server that can drop the next connections (SMTP failures). */
async function startFlakyProxy(targetPort: number) {
  let drops = 0;
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    connections++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    if (drops > 0) {
      drops--;
      sock.destroy();
      return;
    }
    const up = net.connect(targetPort, '127.0.0.1');
    up.on('error', () => sock.destroy());
    sockets.add(up);
    sock.pipe(up).pipe(sock);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    dropNext: (n: number) => (drops = n),
    connections: () => connections,
    close: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))),
  };
}

/** The message as a reader sees it: quoted-printable soft breaks and escapes undone. */
const decodeWords = (s: string) =>
  s.replace(/=\?UTF-8\?Q\?(.*?)\?=\s*/gi, (_, q: string) => Buffer.from(q.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/g, (__, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));
const readable = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

describe.each(LIST_BACKENDS)('email notifications over real SMTP (smtp-server via startFakeSmtp) ($name)', ({ open }) => {
  const readModels = open();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-email-'));
  const SIGNING_KEY = 'unsubscribe-signing-key-for-tests';
  let log: SqliteEventLog;
  let smtp: FakeSmtpServer;
  let proxy: Awaited<ReturnType<typeof startFlakyProxy>>;
  let service: Awaited<ReturnType<typeof startNotificationService>>;
  let client: ReturnType<typeof connect<notificationV1.NotificationServiceClient>>;
  let now = new Date('2026-07-01T10:00:00Z');
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));
  let seq = 0;

  beforeAll(async () => {
    log = createSqliteEventLog({ path: path.join(dir, 'events.db'), pollIntervalMs: 10 });
    smtp = await startFakeSmtp();
    proxy = await startFlakyProxy(smtp.port);
    for (const u of ['u1', 'u2', 'u3'])
      await log.events.append(`user-${u}`, [{ type: 'UserRegistered', data: { userId: u, tenantId: 't1', email: `${u}@example.test`, passwordHash: 'x', roles: [], createdAt: now.toISOString() } }], {
        expectedVersion: 0,
        tenantId: 't1',
      });
    service = await startNotificationService({
      events: log.events,
      logger: createLogger({ name: 'test', level: 'silent' }),
      clock: { now: () => now },
      pollMs: 10,
      readModels,
      email: { smtpUrl: proxy.url, from: 'Agentry <bot@agentry.test>', publicUrl: 'http://agentry.test', signingKey: SIGNING_KEY, intervalMs: 0, retryBaseMs: 1000, batchWindowMs: 600_000, digestHourUtc: 8 },
    });
    client = connect(notificationV1.NotificationServiceClient, service.address);
  });
  afterAll(async () => {
    client.close();
    await service.close();
    await readModels?.close();
    await proxy.close();
    await smtp.close();
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Appends an execution of `userId` that ends with `end`; waits until its notification exists. */
  async function execution(userId: string, end: 'ExecutionFailed' | 'ExecutionCompleted', graphName = 'Nightly report'): Promise<string> {
    const id = `e${++seq}`;
    await log.events.append(`execution-${id}`, [{ type: 'ExecutionRequested', data: { userId, graphId: 'g', graphName } }, { type: end, data: end === 'ExecutionFailed' ? { error: { message: `boom ${id}` } } : {} }], {
      expectedVersion: 0,
      tenantId: 't1',
    });
    for (let i = 0; i < 300; i++) {
      if ([...service.app.byId.values()].some((n) => n.data.executionId === id)) return id;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no notification for ${id}`);
  }
  const mailsTo = (addr: string) => smtp.messages.filter((m) => m.to.includes(addr));

  it('sends an immediate email with HTML + text, a signed unsubscribe link, and never sends it twice', async () => {
    const id = await execution('u1', 'ExecutionFailed');
    expect(await service.deliver(now)).toBe(1);
    expect(await service.deliver(now)).toBe(0);
    const [mail] = mailsTo('u1@example.test');
    expect(mail.from).toBe('bot@agentry.test');
    expect(decodeWords(mail.subject!)).toBe('[Agentry] "Nightly report" failed');
    const text = readable(mail.raw);
    expect(text).toMatch(/Content-Type: text\/plain/);
    expect(text).toMatch(/Content-Type: text\/html/);
    expect(text).toContain(`boom ${id}`);
    expect(text).toContain(`http://agentry.test/executions/${id}`);
    expect(text).toMatch(/List-Unsubscribe-Post: List-Unsubscribe=One-Click/);
    expect(text).toMatch(/Message-ID: <n-[^@]+@agentry>/i);
    expect(text).toMatch(/unsubscribe\?token=[\w.-]+/);
  });

  it('retries SMTP failures with backoff (nothing resent, nothing lost)', async () => {
    const before = mailsTo('u1@example.test').length;
    proxy.dropNext(2);
    await execution('u1', 'ExecutionFailed');
    expect(await service.deliver(now)).toBe(0);
    const connections = proxy.connections();
    expect(await service.deliver(now)).toBe(0); // not due yet: no new attempt
    expect(proxy.connections()).toBe(connections);
    advance(1000);
    expect(await service.deliver(now)).toBe(0); // second failure, next retry in 2 s
    advance(1000);
    expect(await service.deliver(now)).toBe(0);
    advance(1000);
    expect(await service.deliver(now)).toBe(1);
    expect(mailsTo('u1@example.test')).toHaveLength(before + 1);
    const email = [...service.app.emails.values()].find((e) => e.attempts === 3)!;
    expect(email.status).toBe('sent');
    const events = await log.events.readStream(`email-${email.id}`);
    expect(events.map((e) => e.type)).toEqual(['EmailQueued', 'EmailSendStarted', 'EmailSendFailed', 'EmailSendStarted', 'EmailSendFailed', 'EmailSendStarted', 'EmailSent']);
    const retries = events.filter((e) => e.type === 'EmailSendFailed').map((e) => Date.parse((e.data as { retryAt: string }).retryAt));
    expect(retries[1] - retries[0]).toBe(2000); // 1 s, then 2 s
  });

  it('batches within the window and sends a daily digest at the digest hour', async () => {
    await client.setPreferences({ caller: { tenantId: 't1', userId: 'u2', roles: [] }, preferences: { emailAddress: '', dailyEmailCap: 0, types: { execution_completed: { inApp: true, email: 'batched' } } } });
    await execution('u2', 'ExecutionCompleted', 'A');
    advance(60_000);
    await execution('u2', 'ExecutionCompleted', 'B');
    await client.notify({ tenantId: 't1', userId: 'u2', type: 'system', title: 'Maintenance on Sunday', body: 'short downtime', data: {}, dedupeKey: 'maint-1' });
    await client.notify({ tenantId: 't1', userId: 'u2', type: 'system', title: 'Maintenance on Sunday', body: 'short downtime', data: {}, dedupeKey: 'maint-1' }); // deduped
    await client.notify({ tenantId: 't1', userId: 'u2', type: 'system', title: 'New blocks available', body: '', data: {}, dedupeKey: 'blocks-1' });
    await service.app.catchUp();
    expect(await service.deliver(now)).toBe(0);
    advance(9 * 60_000); // the batch window (10 min) since the first one has passed
    expect(await service.deliver(now)).toBe(1);
    const batch = mailsTo('u2@example.test');
    expect(batch.map((m) => decodeWords(m.subject!))).toEqual(['[Agentry] 2 new notifications']);
    expect(readable(batch[0].raw)).toMatch(/"A" completed[\s\S]*"B" completed|"B" completed[\s\S]*"A" completed/);
    now = new Date('2026-07-02T08:00:00Z');
    expect(await service.deliver(now)).toBe(1);
    const digest = mailsTo('u2@example.test')[1];
    expect(decodeWords(digest.subject!)).toBe('[Agentry] Your daily digest: 2 notifications');
    expect(readable(digest.raw)).toContain('New blocks available');
    expect(await service.deliver(now)).toBe(0);
  });

  it('enforces the daily cap per user', async () => {
    await client.setPreferences({ caller: { tenantId: 't1', userId: 'u3', roles: [] }, preferences: { emailAddress: 'ops@example.test', dailyEmailCap: 2, types: {} } });
    for (let i = 0; i < 4; i++) await execution('u3', 'ExecutionFailed');
    expect(await service.deliver(now)).toBe(2);
    expect(mailsTo('ops@example.test')).toHaveLength(2);
    expect(mailsTo('u3@example.test')).toHaveLength(0);
    // In-app still has all four.
    expect((await client.getUnreadCount({ caller: { tenantId: 't1', userId: 'u3', roles: [] } })).unreadCount).toBe(4);
  });

  it('the signed unsubscribe link turns that email type off; a tampered one is refused', async () => {
    const token = /unsubscribe\?token=([\w.-]+)/.exec(readable(mailsTo('u1@example.test')[0].raw))![1];
    await expect(client.unsubscribe({ token: `${token}x` })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await client.unsubscribe({ token })).toEqual({ type: 'execution_failed' });
    const prefs = await client.getPreferences({ caller: { tenantId: 't1', userId: 'u1', roles: [] } });
    expect(prefs.preferences!.types.execution_failed).toEqual({ inApp: true, email: 'off' });
    expect(prefs.preferences!.types.review_waiting.email).toBe('immediate');
    const before = mailsTo('u1@example.test').length;
    await execution('u1', 'ExecutionFailed');
    expect(await service.deliver(now)).toBe(0);
    expect(mailsTo('u1@example.test')).toHaveLength(before);
  });

  it('pushes new in-app notifications to watchers with the unread count', async () => {
    const caller = { tenantId: 't1', userId: 'u1', roles: [] };
    const call = client.raw.watchNotifications({ caller });
    const received = (async () => {
      for await (const msg of iterateStream(call)) return msg;
      return undefined;
    })();
    await new Promise((r) => setTimeout(r, 50)); // the server registers the watcher
    await client.notify({ tenantId: 't1', userId: 'u1', type: 'quota_nearly_used', title: '90% of your monthly runs used', body: '', data: { used: 0.9 }, dedupeKey: 'quota-2026-07' });
    const msg = await received;
    call.cancel();
    expect(msg!.notification).toMatchObject({ type: 'quota_nearly_used', title: '90% of your monthly runs used', read: false });
    expect(msg!.unreadCount).toBe((await client.getUnreadCount({ caller })).unreadCount);
  });
});
