import type { EventStore } from '@agentry/event-log';
import { implement, requireCaller, startGrpcServer } from '@agentry/grpc';
import { systemClock } from '@agentry/kernel';
import type { Logger } from '@agentry/observability';
import { notificationV1 } from '@agentry/proto-ts';
import { Notifications } from './app/notifications';

export { Notifications } from './app/notifications';

export async function startNotificationService(options: { events: EventStore; logger: Logger; host?: string; port?: number }) {
  const notifications = new Notifications({ events: options.events, clock: systemClock });
  await notifications.start();
  const server = await startGrpcServer({
    host: options.host,
    port: options.port,
    services: [
      {
        name: 'agentry.notification.v1.NotificationService',
        definition: notificationV1.NotificationServiceService,
        implementation: implement('notification', notificationV1.NotificationServiceService, {
          async listNotifications(req) {
            const caller = requireCaller(req.caller);
            const out = notifications.list(caller.tenantId, caller.userId, req.unreadOnly);
            return { items: out.items, unreadCount: out.unreadCount, page: { nextCursor: '' } };
          },
          async markRead(req) {
            const caller = requireCaller(req.caller);
            await notifications.markRead(caller.tenantId, caller.userId, req.notificationIds);
            return {};
          },
        }),
      },
    ],
  });
  options.logger.info({ address: server.address }, 'notification service listening');
  return {
    name: 'notification' as const,
    app: notifications,
    address: server.address,
    port: server.port,
    close: async () => {
      await notifications.close();
      await server.close();
    },
  };
}
