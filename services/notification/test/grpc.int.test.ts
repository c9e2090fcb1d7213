import { checkHealth } from '@agentry/grpc';
import { notificationV1 } from '@agentry/proto-ts';
import { serviceHarness } from '@agentry/testing';
import { startNotificationService } from '../src';
import { LIST_BACKENDS } from './support/read-models';

describe.each(LIST_BACKENDS)('NotificationService over a real socket ($name)', ({ open }) => {
  const h = serviceHarness(
    'notification',
    async (deps) => {
      const readModels = open();
      const service = await startNotificationService({ ...deps, readModels });
      return { ...service, close: async () => (await service.close(), await readModels?.close()) };
    },
    { pollIntervalMs: 20 },
  );
  const caller = { tenantId: 't1', userId: 'u1', roles: [] };
  const client = () => h.client(notificationV1.NotificationServiceClient);

  it('turns a failed execution of a user into one unread notification for that user only', async () => {
    expect(await checkHealth(h.service.address)).toBe('SERVING');
    await h.log.events.append('execution-e1', [{ type: 'ExecutionRequested', data: { userId: 'u1', graphId: 'g1' } }, { type: 'ExecutionFailed', data: { error: { message: 'node x failed' } } }], {
      expectedVersion: 0,
      tenantId: 't1',
    });
    let listed: notificationV1.ListNotificationsResponse | undefined;
    for (let i = 0; i < 200 && !listed?.items.length; i++) {
      listed = await client().listNotifications({ caller, page: undefined, unreadOnly: false });
      if (!listed.items.length) await new Promise((r) => setTimeout(r, 20));
    }
    expect(listed!.items).toHaveLength(1);
    expect(listed!.items[0]).toMatchObject({ type: 'execution_failed', body: 'node x failed', read: false });
    expect(listed!.unreadCount).toBe(1);
    expect((await client().listNotifications({ caller: { ...caller, userId: 'u2' }, page: undefined, unreadOnly: false })).items).toHaveLength(0);
    await client().markRead({ caller, notificationIds: [listed!.items[0].id], all: false });
    expect((await client().listNotifications({ caller, page: undefined, unreadOnly: true })).unreadCount).toBe(0);
  });
});
