import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Metadata, type ServerWritableStream } from '@grpc/grpc-js';
import nodemailer from 'nodemailer';
import type { EventStore } from '@agentry/event-log';
import { implement, requireCaller, ServiceAdmin, startGrpcServer } from '@agentry/grpc';
import { DomainError, systemClock, type Clock } from '@agentry/kernel';
import type { Logger } from '@agentry/observability';
import { notificationV1 } from '@agentry/proto-ts';
import { openReadStore, type ReadStore } from '@agentry/read-store';
import { Mailer, type EmailSettings, type MailTransport } from './app/mailer';
import { Notifications, type Notification } from './app/notifications';
import { isNotificationType, NOTIFICATION_TYPES, type EmailMode } from './domain/catalog';
import { verifyUnsubscribe } from './domain/unsubscribe';

export { Notifications } from './app/notifications';
export { InMemoryNotificationList, type NotificationList, type NotificationPage } from './app/notification-list';
export { NOTIFICATION_LIST, ReadStoreNotificationList, type NotificationDoc } from './app/notification-list-read-store';
export { Mailer, nextDigestAt, type MailTransport, type EmailSettings } from './app/mailer';
export { NOTIFICATION_TYPES } from './domain/catalog';
export { signUnsubscribe, verifyUnsubscribe } from './domain/unsubscribe';

export interface EmailOptions extends EmailSettings {
  /** smtp://user:pass@host:port (or smtps://); ignored when `transport` is given. */
  smtpUrl?: string;
  transport?: MailTransport;
  /** How often the outbox runs (default 5 s); 0 disables the timer (tests call deliver()). */
  intervalMs?: number;
}

/**
 * Email settings from the environment: AGENTRY_SMTP_URL (email is off without it), AGENTRY_EMAIL_FROM,
 * AGENTRY_PUBLIC_URL, AGENTRY_NOTIFICATION_SIGNING_KEY (else generated into the data folder, mode 0600).
 */
export function emailOptionsFromEnv(env: NodeJS.ProcessEnv, dataDir: string): EmailOptions | undefined {
  if (!env.AGENTRY_SMTP_URL) return undefined;
  let signingKey = env.AGENTRY_NOTIFICATION_SIGNING_KEY;
  if (!signingKey) {
    const file = path.join(dataDir, 'keys', 'notification-signing.key');
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      fs.writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
    }
    signingKey = fs.readFileSync(file, 'utf8').trim();
  }
  return {
    smtpUrl: env.AGENTRY_SMTP_URL,
    from: env.AGENTRY_EMAIL_FROM || 'Agentry <no-reply@agentry.local>',
    publicUrl: env.AGENTRY_PUBLIC_URL || `http://localhost:${env.PORT || 8080}`,
    signingKey,
  };
}

const toProto = (n: Notification): notificationV1.Notification => ({ id: n.id, type: n.type, title: n.title, body: n.body, data: n.data, read: n.read, createdAt: n.createdAt });

export interface NotificationServiceOptions {
  events: EventStore;
  logger: Logger;
  host?: string;
  port?: number;
  clock?: Clock;
  /** Email channel; without it notifications are in-app only. */
  email?: EmailOptions;
  dailyEmailCap?: number;
  /** How often the projection picks up other replicas' writes (default 250 ms). */
  pollMs?: number;
  /**
   * AGENTRY_READ_STORE: `mongo` keeps the notification list (and unread counts) in MongoDB at `mongoUrl`, opened
   * and closed by the service; otherwise it is in memory.
   */
  readStore?: 'sqlite' | 'mongo';
  mongoUrl?: string;
  /** A read store to keep the notification list in (tests, a shared store); it wins over `readStore` and stays open on close. */
  readModels?: ReadStore;
}

export async function startNotificationService(options: NotificationServiceOptions) {
  const clock = options.clock ?? systemClock;
  // --- read store (issue #10): the notification list on libs/read-store (MongoDB with AGENTRY_READ_STORE=mongo)
  const opened = !options.readModels && options.readStore === 'mongo' ? await openReadStore({ backend: 'mongo', mongoUrl: options.mongoUrl }) : undefined;
  const readModels = options.readModels ?? opened;
  // --- end read store
  const notifications = new Notifications({
    events: options.events,
    clock,
    dailyEmailCap: options.dailyEmailCap,
    pollMs: options.pollMs,
    readModels,
    onError: (err) => options.logger.error({ err }, 'notification read model update failed'),
  });
  try {
    await notifications.start();
  } catch (err) {
    await notifications.close().catch(() => undefined);
    await opened?.close();
    throw err;
  }
  const email = options.email;
  const transport: MailTransport | undefined = email ? (email.transport ?? (nodemailer.createTransport(email.smtpUrl) as unknown as MailTransport)) : undefined;
  const mailer = email && transport ? new Mailer({ notifications, transport, settings: email, clock, logger: options.logger }) : undefined;
  let delivering: Promise<number> | undefined;
  // --- admin (issue #6): a drain stops sending email (the outbox keeps what is due until resume; in-app
  // notifications are still recorded and served); drained once the delivery pass in flight has finished.
  const admin = new ServiceAdmin('notification', { inFlight: () => (delivering ? 1 : 0) });
  // --- end admin
  /** One outbox pass (plan + send); concurrent calls share the pass in flight. */
  const deliver = (now?: Date): Promise<number> => {
    if (!mailer || admin.draining) return Promise.resolve(0);
    delivering ??= mailer.run(now ?? clock.now()).finally(() => (delivering = undefined));
    return delivering;
  };
  const timer =
    mailer && (email!.intervalMs ?? 5000) > 0
      ? setInterval(() => void deliver().catch((err: unknown) => options.logger.error({ err }, 'email delivery pass failed')), email!.intervalMs ?? 5000)
      : undefined;
  timer?.unref();

  const server = await startGrpcServer({
    host: options.host,
    port: options.port,
    services: [
      admin.registration(),
      {
        name: 'agentry.notification.v1.NotificationService',
        definition: notificationV1.NotificationServiceService,
        implementation: implement('notification', notificationV1.NotificationServiceService, {
          async listNotifications(req) {
            const caller = requireCaller(req.caller);
            const out = await notifications.list(caller.tenantId, caller.userId, req.unreadOnly, { cursor: req.page?.cursor ?? '', limit: req.page?.limit ?? 0 });
            return { items: out.items.map(toProto), unreadCount: out.unreadCount, page: { nextCursor: out.nextCursor } };
          },
          async markRead(req) {
            const caller = requireCaller(req.caller);
            await notifications.markRead(caller.tenantId, caller.userId, req.notificationIds, req.all);
            return {};
          },
          async getUnreadCount(req) {
            const caller = requireCaller(req.caller);
            return { unreadCount: await notifications.unreadCount(caller.tenantId, caller.userId) };
          },
          async getPreferences(req) {
            const caller = requireCaller(req.caller);
            return { preferences: notifications.preferences(caller.tenantId, caller.userId), types: Object.keys(NOTIFICATION_TYPES) };
          },
          async setPreferences(req) {
            const caller = requireCaller(req.caller);
            const p = req.preferences;
            const types = Object.fromEntries(Object.entries(p?.types ?? {}).map(([t, c]) => [t, { inApp: c.inApp, email: (c.email || 'off') as EmailMode }]));
            return { preferences: await notifications.setPreferences(caller.tenantId, caller.userId, { emailAddress: p?.emailAddress ?? '', dailyEmailCap: p?.dailyEmailCap ?? 0, types }) };
          },
          async watchNotifications(req, call: ServerWritableStream<notificationV1.WatchNotificationsRequest, notificationV1.WatchNotificationsResponse>) {
            const caller = requireCaller(req.caller);
            await new Promise<void>((resolve) => {
              // pushes in order, each with the unread count read after its notification was folded
              let pushing = Promise.resolve();
              const stop = notifications.watch(caller.tenantId, caller.userId, (n) => {
                pushing = pushing
                  .then(async () => {
                    const unreadCount = await notifications.unreadCount(caller.tenantId, caller.userId);
                    call.write({ notification: toProto(n), unreadCount });
                  })
                  .catch((err: unknown) => options.logger.warn({ err }, 'notification push failed'));
              });
              // Headers once the watcher is registered: a client knows from them that nothing new can be missed.
              call.sendMetadata(new Metadata());
              const end = () => {
                stop();
                resolve();
              };
              call.on('cancelled', end);
              call.on('close', end);
              call.on('error', end);
            });
          },
          async unsubscribe(req) {
            const claim = email ? verifyUnsubscribe(email.signingKey, req.token) : undefined;
            if (!claim) throw new DomainError('VALIDATION_FAILED', 'this unsubscribe link is not valid', { errors: { token: 'invalid or tampered' } });
            const current = notifications.preferences(claim.tenantId, claim.userId);
            const types = Object.fromEntries(
              Object.entries(current.types)
                .filter(([t]) => claim.type === 'all' || t === claim.type)
                .map(([t, c]) => [t, { ...c, email: 'off' as const }]),
            );
            await notifications.setPreferences(claim.tenantId, claim.userId, { types });
            options.logger.info({ userId: claim.userId, type: claim.type }, 'unsubscribed from email');
            return { type: claim.type };
          },
          async notify(req) {
            if (!req.tenantId || !req.userId || !req.dedupeKey) throw new DomainError('VALIDATION_FAILED', 'tenantId, userId and dedupeKey are required', { errors: { dedupeKey: 'required' } });
            if (!isNotificationType(req.type)) throw new DomainError('VALIDATION_FAILED', `unknown notification type '${req.type}'`, { errors: { type: `one of ${Object.keys(NOTIFICATION_TYPES).join(', ')}` } });
            const id = await notifications.notify(req.tenantId, req.userId, { type: req.type, title: req.title, body: req.body, data: req.data ?? {} }, `notify.${req.tenantId}.${req.dedupeKey}`);
            return { notificationId: id };
          },
        }),
      },
    ],
  });
  options.logger.info({ address: server.address, email: Boolean(mailer) }, 'notification service listening');
  return {
    name: 'notification' as const,
    app: notifications,
    deliver,
    address: server.address,
    port: server.port,
    close: async () => {
      if (timer) clearInterval(timer);
      await server.close(1000);
      await delivering?.catch(() => undefined);
      await notifications.close();
      await opened?.close();
      (transport as { close?: () => void } | undefined)?.close?.();
    },
  };
}
