import type { TenantQuotas } from '@agentry/kernel';

export { QUOTA_NAMES, type TenantQuotas } from '@agentry/kernel';

export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that may change a tenant's resources (graphs, executions, credentials…); viewers only read. */
export const WRITER_ROLES: readonly Role[] = ['owner', 'admin', 'member'];
/** Roles that manage the tenant itself (members, invitations, API keys of others). */
export const MANAGER_ROLES: readonly Role[] = ['owner', 'admin'];

/** Streams: `tenant-<id>` (tenant, members, invitations, quotas), `user-<id>` (account, password, resets). */
export type AccountEvent =
  | { type: 'TenantCreated'; data: { tenantId: string; name: string; createdAt: string } }
  | {
      type: 'UserRegistered';
      data: {
        userId: string;
        tenantId: string;
        email: string;
        passwordHash: string;
        roles: Role[];
        createdAt: string;
        platformAdmin?: boolean;
      };
    }
  | { type: 'MemberAdded'; data: { tenantId: string; userId: string; role: Role; addedBy: string; at: string } }
  | { type: 'MemberRoleChanged'; data: { tenantId: string; userId: string; role: Role; changedBy: string; at: string } }
  | { type: 'MemberRemoved'; data: { tenantId: string; userId: string; removedBy: string; at: string } }
  | {
      type: 'InvitationCreated';
      data: {
        tenantId: string;
        invitationId: string;
        email: string;
        role: Role;
        tokenHash: string;
        invitedBy: string;
        expiresAt: string;
        at: string;
      };
    }
  | { type: 'InvitationAccepted'; data: { tenantId: string; invitationId: string; userId: string; at: string } }
  | { type: 'InvitationRevoked'; data: { tenantId: string; invitationId: string; revokedBy: string; at: string } }
  | { type: 'TenantQuotasSet'; data: { tenantId: string; quotas: TenantQuotas; setBy: string; at: string } }
  | {
      type: 'PasswordResetRequested';
      data: { userId: string; resetId: string; tokenHash: string; expiresAt: string; at: string };
    }
  | { type: 'PasswordChanged'; data: { userId: string; passwordHash: string; resetId?: string; at: string } };

/** Streams `session-<id>`: one refresh-token family; every refresh rotates the token, a reused one revokes the family. */
export type SessionEvent =
  | {
      type: 'SessionStarted';
      data: { sessionId: string; userId: string; tenantId: string; tokenHash: string; expiresAt: string; at: string };
    }
  | { type: 'SessionRefreshed'; data: { sessionId: string; tokenHash: string; expiresAt: string; at: string } }
  | {
      type: 'SessionRevoked';
      data: { sessionId: string; reason: 'logout' | 'reuse' | 'password-changed' | 'member-removed'; at: string };
    };

/** Streams `apikey-<id>`. The key itself is never stored: only its SHA-256. */
export type ApiKeyEvent =
  | {
      type: 'ApiKeyCreated';
      data: {
        keyId: string;
        tenantId: string;
        userId: string;
        name: string;
        scopes: string[];
        prefix: string;
        keyHash: string;
        expiresAt?: string;
        at: string;
      };
    }
  | { type: 'ApiKeyUsed'; data: { keyId: string; at: string } }
  | { type: 'ApiKeyRevoked'; data: { keyId: string; revokedBy: string; at: string } };

export const SCOPES = [
  'graphs:read',
  'graphs:write',
  'executions:read',
  'executions:write',
  'blocks:read',
  'credentials:read',
  'credentials:write',
  'schedules:read',
  'schedules:write',
  'store:read',
  'store:write',
  'notifications:read',
  'notifications:write',
  'files:read',
  'files:write',
  'tenant:read',
  'tenant:admin',
] as const;
export type Scope = (typeof SCOPES)[number];
