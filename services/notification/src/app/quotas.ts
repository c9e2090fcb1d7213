import type { EventStore } from '@agentry/event-log';
import { tenantQuotasOf, type EventEnvelope } from '@agentry/kernel';
import type { Draft } from '../domain/catalog';
import { executionsQuotaDraft, quotaDedupeKey, thresholdsReached, utcDay, type TenantQuotas } from '../domain/quota';

export interface QuotaNotice {
  tenantId: string;
  userId: string;
  draft: Draft;
  /** Also the notification's id: appending it twice is refused by the log, so a notice is sent once. */
  dedupeKey: string;
}

interface DayUsage {
  day: string;
  /** Ids of the executions requested that day: an event delivered twice (or re-read at start-up) counts once. */
  executions: Set<string>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * Tenants' daily execution usage against their `executionsPerDay` quota, and who to tell when it nears the limit.
 * Fed by tenant and user events (quotas, owners) and by `ExecutionRequested` (every execution, sub-agents included,
 * on the UTC day of its `requestedAt`: what the gateway's usage endpoint counts). Only the latest day per tenant is
 * kept in memory.
 */
export class QuotaWatch {
  private readonly quotas = new Map<string, TenantQuotas>();
  private readonly roles = new Map<string, Map<string, string>>(); // tenant -> user -> role
  private readonly usage = new Map<string, DayUsage>();
  /** Notices of `sentDay` already appended (or found appended) by this process, to skip the append next time. */
  private readonly sent = new Set<string>();
  private sentDay = '';

  /** Tenant and user events: the quotas (the latest complete set) and each tenant's owners. */
  learn(e: EventEnvelope): void {
    const d = (e.data ?? {}) as Record<string, unknown>;
    const tenantId = str(d.tenantId) || e.tenantId;
    const userId = str(d.userId);
    switch (e.type) {
      case 'TenantQuotasSet':
        this.quotas.set(tenantId, tenantQuotasOf(d.quotas));
        return;
      case 'UserRegistered':
        if (userId) this.membersOf(tenantId).set(userId, Array.isArray(d.roles) && d.roles.includes('owner') ? 'owner' : 'member');
        return;
      case 'MemberAdded':
      case 'MemberRoleChanged':
        if (userId) this.membersOf(tenantId).set(userId, str(d.role));
        return;
      case 'MemberRemoved':
        this.roles.get(tenantId)?.delete(userId);
        return;
      default:
    }
  }

  /** Counts an `ExecutionRequested` in its tenant's day; an older day than the one tracked is ignored. */
  count(e: EventEnvelope): void {
    if (e.type !== 'ExecutionRequested') return;
    const d = (e.data ?? {}) as Record<string, unknown>;
    const tenantId = str(d.tenantId) || e.tenantId;
    const day = utcDay(str(d.requestedAt)) || utcDay(e.occurredAt);
    if (!day) return; // no usable time: not countable (and never worth stopping the consumer over)
    const executionId = str(d.executionId) || e.streamId;
    const current = this.usage.get(tenantId);
    if (current && current.day > day) return;
    if (!current || current.day < day) this.usage.set(tenantId, { day, executions: new Set([executionId]) });
    else current.executions.add(executionId);
  }

  /** Executions counted for a tenant on a day. */
  used(tenantId: string, day: string): number {
    const u = this.usage.get(tenantId);
    return u && u.day === day ? u.executions.size : 0;
  }

  /** The notices a tenant's usage of `today` calls for, to every owner, skipping those already sent. */
  due(tenantId: string, today: string): QuotaNotice[] {
    if (today !== this.sentDay) {
      this.sent.clear();
      this.sentDay = today;
    }
    const limit = this.quotas.get(tenantId)?.executionsPerDay;
    const used = this.used(tenantId, today);
    const reached = thresholdsReached(used, limit);
    if (!reached.length) return [];
    const owners = [...(this.roles.get(tenantId) ?? new Map<string, string>()).entries()].filter(([, role]) => role === 'owner').map(([userId]) => userId);
    const notices: QuotaNotice[] = [];
    for (const threshold of reached) {
      const draft = executionsQuotaDraft({ day: today, used, limit: limit!, threshold });
      const key = quotaDedupeKey(tenantId, today, 'executionsPerDay', threshold);
      for (const userId of owners) if (!this.sent.has(`${key}:${userId}`)) notices.push({ tenantId, userId, draft, dedupeKey: `${key}:${userId}` });
    }
    return notices;
  }

  markSent(notice: QuotaNotice): void {
    this.sent.add(notice.dedupeKey);
  }

  /**
   * Start-up: counts the executions requested today again (the counts live in memory only). Finds the first
   * execution event of the day by bisecting the log on positions, then reads from there.
   */
  async recount(events: EventStore, today: string): Promise<void> {
    if (![...this.quotas.values()].some((q) => q.executionsPerDay !== undefined)) return;
    // An hour early: appenders' clocks and requestedAt vs occurredAt may differ a little; count() filters by day.
    const from = new Date(Date.parse(`${today}T00:00:00Z`) - 3600_000).toISOString();
    let lo = 0;
    let hi = await events.headPosition();
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const [first] = await events.readAll({ after: mid, limit: 1, categories: ['execution'] });
      if (first && first.occurredAt < from) lo = first.globalPosition;
      else hi = mid;
    }
    for (let after = lo; ; ) {
      const page = await events.readAll({ after, limit: 5000, categories: ['execution'] });
      for (const e of page) if (e.type === 'ExecutionRequested' && (utcDay(str((e.data as { requestedAt?: unknown })?.requestedAt)) || utcDay(e.occurredAt)) === today) this.count(e);
      if (page.length < 5000) return;
      after = page[page.length - 1].globalPosition;
    }
  }

  private membersOf(tenantId: string): Map<string, string> {
    let m = this.roles.get(tenantId);
    if (!m) this.roles.set(tenantId, (m = new Map()));
    return m;
  }
}
