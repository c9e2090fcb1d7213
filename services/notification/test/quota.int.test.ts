import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteEventLog, type SqliteEventLog } from '@agentry/event-log/src/sqlite';
import { connect } from '@agentry/grpc';
import { createLogger } from '@agentry/observability';
import { notificationV1 } from '@agentry/proto-ts';
import { startFakeSmtp, type FakeSmtpServer } from '@agentry/testing';
import { startNotificationService } from '../src';
import { LIST_BACKENDS } from './support/read-models';

/**
 * Daily execution quotas: the gateway appends `TenantQuotasSet` to `tenant-<id>`, the execution service appends
 * `ExecutionRequested`; the notification service counts the executions of each tenant's UTC day and tells the
 * tenant's owners once per threshold (80 %, 100 %) and day, in-app and by email as their preferences say.
 */
describe.each(LIST_BACKENDS)('quota notifications from TenantQuotasSet and execution events ($name)', ({ open }) => {
  /** One store for the whole suite: a restarted service resumes its list from the store's checkpoint. */
  const readModels = open();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-quota-'));
  const SIGNING_KEY = 'quota-test-signing-key';
  let log: SqliteEventLog;
  let smtp: FakeSmtpServer;
  let service: Awaited<ReturnType<typeof startNotificationService>>;
  let client: ReturnType<typeof connect<notificationV1.NotificationServiceClient>>;
  let now = new Date('2026-08-10T09:00:00Z');
  let seq = 0;
  const T = 'tenant-q';
  const owner = (userId: string) => ({ tenantId: T, userId, roles: [] });

  async function start() {
    service = await startNotificationService({
      events: log.events,
      logger: createLogger({ name: 'test', level: 'silent' }),
      clock: { now: () => now },
      pollMs: 10,
      readModels,
      email: { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, from: 'Agentry <bot@agentry.test>', publicUrl: 'http://agentry.test', signingKey: SIGNING_KEY, intervalMs: 0 },
    });
    client = connect(notificationV1.NotificationServiceClient, service.address);
  }
  async function stop() {
    client.close();
    await service.close();
  }

  const append = (streamId: string, tenantId: string, type: string, data: Record<string, unknown>, occurredAt = now.toISOString()) =>
    log.events.append(streamId, [{ type, data, occurredAt }], { expectedVersion: 'any', tenantId });
  const setQuotas = (tenantId: string, quotas: Record<string, number>) => append(`tenant-${tenantId}`, tenantId, 'TenantQuotasSet', { tenantId, quotas, setBy: 'admin', at: now.toISOString() });
  /** What the execution service appends first for every execution (a sub-agent's included). */
  async function requestExecutions(tenantId: string, count: number, requestedAt = now.toISOString()) {
    for (let i = 0; i < count; i++) {
      const executionId = `q${++seq}`;
      await append(`execution-${executionId}`, tenantId, 'ExecutionRequested', { executionId, tenantId, userId: 'member-1', graphId: 'g', graphName: 'Busy graph', requestedAt }, requestedAt);
    }
  }
  /** Waits until the service has consumed everything appended so far: a marker execution's failure is notified. */
  async function settle() {
    const executionId = `marker${++seq}`;
    await append(`execution-${executionId}`, 'tenant-other', 'ExecutionRequested', { executionId, tenantId: 'tenant-other', userId: 'someone', graphId: 'g', requestedAt: now.toISOString() });
    await append(`execution-${executionId}`, 'tenant-other', 'ExecutionFailed', { reason: 'marker', endedAt: now.toISOString() });
    for (let i = 0; i < 500; i++) {
      if (service.app.byId.has(`${executionId}`) || [...service.app.byId.values()].some((n) => n.data.executionId === executionId)) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('the notification service did not catch up');
  }
  const quotaNotices = async (userId: string) =>
    (await client.listNotifications({ caller: owner(userId), unreadOnly: false, page: { cursor: '', limit: 200 } })).items.filter((n) => n.type === 'quota_nearly_used');
  const mailsTo = (addr: string) => smtp.messages.filter((m) => m.to.includes(addr));

  beforeAll(async () => {
    log = createSqliteEventLog({ path: path.join(dir, 'events.db'), pollIntervalMs: 10 });
    smtp = await startFakeSmtp();
    // Owner 1 registered in the tenant as its owner; owner 2 has a home tenant of their own and was added to this
    // one as an owner; a member and a demoted owner are not told.
    const register = (userId: string, tenantId: string, roles: string[]) =>
      append(`user-${userId}`, tenantId, 'UserRegistered', { userId, tenantId, email: `${userId}@example.test`, passwordHash: 'x', roles, createdAt: now.toISOString() });
    await append(`tenant-${T}`, T, 'TenantCreated', { tenantId: T, name: 'Quota Co', createdAt: now.toISOString() });
    await register('owner-1', T, ['owner', 'admin']);
    await register('member-1', T, ['member']);
    await register('owner-2', 'tenant-home', ['owner']);
    await register('former-owner', T, ['owner']);
    await append(`tenant-${T}`, T, 'MemberAdded', { tenantId: T, userId: 'owner-2', role: 'owner', addedBy: 'owner-1', at: now.toISOString() });
    await append(`tenant-${T}`, T, 'MemberRoleChanged', { tenantId: T, userId: 'former-owner', role: 'admin', changedBy: 'owner-1', at: now.toISOString() });
    await start();
    // Owner 2 wants quota notices in-app only.
    await client.setPreferences({ caller: owner('owner-2'), preferences: { emailAddress: '', dailyEmailCap: 0, types: { quota_nearly_used: { inApp: true, email: 'off' } } } });
  });
  afterAll(async () => {
    await stop();
    await readModels?.close();
    await smtp.close();
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('tells every owner once when the day\'s executions reach 80 % of executionsPerDay, and once more at 100 %', async () => {
    await setQuotas(T, { executionsPerDay: 10, concurrentExecutions: 3 });
    await requestExecutions(T, 7);
    await settle();
    expect(await quotaNotices('owner-1')).toEqual([]);

    await requestExecutions(T, 1); // 8 of 10
    await settle();
    const [nearly] = await quotaNotices('owner-1');
    expect(nearly).toMatchObject({ title: "80% of today's executions are used", data: { quota: 'executionsPerDay', day: '2026-08-10', used: 8, limit: 10, threshold: 80 } });
    expect(nearly.id).toBe(`quota:${T}:2026-08-10:executionsPerDay:80:owner-1`);
    expect(await quotaNotices('owner-2')).toHaveLength(1);
    expect(await quotaNotices('member-1')).toEqual([]);
    expect(await quotaNotices('former-owner')).toEqual([]);

    await requestExecutions(T, 1); // 9: nothing new
    await settle();
    expect(await quotaNotices('owner-1')).toHaveLength(1);

    await requestExecutions(T, 1); // 10: used up
    await settle();
    const notices = await quotaNotices('owner-1');
    expect(notices.map((n) => n.data!.threshold).sort()).toEqual([100, 80]);
    expect(notices.find((n) => n.data!.threshold === 100)).toMatchObject({ title: 'All 10 executions of today are used', data: { used: 10 } });

    await requestExecutions(T, 3); // past the limit (e.g. sub-agents): still one notice per threshold
    await settle();
    expect(await quotaNotices('owner-1')).toHaveLength(2);
    expect(await quotaNotices('owner-2')).toHaveLength(2);
    // The log holds exactly one notification per owner, threshold and day.
    const created = (await log.events.readAll({ categories: ['notification'] })).filter((e) => e.type === 'NotificationCreated' && (e.data as { type: string }).type === 'quota_nearly_used');
    expect(created.map((e) => (e.data as { id: string }).id).sort()).toEqual(
      [`quota:${T}:2026-08-10:executionsPerDay:100:owner-1`, `quota:${T}:2026-08-10:executionsPerDay:100:owner-2`, `quota:${T}:2026-08-10:executionsPerDay:80:owner-1`, `quota:${T}:2026-08-10:executionsPerDay:80:owner-2`].sort(),
    );
  });

  it('emails the owners whose preferences ask for it, once per notice', async () => {
    expect(await service.deliver(now)).toBe(2);
    expect(await service.deliver(now)).toBe(0);
    const mails = mailsTo('owner-1@example.test');
    expect(mails.map((m) => m.subject).sort()).toEqual(["[Agentry] 80% of today's executions are used", '[Agentry] All 10 executions of today are used'].sort());
    expect(mailsTo('owner-2@example.test')).toEqual([]); // in-app only by preference
    expect(mailsTo('member-1@example.test')).toEqual([]);
  });

  it('counts each UTC day on its own, ignores a late event of a past day, and survives a restart', async () => {
    now = new Date('2026-08-11T00:30:00Z');
    await requestExecutions(T, 1, '2026-08-10T23:59:59Z'); // yesterday's, delivered late
    await requestExecutions(T, 7);
    await settle();
    expect((await quotaNotices('owner-1')).filter((n) => n.data!.day === '2026-08-11')).toEqual([]);

    // The counts live in memory: a restarted service counts today's executions again from the log.
    await stop();
    await start();
    await requestExecutions(T, 1); // 8 of 10 today
    await settle();
    const today = (await quotaNotices('owner-1')).filter((n) => n.data!.day === '2026-08-11');
    expect(today).toHaveLength(1);
    expect(today[0]).toMatchObject({ id: `quota:${T}:2026-08-11:executionsPerDay:80:owner-1`, data: { used: 8, threshold: 80 } });
  });

  it('tells the owners at once when a lowered quota is already 80 % used, and not for a tenant without the quota', async () => {
    const other = 'tenant-lowered';
    await append(`tenant-${other}`, other, 'TenantCreated', { tenantId: other, name: 'Lowered', createdAt: now.toISOString() });
    await append(`tenant-${other}`, other, 'MemberAdded', { tenantId: other, userId: 'owner-3', role: 'owner', addedBy: 'admin', at: now.toISOString() });
    await requestExecutions(other, 5);
    await setQuotas(other, { storageBytes: 1000 }); // no daily quota: nothing to say
    await settle();
    const caller = { tenantId: other, userId: 'owner-3', roles: [] };
    const list = async () => (await client.listNotifications({ caller, unreadOnly: false, page: { cursor: '', limit: 50 } })).items.filter((n) => n.type === 'quota_nearly_used');
    expect(await list()).toEqual([]);
    await setQuotas(other, { executionsPerDay: 6 }); // 5 of 6 already
    await settle();
    expect((await list()).map((n) => n.data!.threshold)).toEqual([80]);
  });
});
