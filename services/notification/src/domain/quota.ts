import type { TenantQuotas } from '@agentry/kernel';
import type { Draft } from './catalog';

export type { TenantQuotas } from '@agentry/kernel';

/** Share of a quota at which its owners are told, in percent: "nearly used", then "used up". */
export const QUOTA_THRESHOLDS = [80, 100] as const;
export type QuotaThreshold = (typeof QUOTA_THRESHOLDS)[number];

/** The UTC day (YYYY-MM-DD) of an ISO-8601 instant; '' when it is not one. */
export function utcDay(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : '';
}

/** The thresholds `used` of `limit` has reached (none for an absent or non-positive limit). */
export function thresholdsReached(used: number, limit: number | undefined): QuotaThreshold[] {
  if (limit === undefined || !Number.isFinite(limit) || limit <= 0) return [];
  return QUOTA_THRESHOLDS.filter((pct) => used * 100 >= limit * pct);
}

/** One notification per tenant, day, quota and threshold (per recipient, the user id is appended). */
export function quotaDedupeKey(tenantId: string, day: string, quota: keyof TenantQuotas, threshold: QuotaThreshold): string {
  return `quota:${tenantId}:${day}:${quota}:${threshold}`;
}

/** What a tenant owner reads when the tenant's executions of the day reach a threshold (pure). */
export function executionsQuotaDraft(input: { day: string; used: number; limit: number; threshold: QuotaThreshold }): Draft {
  const { day, used, limit, threshold } = input;
  const data = { quota: 'executionsPerDay', day, used, limit, threshold };
  if (threshold >= 100)
    return {
      type: 'quota_nearly_used',
      title: `All ${limit} executions of today are used`,
      body: `Your workspace started ${used} of its ${limit} executions for ${day} (UTC); further executions are refused until midnight UTC unless the quota is raised.`,
      data,
    };
  return {
    type: 'quota_nearly_used',
    title: `${threshold}% of today's executions are used`,
    body: `Your workspace started ${used} of its ${limit} executions for ${day} (UTC). At ${limit}, new executions are refused until midnight UTC.`,
    data,
  };
}
