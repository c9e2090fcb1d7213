import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteEventLog, type SqliteEventLog } from '@agentry/event-log/src/sqlite';
import { checkHealth, connect } from '@agentry/grpc';
import { createLogger } from '@agentry/observability';
import { notificationV1 } from '@agentry/proto-ts';
import { startNotificationService } from '../src';

describe('NotificationService over a real socket', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-notification-'));
  let log: SqliteEventLog;
  let service: Awaited<ReturnType<typeof startNotificationService>>;
  let client: ReturnType<typeof connect<notificationV1.NotificationServiceClient>>;
  const caller = { tenantId: 't1', userId: 'u1', roles: [] };

  beforeAll(async () => {
    log = createSqliteEventLog({ path: path.join(dir, 'events.db'), pollIntervalMs: 20 });
    service = await startNotificationService({ events: log.events, logger: createLogger({ name: 'test', level: 'silent' }) });
    client = connect(notificationV1.NotificationServiceClient, service.address);
  });
  afterAll(async () => {
    client.close();
    await service.close();
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('turns a failed execution of a user into one unread notification for that user only', async () => {
    expect(await checkHealth(service.address)).toBe('SERVING');
    await log.events.append('execution-e1', [{ type: 'ExecutionRequested', data: { userId: 'u1', graphId: 'g1' } }, { type: 'ExecutionFailed', data: { error: { message: 'node x failed' } } }], {
      expectedVersion: 0,
      tenantId: 't1',
    });
    let listed: notificationV1.ListNotificationsResponse | undefined;
    for (let i = 0; i < 200 && !listed?.items.length; i++) {
      listed = await client.listNotifications({ caller, page: undefined, unreadOnly: false });
      if (!listed.items.length) await new Promise((r) => setTimeout(r, 20));
    }
    expect(listed!.items).toHaveLength(1);
    expect(listed!.items[0]).toMatchObject({ type: 'execution_failed', body: 'node x failed', read: false });
    expect(listed!.unreadCount).toBe(1);
    expect((await client.listNotifications({ caller: { ...caller, userId: 'u2' }, page: undefined, unreadOnly: false })).items).toHaveLength(0);
    await client.markRead({ caller, notificationIds: [listed!.items[0].id], all: false });
    expect((await client.listNotifications({ caller, page: undefined, unreadOnly: true })).unreadCount).toBe(0);
  });
});
