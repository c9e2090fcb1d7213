import type { EventStore } from '@agentry/event-log';
import { replayCategories } from '@agentry/runtime';
import { DomainError, streamIdOf, type Clock, type EventEnvelope } from '@agentry/kernel';
import type { AccountEvent, Role } from '../domain/accounts/events';
import { generatePassword, hashPassword, verifyPassword } from '../domain/accounts/password';

export interface User {
  id: string;
  tenantId: string;
  email: string;
  roles: Role[];
  passwordHash: string;
  createdAt: string;
}

/**
 * Accounts (tenants and users) live in `tenant-*` and `user-*` streams; this map is rebuilt from them on start.
 * The gateway is their single writer.
 */
export class Accounts {
  private readonly users = new Map<string, User>();
  private readonly byEmail = new Map<string, User>();
  private readonly tenants = new Map<string, { id: string; name: string }>();

  constructor(private readonly deps: { events: EventStore; clock: Clock; newId: () => string }) {}

  async start(): Promise<void> {
    await replayCategories(this.deps.events, ['tenant', 'user'], (e) => this.apply(e));
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
    await this.registerUser({ tenantId, email, password: pwd, roles: ['owner', 'admin'] });
    return { created: true, generatedPassword: password ? undefined : pwd };
  }

  async createTenant(tenantId: string, name: string): Promise<void> {
    await this.append(tenantId, streamIdOf('tenant', tenantId), [{ type: 'TenantCreated', data: { tenantId, name, createdAt: this.now() } }]);
  }

  async registerUser(input: { tenantId: string; email: string; password: string; roles: Role[] }): Promise<User> {
    const email = input.email.trim().toLowerCase();
    if (this.byEmail.has(email)) throw new DomainError('ALREADY_EXISTS', `a user with email ${email} already exists`);
    if (!this.tenants.has(input.tenantId)) throw new DomainError('NOT_FOUND', `tenant ${input.tenantId} not found`);
    if (input.password.length < 8) throw new DomainError('VALIDATION_FAILED', 'password too short', { errors: { password: 'at least 8 characters' } });
    const userId = this.deps.newId();
    const passwordHash = await hashPassword(input.password);
    await this.append(input.tenantId, streamIdOf('user', userId), [
      { type: 'UserRegistered', data: { userId, tenantId: input.tenantId, email, passwordHash, roles: input.roles, createdAt: this.now() } },
    ]);
    return this.users.get(userId)!;
  }

  /** Same answer for unknown email and wrong password, so sign-in does not reveal who has an account. */
  async authenticate(email: string, password: string): Promise<User> {
    const user = this.byEmail.get(email.trim().toLowerCase());
    const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyPassword(password, DUMMY_HASH).then(() => false);
    if (!user || !ok) throw new DomainError('INVALID_CREDENTIALS', 'email or password is wrong');
    return user;
  }

  getUser(userId: string): User | undefined {
    return this.users.get(userId);
  }

  private async append(tenantId: string, streamId: string, events: AccountEvent[]): Promise<void> {
    const result = await this.deps.events.append(streamId, events, { expectedVersion: 0, tenantId });
    for (const e of result.events) this.apply(e);
  }

  private apply(envelope: EventEnvelope): void {
    const event = { type: envelope.type, data: envelope.data } as AccountEvent;
    switch (event.type) {
      case 'TenantCreated':
        this.tenants.set(event.data.tenantId, { id: event.data.tenantId, name: event.data.name });
        break;
      case 'UserRegistered': {
        const d = event.data;
        const user: User = { id: d.userId, tenantId: d.tenantId, email: d.email, roles: d.roles, passwordHash: d.passwordHash, createdAt: d.createdAt };
        this.users.set(user.id, user);
        this.byEmail.set(user.email, user);
        break;
      }
    }
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

// A fixed, valid hash to spend the same time on unknown emails.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
