import { EventEmitter } from 'node:events';
import type { EventStore, Subscription } from '@agentry/event-log';
import { DomainError, categoryOf, streamIdOf, type Clock, type EventEnvelope } from '@agentry/kernel';
import type { ReadStore } from '@agentry/read-store';
import { catchUpCategories, replayCategories } from '@agentry/runtime';
import { utcDay } from '../domain/quota';
import { InMemoryNotificationList, type NotificationList, type NotificationPage } from './notification-list';
import { ReadStoreNotificationList } from './notification-list-read-store';
import { QuotaWatch } from './quotas';
import { draftFor, EMAIL_MODES, isNotificationType, NOTIFICATION_TYPES, type ChannelPreference, type Draft, type EmailMode, type NotificationType } from '../domain/catalog';

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
  inApp: boolean;
  emailMode: EmailMode;
}

export interface Preferences {
  emailAddress: string;
  dailyEmailCap: number;
  types: Record<string, ChannelPreference>;
}

export interface EmailRecord {
  id: string;
  tenantId: string;
  userId: string;
  kind: 'immediate' | 'batched' | 'daily';
  to: string;
  subject: string;
  html: string;
  text: string;
  unsubscribeUrl: string;
  notificationIds: string[];
  queuedAt: string;
  status: 'queued' | 'sending' | 'retrying' | 'sent' | 'abandoned' | 'suppressed' | 'uncertain';
  attempts: number;
  nextAttemptAt: string;
  startedAt?: string;
  lastError?: string;
  streamVersion: number;
}

export type NotificationEvent =
  | { type: 'NotificationCreated'; data: Omit<Notification, 'read'> }
  | { type: 'NotificationsRead'; data: { ids: string[]; userId: string; readAt: string } }
  | { type: 'NotificationPreferencesSet'; data: { tenantId: string; userId: string; preferences: Preferences; at: string } }
  | { type: 'EmailQueued'; data: Omit<EmailRecord, 'status' | 'attempts' | 'nextAttemptAt' | 'streamVersion' | 'startedAt' | 'lastError'> }
  | { type: 'EmailSuppressed'; data: { id: string; tenantId: string; userId: string; notificationIds: string[]; reason: string; at: string } }
  | { type: 'EmailSendStarted'; data: { id: string; attempt: number; at: string } }
  | { type: 'EmailSent'; data: { id: string; attempt: number; messageId: string; at: string } }
  | { type: 'EmailSendFailed'; data: { id: string; attempt: number; error: string; retryAt: string; outcome: 'retry' | 'abandoned' | 'uncertain' } };

const PROJECTED = ['notification', 'notifread', 'notifprefs', 'email'];
export const DEFAULT_DAILY_EMAIL_CAP = 20;

const key = (tenantId: string, userId: string) => `${tenantId}/${userId}`;

/**
 * Notifications and preferences (state of record: events). Consumed events become notifications with a stream id
 * derived from the source event id, so a redelivered event creates nothing new. The projection also tails its own
 * categories, so replicas see each other's writes; new in-app notifications are pushed to watchers.
 */
export class Notifications {
  readonly byId = new Map<string, Notification>();
  readonly emails = new Map<string, EmailRecord>();
  /** Notification ids some email (queued or suppressed) already covers. */
  readonly emailed = new Set<string>();
  private readonly prefs = new Map<string, Preferences>();
  private readonly userEmails = new Map<string, string>();
  private readonly owners = new Map<string, { userId: string; graphName?: string }>();
  private readonly versions = new Map<string, number>();
  private readonly watchers = new EventEmitter();
  private readonly quotas = new QuotaWatch();
  private position = 0;
  private subscription?: Subscription;
  private tail?: NodeJS.Timeout;
  /** The poll's catch-up in flight (close waits for it). */
  private polling?: Promise<void>;
  /** The notification list and unread counts: over `byId` by default, in libs/read-store when given one. */
  private readonly listModel: NotificationList;

  constructor(
    private readonly deps: {
      events: EventStore;
      clock: Clock;
      dailyEmailCap?: number;
      pollMs?: number;
      onCreated?: (n: Notification) => void;
      /** Serve the list from this read store (SQLite or MongoDB); it stays open on close. */
      readModels?: ReadStore;
      /** A read-store write that failed (the next catch-up repairs it). */
      onError?: (err: unknown) => void;
    },
  ) {
    this.watchers.setMaxListeners(0);
    // the read-store list follows the log through this service's own poll (catchUp), not a timer of its own
    this.listModel = deps.readModels ? new ReadStoreNotificationList(deps.events, deps.readModels, { followMs: 0, onError: deps.onError }) : new InMemoryNotificationList(this.byId);
  }

  async start(): Promise<void> {
    await replayCategories(this.deps.events, ['user', 'tenant'], (e) => {
      this.learnUser(e);
      this.quotas.learn(e);
    });
    this.position = await this.deps.events.headPosition();
    await replayCategories(this.deps.events, PROJECTED, (e) => this.apply(e));
    await this.listModel.start();
    await this.quotas.recount(this.deps.events, utcDay(this.now()));
    this.subscription = this.deps.events.subscribe({ consumer: 'notification-service-v2', categories: ['execution', 'listing', 'user', 'tenant'], handler: (e) => this.ingest(e) });
    const poll = () => {
      this.polling = this.catchUp()
        .catch((err: unknown) => this.deps.onError?.(err))
        .finally(() => {
          this.polling = undefined;
          if (this.tail) this.tail = setTimeout(poll, this.deps.pollMs ?? 250).unref();
        });
    };
    this.tail = setTimeout(poll, this.deps.pollMs ?? 250).unref();
  }

  async close(): Promise<void> {
    const t = this.tail;
    this.tail = undefined;
    if (t) clearTimeout(t);
    await this.subscription?.close();
    await this.polling;
    await this.listModel.close();
    this.watchers.removeAllListeners();
  }

  /** Applies what other replicas appended to the projected categories (and catches the list up). */
  async catchUp(): Promise<void> {
    this.position = await catchUpCategories(this.deps.events, PROJECTED, this.position, (page) => this.fold(page));
    await this.listModel.catchUp();
  }

  /**
   * Folds events (of any category; log order) into the list, then into memory (which tells watchers), so a
   * watcher's unread count already includes a new notification. Folding the same events again changes nothing.
   */
  async fold(events: EventEnvelope[]): Promise<void> {
    await this.listModel.apply(events);
    for (const e of events) if (PROJECTED.includes(categoryOf(e.streamId))) this.apply(e);
  }

  /** In-app notifications of one user, newest first, and the user's unread count. */
  list(tenantId: string, userId: string, unreadOnly: boolean, page: { cursor: string; limit: number } = { cursor: '', limit: 0 }): Promise<NotificationPage> {
    return this.listModel.list(tenantId, userId, unreadOnly, page);
  }

  unreadCount(tenantId: string, userId: string): Promise<number> {
    return this.listModel.unreadCount(tenantId, userId);
  }

  async markRead(tenantId: string, userId: string, ids: string[], all = false): Promise<void> {
    const own = all
      ? [...this.byId.values()].filter((n) => n.tenantId === tenantId && n.userId === userId && !n.read).map((n) => n.id)
      : ids.filter((id) => {
          const n = this.byId.get(id);
          return n && n.tenantId === tenantId && n.userId === userId;
        });
    if (!own.length) return;
    await this.append(streamIdOf('notifread', `${tenantId}.${userId}`), 'any', tenantId, [{ type: 'NotificationsRead', data: { ids: own, userId, readAt: this.now() } }]);
  }

  preferences(tenantId: string, userId: string): Preferences {
    const set = this.prefs.get(key(tenantId, userId));
    const types: Record<string, ChannelPreference> = {};
    for (const [t, d] of Object.entries(NOTIFICATION_TYPES)) types[t] = { ...d, ...(set?.types[t] ?? {}) };
    return { emailAddress: set?.emailAddress ?? '', dailyEmailCap: set?.dailyEmailCap || this.deps.dailyEmailCap || DEFAULT_DAILY_EMAIL_CAP, types };
  }

  async setPreferences(tenantId: string, userId: string, input: Partial<Preferences>): Promise<Preferences> {
    const errors: Record<string, string> = {};
    for (const [t, p] of Object.entries(input.types ?? {})) {
      if (!isNotificationType(t)) errors[`types.${t}`] = `unknown notification type; one of ${Object.keys(NOTIFICATION_TYPES).join(', ')}`;
      else if (!EMAIL_MODES.includes(p.email)) errors[`types.${t}.email`] = `one of ${EMAIL_MODES.join(', ')}`;
    }
    if (input.emailAddress && !/^[^\s@]+@[^\s@]+$/.test(input.emailAddress)) errors.emailAddress = 'an email address';
    if (input.dailyEmailCap !== undefined && (input.dailyEmailCap < 0 || input.dailyEmailCap > 1000)) errors.dailyEmailCap = '0–1000';
    if (Object.keys(errors).length) throw new DomainError('VALIDATION_FAILED', 'the preferences are not valid', { errors });
    const current = this.preferences(tenantId, userId);
    const preferences: Preferences = {
      emailAddress: input.emailAddress ?? current.emailAddress,
      dailyEmailCap: input.dailyEmailCap ?? this.prefs.get(key(tenantId, userId))?.dailyEmailCap ?? 0,
      types: { ...current.types, ...(input.types ?? {}) },
    };
    await this.append(streamIdOf('notifprefs', `${tenantId}.${userId}`), 'any', tenantId, [{ type: 'NotificationPreferencesSet', data: { tenantId, userId, preferences, at: this.now() } }]);
    return this.preferences(tenantId, userId);
  }

  emailAddressOf(tenantId: string, userId: string): string {
    return this.prefs.get(key(tenantId, userId))?.emailAddress || this.userEmails.get(userId) || '';
  }

  /** In-app pushes for one user (WatchNotifications); returns the unsubscribe function. */
  watch(tenantId: string, userId: string, listener: (n: Notification) => void): () => void {
    const channel = key(tenantId, userId);
    this.watchers.on(channel, listener);
    return () => this.watchers.off(channel, listener);
  }

  /** A notification no consumed event implies (e.g. quota nearly used); the dedupe key makes it idempotent. */
  async notify(tenantId: string, userId: string, draft: Draft, dedupeKey: string): Promise<string> {
    return this.create(tenantId, userId, draft, dedupeKey);
  }

  async append(streamId: string, expectedVersion: number | 'any', tenantId: string, events: NotificationEvent[]): Promise<void> {
    const result = await this.deps.events.append(streamId, events, { expectedVersion, tenantId });
    await this.fold(result.events);
  }

  private async create(tenantId: string, userId: string, draft: Draft, sourceId: string): Promise<string> {
    const pref = this.preferences(tenantId, userId).types[draft.type];
    const id = sourceId;
    if (!pref.inApp && pref.email === 'off') return id;
    const n: Omit<Notification, 'read'> = { id, tenantId, userId, ...draft, createdAt: this.now(), inApp: pref.inApp, emailMode: pref.email };
    try {
      await this.append(streamIdOf('notification', id), 0, tenantId, [{ type: 'NotificationCreated', data: n }]);
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== 'VERSION_CONFLICT') throw err; // already notified
    }
    return id;
  }

  private learnUser(e: EventEnvelope): void {
    const d = (e.data ?? {}) as { userId?: unknown; email?: unknown };
    if (typeof d.userId === 'string' && typeof d.email === 'string') this.userEmails.set(d.userId, d.email);
  }

  private async ownerOf(executionId: string): Promise<{ userId: string; graphName?: string } | undefined> {
    const known = this.owners.get(executionId);
    if (known) return known;
    const first = (await this.deps.events.readStream(streamIdOf('execution', executionId)))[0];
    const d = (first?.data ?? {}) as { userId?: unknown; graphName?: unknown };
    if (first?.type !== 'ExecutionRequested' || typeof d.userId !== 'string') return undefined;
    const owner = { userId: d.userId, graphName: typeof d.graphName === 'string' ? d.graphName : undefined };
    this.owners.set(executionId, owner);
    return owner;
  }

  private async ingest(e: EventEnvelope): Promise<void> {
    const category = categoryOf(e.streamId);
    const data = (e.data ?? {}) as Record<string, unknown>;
    if (category === 'user' || category === 'tenant') {
      this.learnUser(e);
      this.quotas.learn(e);
      if (e.type === 'TenantQuotasSet') await this.notifyQuotaUsage(typeof data.tenantId === 'string' ? data.tenantId : e.tenantId);
      return;
    }
    if (category === 'execution') {
      const executionId = e.streamId.slice('execution-'.length);
      if (e.type === 'ExecutionRequested') {
        this.quotas.count(e);
        await this.notifyQuotaUsage(typeof data.tenantId === 'string' ? data.tenantId : e.tenantId);
      }
      if (e.type === 'ExecutionRequested' && typeof data.userId === 'string') {
        this.owners.set(executionId, { userId: data.userId, graphName: typeof data.graphName === 'string' ? data.graphName : undefined });
        return;
      }
      if (!['ExecutionFailed', 'ExecutionCompleted', 'ReviewRequested'].includes(e.type)) return;
      const owner = await this.ownerOf(executionId);
      const draft = owner && draftFor(category, e.type, data, { executionId, graphName: owner.graphName });
      if (owner && draft) await this.create(e.tenantId, owner.userId, draft, e.id);
      if (e.type !== 'ReviewRequested') this.owners.delete(executionId);
      return;
    }
    if (category === 'listing') {
      const userId = [data.ownerId, data.creatorId, data.userId].find((v): v is string => typeof v === 'string');
      const draft = draftFor(category, e.type, data, {});
      if (userId && draft) await this.create(e.tenantId, userId, draft, e.id);
    }
  }

  /** Tells the tenant's owners, once per threshold and UTC day, that today's executions near the quota. */
  private async notifyQuotaUsage(tenantId: string): Promise<void> {
    for (const notice of this.quotas.due(tenantId, utcDay(this.now()))) {
      await this.create(notice.tenantId, notice.userId, notice.draft, notice.dedupeKey);
      this.quotas.markSent(notice);
    }
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  /** The in-memory fold (stream versions make a second delivery a no-op); `catchUp` moves `position`, not this. */
  private apply(envelope: EventEnvelope): void {
    if ((this.versions.get(envelope.streamId) ?? 0) >= envelope.streamVersion) return;
    this.versions.set(envelope.streamId, envelope.streamVersion);
    const event = { type: envelope.type, data: envelope.data } as NotificationEvent;
    const email = 'id' in (event.data as object) ? this.emails.get((event.data as { id: string }).id) : undefined;
    switch (event.type) {
      case 'NotificationCreated': {
        const n: Notification = { ...event.data, inApp: event.data.inApp ?? true, emailMode: event.data.emailMode ?? 'off', read: false };
        this.byId.set(n.id, n);
        if (n.inApp) this.watchers.emit(key(n.tenantId, n.userId), n);
        this.deps.onCreated?.(n);
        return;
      }
      case 'NotificationsRead':
        for (const id of event.data.ids) if (this.byId.has(id)) this.byId.get(id)!.read = true;
        return;
      case 'NotificationPreferencesSet':
        this.prefs.set(key(event.data.tenantId, event.data.userId), event.data.preferences);
        return;
      case 'EmailQueued':
        this.emails.set(event.data.id, { ...event.data, status: 'queued', attempts: 0, nextAttemptAt: event.data.queuedAt, streamVersion: envelope.streamVersion });
        for (const id of event.data.notificationIds) this.emailed.add(id);
        return;
      case 'EmailSuppressed':
        for (const id of event.data.notificationIds) this.emailed.add(id);
        return;
      case 'EmailSendStarted':
        if (email) Object.assign(email, { status: 'sending', attempts: event.data.attempt, startedAt: event.data.at, streamVersion: envelope.streamVersion });
        return;
      case 'EmailSent':
        if (email) Object.assign(email, { status: 'sent', streamVersion: envelope.streamVersion });
        return;
      case 'EmailSendFailed':
        if (email) Object.assign(email, { status: event.data.outcome === 'retry' ? 'retrying' : event.data.outcome, nextAttemptAt: event.data.retryAt, lastError: event.data.error, streamVersion: envelope.streamVersion });
        return;
      default: {
        const never: never = event;
        void never;
      }
    }
  }
}

export type { NotificationType };
