import type { EventEnvelope } from '@agentry/kernel';
import type { Notification } from './notifications';

export interface NotificationPage {
  /** Newest first (createdAt, then id). */
  items: Notification[];
  /** Unread in-app notifications of the user (whatever the page or the filter). */
  unreadCount: number;
  /** Opaque; '' on the last page. */
  nextCursor: string;
}

export interface PageRequest {
  /** '' for the first page, else a previous page's `nextCursor` (same adapter, same filter). */
  cursor: string;
  /** 0 for the default (50); at most 200. */
  limit: number;
}

/** createdAt, then id, both descending, by code unit (as the read store orders them). */
const newestFirst = (a: Notification, b: Notification) =>
  a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.id === b.id ? 0 : a.id < b.id ? 1 : -1;

export const pageLimit = (limit: number) => (limit > 0 ? Math.min(limit, 200) : 50);

/**
 * The notification list port: the in-app notifications of one user of one tenant, newest first, and their unread
 * count. A read model of the `notification` and `notifread` categories, never the source of truth. Adapters:
 * `InMemoryNotificationList` (the default, over the service's own fold) and `ReadStoreNotificationList`
 * (libs/read-store: SQLite or MongoDB, AGENTRY_READ_STORE=mongo).
 */
export interface NotificationList {
  /** Folds the log up to its head, then keeps following it (other replicas' writes). */
  start(): Promise<void>;
  /** Folds the log from where this list left off to its head (start-up, and other replicas' writes). */
  catchUp(): Promise<void>;
  /** Events just appended or read, any category (others are ignored); applying them again changes nothing. */
  apply(events: EventEnvelope[]): Promise<void>;
  list(tenantId: string, userId: string, unreadOnly: boolean, page: PageRequest): Promise<NotificationPage>;
  unreadCount(tenantId: string, userId: string): Promise<number>;
  /** Stops following the log and waits for writes in flight (a store it was given stays open). */
  close(): Promise<void>;
}

/** Over the service's in-memory fold of every notification (`Notifications.byId`), which it keeps up to date. */
export class InMemoryNotificationList implements NotificationList {
  constructor(private readonly byId: ReadonlyMap<string, Notification>) {}

  async start(): Promise<void> {}

  async catchUp(): Promise<void> {}

  async apply(): Promise<void> {}

  async list(tenantId: string, userId: string, unreadOnly: boolean, page: PageRequest): Promise<NotificationPage> {
    const mine = [...this.byId.values()]
      .filter((n) => n.tenantId === tenantId && n.userId === userId && n.inApp)
      .sort(newestFirst);
    const filtered = unreadOnly ? mine.filter((n) => !n.read) : mine;
    const offset = Math.max(0, Number(page.cursor) || 0);
    const limit = pageLimit(page.limit);
    const items = filtered.slice(offset, offset + limit).map((n) => ({ ...n }));
    return {
      items,
      unreadCount: mine.filter((n) => !n.read).length,
      nextCursor: offset + limit < filtered.length ? String(offset + limit) : '',
    };
  }

  async unreadCount(tenantId: string, userId: string): Promise<number> {
    let count = 0;
    for (const n of this.byId.values())
      if (n.tenantId === tenantId && n.userId === userId && n.inApp && !n.read) count++;
    return count;
  }

  async close(): Promise<void> {}
}
