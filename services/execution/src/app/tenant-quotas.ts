import type { EventStore } from '@agentry/event-log';
import { DomainError, tenantQuotasOf, type TenantQuotas } from '@agentry/kernel';
import type { TenantCounts } from './execution-index';

const PAGE = 1000;

/**
 * Read model of tenant quotas folded from the `tenant` category of the log (the execution service keeps nothing
 * else of record). `refresh()` folds what was appended since the last call, so a check made after it sees every
 * quota change committed before it started: one indexed read when nothing is new.
 */
export class TenantQuotaModel {
  private readonly byTenant = new Map<string, TenantQuotas>();
  private position = 0;
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly store: EventStore) {}

  refresh(): Promise<void> {
    const next = this.tail.then(() => this.readNew());
    this.tail = next.catch(() => undefined);
    return next;
  }

  get(tenantId: string): TenantQuotas | undefined {
    return this.byTenant.get(tenantId);
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const page = await this.store.readAll({ after: this.position, limit: PAGE, categories: ['tenant'] });
      for (const e of page) {
        this.position = e.globalPosition;
        if (e.type !== 'TenantQuotasSet') continue;
        const data = e.data as { tenantId?: unknown; quotas?: unknown } | null;
        const tenantId = typeof data?.tenantId === 'string' ? data.tenantId : e.tenantId;
        this.byTenant.set(tenantId, tenantQuotasOf(data?.quotas));
      }
      if (page.length < PAGE) return;
    }
  }
}

/** QUOTA_EXCEEDED when one more execution would take the tenant past a quota; `counts` include reserved starts. */
export function checkExecutionQuotas(
  tenantId: string,
  quotas: TenantQuotas | undefined,
  counts: TenantCounts,
  day: string,
): void {
  if (!quotas) return;
  const perDay = quotas.executionsPerDay;
  if (perDay !== undefined && counts.requestedOnDay >= perDay)
    throw new DomainError(
      'QUOTA_EXCEEDED',
      `the tenant's quota is ${perDay} executions per day (UTC); ${counts.requestedOnDay} were started on ${day}`,
      { tenantId, quota: 'executionsPerDay', limit: perDay, used: counts.requestedOnDay, day },
    );
  const concurrent = quotas.concurrentExecutions;
  if (concurrent !== undefined && counts.running >= concurrent)
    throw new DomainError(
      'QUOTA_EXCEEDED',
      `the tenant's quota is ${concurrent} concurrent executions; ${counts.running} are running`,
      { tenantId, quota: 'concurrentExecutions', limit: concurrent, used: counts.running },
    );
}
