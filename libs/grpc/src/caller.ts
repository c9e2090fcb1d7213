import { DomainError } from '@agentry/kernel';

export interface Caller {
  tenantId: string;
  userId: string;
  roles: string[];
}

/** Every tenant-scoped RPC carries the caller; without one there is nobody to scope the data to. */
export function requireCaller(caller: { tenantId: string; userId: string; roles?: string[] } | undefined): Caller {
  if (!caller || !caller.tenantId) throw new DomainError('UNAUTHENTICATED', 'the call carries no caller tenant');
  return { tenantId: caller.tenantId, userId: caller.userId, roles: caller.roles ?? [] };
}
