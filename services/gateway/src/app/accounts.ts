import type { EventStore } from '@agentry/event-log';
import { DomainError, streamIdOf, type Clock, type EventEnvelope } from '@agentry/kernel';
import { MANAGER_ROLES, QUOTA_NAMES, type AccountEvent, type Role, type TenantQuotas } from '../domain/accounts/events';
import { generatePassword, hashPassword, verifyPassword } from '../domain/accounts/password';
import { hashSecret, newSecret, sameHash } from '../domain/accounts/secrets';
import { Projection } from './streams';

export interface User {
  id: string;
  /** The tenant the account was created in (signed into by default). */
  tenantId: string;
  email: string;
  /** Roles in the home tenant (kept for callers that predate memberships). */
  roles: Role[];
  passwordHash: string;
  createdAt: string;
  /** May create tenants and rotate signing keys (the first-start account). */
  platformAdmin: boolean;
}

export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
  members: Map<string, Role>;
  invitations: Map<string, Invitation>;
  quotas: TenantQuotas;
}

/** A quota change: a number sets the limit, null removes it (unlimited), an absent name keeps it. */
export type QuotaChanges = Partial<Record<keyof TenantQuotas, number | null>>;

export interface Invitation {
  id: string;
  tenantId: string;
  email: string;
  role: Role;
  tokenHash: string;
  invitedBy: string;
  expiresAt: string;
  createdAt: string;
  status: 'pending' | 'accepted' | 'revoked';
}

interface Reset {
  id: string;
  userId: string;
  tokenHash: string;
  expiresAt: string;
  used: boolean;
}

const MIN_PASSWORD = 8;

/** Highest role first: the role a legacy `roles` array stands for. */
const primaryRole = (roles: Role[]): Role =>
  (['owner', 'admin', 'member', 'viewer'] as const).find((r) => roles.includes(r)) ?? 'viewer';

/**
 * Users, tenants, memberships, invitations and password resets, as events in `tenant-*` and `user-*` streams
 * (the gateway is their single writer); the maps below are rebuilt from them on start.
 */
export class Accounts {
  private readonly users = new Map<string, User>();
  private readonly byEmail = new Map<string, User>();
  private readonly tenants = new Map<string, Tenant>();
  private readonly resets = new Map<string, Reset>();
  private readonly projection: Projection;

  constructor(private readonly deps: { events: EventStore; clock: Clock; newId: () => string }) {
    this.projection = new Projection(deps.events, ['tenant', 'user'], (e) => this.apply(e));
  }

  start(): Promise<void> {
    return this.projection.start();
  }

  /** Folds what other writers append to the log every `intervalMs` (0 = never); returns the stop function. */
  follow(intervalMs: number, onError?: (err: unknown) => void): () => void {
    return this.projection.follow(intervalMs, onError);
  }

  /** Drops this read model and folds it again from the event log; returns how many events it folded. */
  rebuild(): Promise<number> {
    return this.projection.rebuild(() => {
      this.users.clear();
      this.byEmail.clear();
      this.tenants.clear();
      this.resets.clear();
    });
  }

  get userCount(): number {
    return this.users.size;
  }

  /** First start: one tenant and its owner; the password comes from config or is generated (returned once). */
  async bootstrapAdmin(email: string, password?: string): Promise<{ created: boolean; generatedPassword?: string }> {
    if (this.users.size > 0) return { created: false };
    const tenantId = this.deps.newId();
    await this.createTenant(tenantId, 'Default');
    const pwd = password ?? generatePassword();
    await this.registerUser({ tenantId, email, password: pwd, roles: ['owner', 'admin'], platformAdmin: true });
    return { created: true, generatedPassword: password ? undefined : pwd };
  }

  async createTenant(tenantId: string, name: string, owner?: string): Promise<Tenant> {
    const at = this.now();
    const events: AccountEvent[] = [{ type: 'TenantCreated', data: { tenantId, name, createdAt: at } }];
    if (owner)
      events.push({ type: 'MemberAdded', data: { tenantId, userId: owner, role: 'owner', addedBy: owner, at } });
    await this.append(tenantId, streamIdOf('tenant', tenantId), events);
    return this.tenants.get(tenantId)!;
  }

  async registerUser(input: {
    tenantId: string;
    email: string;
    password: string;
    roles: Role[];
    platformAdmin?: boolean;
  }): Promise<User> {
    const email = normalizeEmail(input.email);
    if (this.byEmail.has(email)) throw new DomainError('ALREADY_EXISTS', 'an account with this email already exists');
    if (!this.tenants.has(input.tenantId)) throw new DomainError('NOT_FOUND', `tenant ${input.tenantId} not found`);
    checkPassword(input.password);
    const userId = this.deps.newId();
    const passwordHash = await hashPassword(input.password);
    await this.append(input.tenantId, streamIdOf('user', userId), [
      {
        type: 'UserRegistered',
        data: {
          userId,
          tenantId: input.tenantId,
          email,
          passwordHash,
          roles: input.roles,
          createdAt: this.now(),
          platformAdmin: input.platformAdmin || undefined,
        },
      },
    ]);
    return this.users.get(userId)!;
  }

  /** Open sign-up: a new account owning a new tenant. */
  async signUp(input: { email: string; password: string; tenantName?: string }): Promise<User> {
    const email = normalizeEmail(input.email);
    if (this.byEmail.has(email)) throw new DomainError('ALREADY_EXISTS', 'an account with this email already exists');
    checkPassword(input.password);
    const tenantId = this.deps.newId();
    await this.createTenant(tenantId, input.tenantName ?? `${email}'s workspace`);
    return this.registerUser({ tenantId, email, password: input.password, roles: ['owner'] });
  }

  /** Same answer for unknown email and wrong password, so sign-in does not reveal who has an account. */
  async authenticate(email: string, password: string): Promise<User> {
    const user = this.byEmail.get(normalizeEmail(email));
    const ok = user
      ? await verifyPassword(password, user.passwordHash)
      : await verifyPassword(password, DUMMY_HASH).then(() => false);
    if (!user || !ok) throw new DomainError('INVALID_CREDENTIALS', 'email or password is wrong');
    return user;
  }

  getUser(userId: string): User | undefined {
    return this.users.get(userId);
  }

  getTenant(tenantId: string): Tenant | undefined {
    return this.tenants.get(tenantId);
  }

  roleOf(userId: string, tenantId: string): Role | undefined {
    return this.tenants.get(tenantId)?.members.get(userId);
  }

  /** The tenant a sign-in lands in: the one asked for (if a member), else the home tenant, else the first membership. */
  membershipFor(userId: string, tenantId?: string): { tenantId: string; role: Role } {
    const user = this.users.get(userId);
    if (!user) throw new DomainError('UNAUTHENTICATED', 'the account no longer exists');
    if (tenantId) {
      const role = this.roleOf(userId, tenantId);
      if (!role) throw new DomainError('NOT_FOUND', `tenant ${tenantId} not found`);
      return { tenantId, role };
    }
    const home = this.roleOf(userId, user.tenantId);
    if (home) return { tenantId: user.tenantId, role: home };
    const first = this.tenantsOf(userId)[0];
    if (!first) throw new DomainError('PERMISSION_DENIED', 'the account belongs to no tenant');
    return { tenantId: first.tenant.id, role: first.role };
  }

  tenantsOf(userId: string): Array<{ tenant: Tenant; role: Role }> {
    const out: Array<{ tenant: Tenant; role: Role }> = [];
    for (const tenant of this.tenants.values()) {
      const role = tenant.members.get(userId);
      if (role) out.push({ tenant, role });
    }
    return out.sort(
      (a, b) => a.tenant.createdAt.localeCompare(b.tenant.createdAt) || a.tenant.id.localeCompare(b.tenant.id),
    );
  }

  /** A tenant the caller is not a member of does not exist for them (404, never 403). */
  private tenantFor(userId: string, tenantId: string, manage: boolean): Tenant {
    const tenant = this.tenants.get(tenantId);
    const role = tenant?.members.get(userId);
    if (!tenant || !role) throw new DomainError('NOT_FOUND', `tenant ${tenantId} not found`);
    if (manage && !MANAGER_ROLES.includes(role))
      throw new DomainError('PERMISSION_DENIED', 'only owners and admins manage a tenant');
    return tenant;
  }

  /** Quotas are read by members and platform admins; anyone else gets 404. */
  quotas(who: { userId: string; platformAdmin: boolean }, tenantId: string): TenantQuotas {
    return { ...this.quotaTenant(who, tenantId).quotas };
  }

  /** The limits of a tenant, for enforcement inside the gateway (no caller: the caller was checked already). */
  quotasOf(tenantId: string): TenantQuotas {
    return { ...this.tenants.get(tenantId)?.quotas };
  }

  /** Owners of the tenant and platform admins set quotas; the event carries the complete set after the change. */
  async setQuotas(
    who: { userId: string; platformAdmin: boolean },
    tenantId: string,
    changes: QuotaChanges,
  ): Promise<TenantQuotas> {
    const tenant = this.quotaTenant(who, tenantId);
    if (!who.platformAdmin && tenant.members.get(who.userId) !== 'owner')
      throw new DomainError('PERMISSION_DENIED', 'only owners of the tenant and platform admins set its quotas');
    const next: TenantQuotas = { ...tenant.quotas };
    for (const name of QUOTA_NAMES) {
      const value = changes[name];
      if (value === null) delete next[name];
      else if (value !== undefined) next[name] = value;
    }
    if (QUOTA_NAMES.every((n) => next[n] === tenant.quotas[n])) return next;
    await this.append(tenantId, streamIdOf('tenant', tenantId), [
      { type: 'TenantQuotasSet', data: { tenantId, quotas: next, setBy: who.userId, at: this.now() } },
    ]);
    return { ...tenant.quotas };
  }

  private quotaTenant(who: { userId: string; platformAdmin: boolean }, tenantId: string): Tenant {
    const tenant = this.tenants.get(tenantId);
    if (!tenant || (!who.platformAdmin && !tenant.members.has(who.userId)))
      throw new DomainError('NOT_FOUND', `tenant ${tenantId} not found`);
    return tenant;
  }

  members(userId: string, tenantId: string): Array<{ userId: string; email: string; role: Role }> {
    const tenant = this.tenantFor(userId, tenantId, false);
    return [...tenant.members]
      .map(([id, role]) => ({ userId: id, email: this.users.get(id)?.email ?? '', role }))
      .sort((a, b) => a.email.localeCompare(b.email));
  }

  async changeRole(by: string, tenantId: string, userId: string, role: Role): Promise<void> {
    const tenant = this.tenantFor(by, tenantId, true);
    const current = tenant.members.get(userId);
    if (!current) throw new DomainError('NOT_FOUND', `member ${userId} not found`);
    if ((role === 'owner' || current === 'owner') && tenant.members.get(by) !== 'owner')
      throw new DomainError('PERMISSION_DENIED', 'only an owner grants or takes the owner role');
    if (current === 'owner' && role !== 'owner') this.keepAnOwner(tenant, userId);
    if (current === role) return;
    await this.append(tenantId, streamIdOf('tenant', tenantId), [
      { type: 'MemberRoleChanged', data: { tenantId, userId, role, changedBy: by, at: this.now() } },
    ]);
  }

  async removeMember(by: string, tenantId: string, userId: string): Promise<void> {
    const tenant = this.tenantFor(by, tenantId, by !== userId);
    const current = tenant.members.get(userId);
    if (!current) throw new DomainError('NOT_FOUND', `member ${userId} not found`);
    if (current === 'owner' && tenant.members.get(by) !== 'owner')
      throw new DomainError('PERMISSION_DENIED', 'only an owner removes an owner');
    if (current === 'owner') this.keepAnOwner(tenant, userId);
    await this.append(tenantId, streamIdOf('tenant', tenantId), [
      { type: 'MemberRemoved', data: { tenantId, userId, removedBy: by, at: this.now() } },
    ]);
  }

  private keepAnOwner(tenant: Tenant, leaving: string): void {
    if (![...tenant.members].some(([id, r]) => r === 'owner' && id !== leaving))
      throw new DomainError('INVALID_TRANSITION', 'a tenant keeps at least one owner');
  }

  /** An existing account joins at once; undefined when there is no account with that email (invite instead). */
  async addMember(
    by: string,
    tenantId: string,
    email: string,
    role: Role,
  ): Promise<{ userId: string; email: string; role: Role } | undefined> {
    const tenant = this.tenantFor(by, tenantId, true);
    if (role === 'owner' && tenant.members.get(by) !== 'owner')
      throw new DomainError('PERMISSION_DENIED', 'only an owner adds an owner');
    const user = this.byEmail.get(normalizeEmail(email));
    if (!user) return undefined;
    if (tenant.members.has(user.id)) throw new DomainError('ALREADY_EXISTS', `${user.email} is already a member`);
    await this.append(tenantId, streamIdOf('tenant', tenantId), [
      { type: 'MemberAdded', data: { tenantId, userId: user.id, role, addedBy: by, at: this.now() } },
    ]);
    return { userId: user.id, email: user.email, role };
  }

  /** Returns the invitation token once; only its hash is stored. */
  async invite(
    by: string,
    tenantId: string,
    email: string,
    role: Role,
    ttlSeconds: number,
  ): Promise<{ invitation: Invitation; token: string }> {
    const tenant = this.tenantFor(by, tenantId, true);
    if (role === 'owner' && tenant.members.get(by) !== 'owner')
      throw new DomainError('PERMISSION_DENIED', 'only an owner invites an owner');
    const normalized = normalizeEmail(email);
    const existing = this.byEmail.get(normalized);
    if (existing && tenant.members.has(existing.id))
      throw new DomainError('ALREADY_EXISTS', `${normalized} is already a member`);
    const token = newSecret('agi');
    const invitationId = this.deps.newId();
    const at = this.now();
    const expiresAt = new Date(this.deps.clock.now().getTime() + ttlSeconds * 1000).toISOString();
    await this.append(tenantId, streamIdOf('tenant', tenantId), [
      {
        type: 'InvitationCreated',
        data: {
          tenantId,
          invitationId,
          email: normalized,
          role,
          tokenHash: hashSecret(token),
          invitedBy: by,
          expiresAt,
          at,
        },
      },
    ]);
    return { invitation: tenant.invitations.get(invitationId)!, token };
  }

  invitations(by: string, tenantId: string): Invitation[] {
    return [...this.tenantFor(by, tenantId, true).invitations.values()].sort((a, b) =>
      a.createdAt.localeCompare(b.createdAt),
    );
  }

  async revokeInvitation(by: string, tenantId: string, invitationId: string): Promise<void> {
    const inv = this.tenantFor(by, tenantId, true).invitations.get(invitationId);
    if (!inv) throw new DomainError('NOT_FOUND', `invitation ${invitationId} not found`);
    if (inv.status !== 'pending') throw new DomainError('INVALID_TRANSITION', `the invitation is ${inv.status}`);
    await this.append(tenantId, streamIdOf('tenant', tenantId), [
      { type: 'InvitationRevoked', data: { tenantId, invitationId, revokedBy: by, at: this.now() } },
    ]);
  }

  /**
   * Accepts an invitation: a signed-in user joins with their account (their email must match), or a newcomer
   * creates an account with a password (sign-up by invitation works even when open sign-up is off).
   */
  async acceptInvitation(
    token: string,
    who: { userId?: string; password?: string },
  ): Promise<{ user: User; tenantId: string; role: Role }> {
    const inv = this.findInvitation(token);
    if (!inv) throw new DomainError('NOT_FOUND', 'invitation not found or no longer valid');
    let user = who.userId ? this.users.get(who.userId) : this.byEmail.get(inv.email);
    if (who.userId && user?.email !== inv.email)
      throw new DomainError('NOT_FOUND', 'invitation not found or no longer valid');
    if (!user) {
      if (!who.password)
        throw new DomainError('VALIDATION_FAILED', 'choose a password to create the account', {
          errors: { password: 'required' },
        });
      user = await this.registerUser({
        tenantId: inv.tenantId,
        email: inv.email,
        password: who.password,
        roles: [inv.role],
      });
      // registerUser made the invitee a member of its home tenant already; only the acceptance remains.
      await this.append(inv.tenantId, streamIdOf('tenant', inv.tenantId), [
        {
          type: 'InvitationAccepted',
          data: { tenantId: inv.tenantId, invitationId: inv.id, userId: user.id, at: this.now() },
        },
      ]);
    } else {
      if (!who.userId)
        throw new DomainError(
          'UNAUTHENTICATED',
          'an account with this email exists: sign in, then accept the invitation',
        );
      const at = this.now();
      await this.append(inv.tenantId, streamIdOf('tenant', inv.tenantId), [
        {
          type: 'MemberAdded',
          data: { tenantId: inv.tenantId, userId: user.id, role: inv.role, addedBy: inv.invitedBy, at },
        },
        { type: 'InvitationAccepted', data: { tenantId: inv.tenantId, invitationId: inv.id, userId: user.id, at } },
      ]);
    }
    return { user, tenantId: inv.tenantId, role: inv.role };
  }

  private findInvitation(token: string): Invitation | undefined {
    const hash = hashSecret(token);
    const now = this.now();
    for (const tenant of this.tenants.values())
      for (const inv of tenant.invitations.values())
        if (inv.status === 'pending' && inv.expiresAt > now && sameHash(inv.tokenHash, hash)) return inv;
    return undefined;
  }

  /** Returns the reset token for the mail (or nothing for an unknown email: the caller answers the same either way). */
  async requestPasswordReset(email: string, ttlSeconds: number): Promise<{ user: User; token: string } | undefined> {
    const user = this.byEmail.get(normalizeEmail(email));
    if (!user) return undefined;
    const token = newSecret('agr');
    const resetId = this.deps.newId();
    const expiresAt = new Date(this.deps.clock.now().getTime() + ttlSeconds * 1000).toISOString();
    await this.append(user.tenantId, streamIdOf('user', user.id), [
      {
        type: 'PasswordResetRequested',
        data: { userId: user.id, resetId, tokenHash: hashSecret(token), expiresAt, at: this.now() },
      },
    ]);
    return { user, token };
  }

  async resetPassword(token: string, password: string): Promise<User> {
    const hash = hashSecret(token);
    const now = this.now();
    const reset = [...this.resets.values()].find((r) => !r.used && r.expiresAt > now && sameHash(r.tokenHash, hash));
    if (!reset) throw new DomainError('NOT_FOUND', 'reset token not found, used or expired');
    checkPassword(password);
    const user = this.users.get(reset.userId)!;
    await this.append(user.tenantId, streamIdOf('user', user.id), [
      {
        type: 'PasswordChanged',
        data: { userId: user.id, passwordHash: await hashPassword(password), resetId: reset.id, at: now },
      },
    ]);
    return user;
  }

  async changePassword(userId: string, current: string, next: string): Promise<void> {
    const user = this.users.get(userId);
    if (!user || !(await verifyPassword(current, user.passwordHash)))
      throw new DomainError('INVALID_CREDENTIALS', 'the current password is wrong');
    checkPassword(next);
    await this.append(user.tenantId, streamIdOf('user', user.id), [
      { type: 'PasswordChanged', data: { userId, passwordHash: await hashPassword(next), at: this.now() } },
    ]);
  }

  private append(tenantId: string, streamId: string, events: AccountEvent[]): Promise<void> {
    return this.projection.append(tenantId, streamId, events);
  }

  private apply(envelope: EventEnvelope): void {
    const event = { type: envelope.type, data: envelope.data } as AccountEvent;
    switch (event.type) {
      case 'TenantCreated':
        this.tenants.set(event.data.tenantId, {
          id: event.data.tenantId,
          name: event.data.name,
          createdAt: event.data.createdAt,
          members: new Map(),
          invitations: new Map(),
          quotas: {},
        });
        break;
      case 'TenantQuotasSet': {
        const tenant = this.tenants.get(event.data.tenantId);
        if (tenant) tenant.quotas = { ...event.data.quotas };
        break;
      }
      case 'UserRegistered': {
        const d = event.data;
        const user: User = {
          id: d.userId,
          tenantId: d.tenantId,
          email: d.email,
          roles: d.roles,
          passwordHash: d.passwordHash,
          createdAt: d.createdAt,
          platformAdmin: d.platformAdmin ?? this.users.size === 0,
        };
        this.users.set(user.id, user);
        this.byEmail.set(user.email, user);
        this.tenants.get(d.tenantId)?.members.set(user.id, primaryRole(d.roles));
        break;
      }
      case 'MemberAdded':
      case 'MemberRoleChanged':
        this.tenants.get(event.data.tenantId)?.members.set(event.data.userId, event.data.role);
        this.syncHomeRoles(event.data.userId, event.data.tenantId);
        break;
      case 'MemberRemoved':
        this.tenants.get(event.data.tenantId)?.members.delete(event.data.userId);
        this.syncHomeRoles(event.data.userId, event.data.tenantId);
        break;
      case 'InvitationCreated': {
        const d = event.data;
        this.tenants.get(d.tenantId)?.invitations.set(d.invitationId, {
          id: d.invitationId,
          tenantId: d.tenantId,
          email: d.email,
          role: d.role,
          tokenHash: d.tokenHash,
          invitedBy: d.invitedBy,
          expiresAt: d.expiresAt,
          createdAt: d.at,
          status: 'pending',
        });
        break;
      }
      case 'InvitationAccepted':
      case 'InvitationRevoked': {
        const inv = this.tenants.get(event.data.tenantId)?.invitations.get(event.data.invitationId);
        if (inv) inv.status = event.type === 'InvitationAccepted' ? 'accepted' : 'revoked';
        break;
      }
      case 'PasswordResetRequested':
        this.resets.set(event.data.resetId, {
          id: event.data.resetId,
          userId: event.data.userId,
          tokenHash: event.data.tokenHash,
          expiresAt: event.data.expiresAt,
          used: false,
        });
        break;
      case 'PasswordChanged': {
        const user = this.users.get(event.data.userId);
        if (user) user.passwordHash = event.data.passwordHash;
        const reset = event.data.resetId ? this.resets.get(event.data.resetId) : undefined;
        if (reset) reset.used = true;
        break;
      }
      default: {
        const unknown: never = event;
        void unknown;
      }
    }
  }

  private syncHomeRoles(userId: string, tenantId: string): void {
    const user = this.users.get(userId);
    if (!user || user.tenantId !== tenantId) return;
    const role = this.roleOf(userId, tenantId);
    user.roles = role ? [role] : [];
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD)
    throw new DomainError('VALIDATION_FAILED', 'password too short', {
      errors: { password: `at least ${MIN_PASSWORD} characters` },
    });
}

// A fixed, valid hash to spend the same time on unknown emails.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
