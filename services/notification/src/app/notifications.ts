import type { EventStore, Subscription } from '@agentry/event-log';
import { DomainError, streamIdOf, type Clock, type EventEnvelope } from '@agentry/kernel';
import { replayCategories } from '@agentry/runtime';

export interface Notification {
  id: string;
  tenantId: string;
  userId: string;
  type: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  read: boolean;
  createdAt: string;
}

type NotificationEvent =
  | { type: 'NotificationCreated'; data: Omit<Notification, 'read'> }
  | { type: 'NotificationsRead'; data: { ids: string[]; userId: string; readAt: string } };

/** What execution events become notifications. */
const RULES: Record<string, { type: string; title: (d: Record<string, unknown>) => string }> = {
  ExecutionFailed: { type: 'execution_failed', title: () => 'An execution failed' },
  ExecutionCompleted: { type: 'execution_completed', title: () => 'An execution completed' },
  ReviewRequested: { type: 'review_waiting', title: () => 'A review is waiting for you' },
};

/**
 * In-app notifications. Execution events are consumed with a durable subscription; each notification's stream id
 * derives from the source event id, so a redelivered event creates nothing new.
 */
export class Notifications {
  private readonly byId = new Map<string, Notification>();
  private readonly owners = new Map<string, string>(); // executionId -> userId
  private subscription?: Subscription;

  constructor(private readonly deps: { events: EventStore; clock: Clock }) {}

  async start(): Promise<void> {
    await replayCategories(this.deps.events, ['notification', 'notifread'], (e) => this.apply(e));
    this.subscription = this.deps.events.subscribe({
      consumer: 'notification-service',
      categories: ['execution'],
      handler: (e) => this.onExecutionEvent(e),
    });
  }

  async close(): Promise<void> {
    await this.subscription?.close();
  }

  list(tenantId: string, userId: string, unreadOnly: boolean): { items: Notification[]; unreadCount: number } {
    const mine = [...this.byId.values()].filter((n) => n.tenantId === tenantId && n.userId === userId).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return { items: unreadOnly ? mine.filter((n) => !n.read) : mine, unreadCount: mine.filter((n) => !n.read).length };
  }

  async markRead(tenantId: string, userId: string, ids: string[]): Promise<void> {
    const own = ids.filter((id) => {
      const n = this.byId.get(id);
      return n && n.tenantId === tenantId && n.userId === userId;
    });
    if (!own.length) return;
    const result = await this.deps.events.append(streamIdOf('notifread', `${userId}`), [{ type: 'NotificationsRead', data: { ids: own, userId, readAt: this.deps.clock.now().toISOString() } }], {
      expectedVersion: 'any',
      tenantId,
    });
    for (const e of result.events) this.apply(e);
  }

  private async onExecutionEvent(e: EventEnvelope): Promise<void> {
    const data = (e.data ?? {}) as Record<string, unknown>;
    const executionId = e.streamId.slice('execution-'.length);
    if (e.type === 'ExecutionRequested' && typeof data.userId === 'string') this.owners.set(executionId, data.userId);
    const rule = RULES[e.type];
    const userId = this.owners.get(executionId);
    if (!rule || !userId) return;
    const n: Omit<Notification, 'read'> = {
      id: e.id,
      tenantId: e.tenantId,
      userId,
      type: rule.type,
      title: rule.title(data),
      body: typeof data.error === 'object' && data.error ? String((data.error as { message?: unknown }).message ?? '') : '',
      data: { executionId },
      createdAt: e.occurredAt,
    };
    try {
      const result = await this.deps.events.append(streamIdOf('notification', e.id), [{ type: 'NotificationCreated', data: n }], { expectedVersion: 0, tenantId: e.tenantId });
      for (const x of result.events) this.apply(x);
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== 'VERSION_CONFLICT') throw err; // already notified
    }
  }

  private apply(envelope: EventEnvelope): void {
    const event = { type: envelope.type, data: envelope.data } as NotificationEvent;
    if (event.type === 'NotificationCreated') this.byId.set(event.data.id, { ...event.data, read: false });
    else if (event.type === 'NotificationsRead') for (const id of event.data.ids) if (this.byId.has(id)) this.byId.get(id)!.read = true;
  }
}
