export type Role = 'owner' | 'admin' | 'member' | 'viewer';

export type AccountEvent =
  | { type: 'TenantCreated'; data: { tenantId: string; name: string; createdAt: string } }
  | { type: 'UserRegistered'; data: { userId: string; tenantId: string; email: string; passwordHash: string; roles: Role[]; createdAt: string } };
