/**
 * Limits of one tenant, as the gateway records them in `TenantQuotasSet { tenantId, quotas, setBy, at }` on the
 * tenant stream `tenant-<id>`: the complete set after each change (not a patch; an absent limit is unlimited), so
 * a consumer (execution service, notification service) may take the latest event as it is.
 */
export interface TenantQuotas {
  executionsPerDay?: number;
  concurrentExecutions?: number;
  storageBytes?: number;
}

export const QUOTA_NAMES = [
  'executionsPerDay',
  'concurrentExecutions',
  'storageBytes',
] as const satisfies ReadonlyArray<keyof TenantQuotas>;

/** The quotas of a `TenantQuotasSet` payload as read from the log: only non-negative integers count as limits. */
export function tenantQuotasOf(value: unknown): TenantQuotas {
  const out: TenantQuotas = {};
  if (!value || typeof value !== 'object') return out;
  for (const name of QUOTA_NAMES) {
    const v = (value as Record<string, unknown>)[name];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) out[name] = v;
  }
  return out;
}
