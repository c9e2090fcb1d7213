import type { EventStore } from '@agentry/event-log';
import { categoryOf, streamIdOf, type EventEnvelope } from '@agentry/kernel';
import { ReadModelProjection, type CollectionSpec, type ProjectionSpec, type ReadStore } from '@agentry/read-store';
import type { EmailMode } from '../domain/catalog';
import { pageLimit, type NotificationList, type NotificationPage, type PageRequest } from './notification-list';
import type { Notification, NotificationEvent } from './notifications';

/** One in-app notification as a read-store document (scalars only; `data` as JSON). */
export type NotificationDoc = {
  userId: string;
  type: string;
  title: string;
  body: string;
  dataJson: string;
  read: boolean;
  createdAt: string;
  emailMode: string;
};

/** The list query of every user (newest first) and its unread filter (and the unread count); tenant first. */
export const NOTIFICATION_LIST: CollectionSpec<NotificationDoc> = {
  name: 'notification_list',
  indexes: [
    ['userId', 'createdAt'],
    ['userId', 'read', 'createdAt'],
  ],
};

type Created = Extract<NotificationEvent, { type: 'NotificationCreated' }>['data'];
type Read = Extract<NotificationEvent, { type: 'NotificationsRead' }>['data'];

/**
 * The fold of one notification. A `NotificationsRead` event (one per mark-read, in the user's `notifread-` stream)
 * reaches it as one envelope per notification it names (see `perNotification`), at the event's own position.
 */
export function foldNotification(current: NotificationDoc | undefined, e: EventEnvelope): NotificationDoc | undefined {
  if (e.type === 'NotificationCreated') {
    if (current) return undefined;
    const d = e.data as Created;
    if (d.inApp === false) return undefined; // email only: never listed
    return {
      userId: d.userId,
      type: d.type,
      title: d.title,
      body: d.body,
      dataJson: JSON.stringify(d.data ?? {}),
      read: false,
      createdAt: d.createdAt,
      emailMode: d.emailMode ?? 'off',
    };
  }
  if (e.type === 'NotificationsRead') {
    const d = e.data as Read;
    if (!current || current.read || current.userId !== d.userId) return undefined;
    return { ...current, read: true };
  }
  return undefined;
}

/** A mark-read event as one envelope per notification it names, on that notification's stream (same position). */
function perNotification(events: EventEnvelope[]): EventEnvelope[] {
  const out: EventEnvelope[] = [];
  for (const e of events) {
    const category = categoryOf(e.streamId);
    if (category === 'notification') out.push(e);
    else if (category === 'notifread' && e.type === 'NotificationsRead') {
      const d = e.data as Read;
      for (const id of new Set(d.ids)) out.push({ ...e, streamId: streamIdOf('notification', id) });
    }
  }
  return out;
}

const SPEC: ProjectionSpec<NotificationDoc> = {
  name: 'notification-list-v1',
  categories: ['notification', 'notifread'],
  collection: NOTIFICATION_LIST,
  fold: foldNotification,
};

/**
 * `ReadModelProjection` folds one event into one document; a mark-read names several notifications, so events are
 * fanned out (one envelope per notification) before they are folded, live and while catching up alike.
 */
class NotificationProjection extends ReadModelProjection<NotificationDoc> {
  override apply(events: EventEnvelope[]): Promise<void> {
    return super.apply(perNotification(events));
  }
}

const toNotification = (tenantId: string, id: string, d: NotificationDoc): Notification => ({
  id,
  tenantId,
  userId: d.userId,
  type: d.type,
  title: d.title,
  body: d.body,
  data: JSON.parse(d.dataJson) as Record<string, unknown>,
  read: d.read,
  createdAt: d.createdAt,
  inApp: true,
  emailMode: d.emailMode as EmailMode,
});

/**
 * The notification list in libs/read-store (SQLite or MongoDB): one document per in-app notification, keyed by
 * (tenant, notification id) and written at the position of the event that last changed it, so a redelivered or
 * replayed event is a no-op. The service applies its own appends at once (a read after a write sees them) and
 * catches up with the log (checkpointed) for other replicas' writes.
 */
export class ReadStoreNotificationList implements NotificationList {
  private readonly projection: NotificationProjection;
  private stopFollowing?: () => void;

  constructor(
    events: EventStore,
    store: ReadStore,
    private readonly options: { followMs?: number; onError?: (err: unknown) => void } = {},
  ) {
    this.projection = new NotificationProjection(events, store, SPEC);
  }

  /**
   * Catches up from the checkpoint, then follows the log every `followMs` (other replicas' writes) unless it is 0:
   * the service's own poll calls `catchUp` instead.
   */
  async start(): Promise<void> {
    await this.projection.catchUp();
    const every = this.options.followMs ?? 250;
    if (every > 0) this.stopFollowing ??= this.projection.follow(every, this.options.onError);
  }

  async catchUp(): Promise<void> {
    await this.projection.catchUp();
  }

  /** A failed write is reported, not thrown: the event is in the log, and the next catch-up writes it. */
  async apply(events: EventEnvelope[]): Promise<void> {
    await this.projection.apply(events).catch((err: unknown) => this.options.onError?.(err));
  }

  async list(tenantId: string, userId: string, unreadOnly: boolean, page: PageRequest): Promise<NotificationPage> {
    const docs = await this.projection.collection();
    const [found, unreadCount] = await Promise.all([
      docs.list({
        tenantId,
        where: unreadOnly ? { userId, read: false } : { userId },
        orderBy: { field: 'createdAt', direction: 'desc' },
        limit: pageLimit(page.limit),
        cursor: page.cursor || undefined,
      }),
      this.unreadCount(tenantId, userId),
    ]);
    return {
      items: found.items.map((d) => toNotification(tenantId, d.id, d.data)),
      unreadCount,
      nextCursor: found.nextCursor ?? '',
    };
  }

  async unreadCount(tenantId: string, userId: string): Promise<number> {
    return (await this.projection.collection()).count({ tenantId, where: { userId, read: false } });
  }

  async close(): Promise<void> {
    this.stopFollowing?.();
    this.stopFollowing = undefined;
    await this.projection.idle();
  }
}
