import type { EventStore } from '@agentry/event-log';
import { DomainError, notFound, streamIdOf, type Clock, type EventEnvelope } from '@agentry/kernel';
import { replayCategories } from '@agentry/runtime';
import type { SecretBox, Sealed } from '../domain/crypto';

export const CREDENTIAL_TYPES = ['api_key', 'oauth2', 'user_password', 'host_scoped'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

export interface CredentialMeta {
  id: string;
  provider: string;
  type: CredentialType;
  title: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string;
}

interface Stored extends CredentialMeta {
  tenantId: string;
  sealed: Sealed;
  deleted: boolean;
}

type CredentialEvent =
  | { type: 'CredentialCreated'; data: Omit<Stored, 'deleted'> }
  | { type: 'CredentialDeleted'; data: { id: string; deletedAt: string } };

const REQUIRED_SECRET_FIELDS: Record<CredentialType, string[]> = {
  api_key: ['apiKey'],
  oauth2: ['accessToken'],
  user_password: ['username', 'password'],
  host_scoped: ['host', 'headers'],
};

/** Credentials per tenant; secrets sealed with AES-256-GCM (AAD = tenant/credential id) before they reach the log. */
export class Credentials {
  private readonly byId = new Map<string, Stored>();

  constructor(private readonly deps: { events: EventStore; box: SecretBox; clock: Clock; newId: () => string }) {}

  async start(): Promise<void> {
    await replayCategories(this.deps.events, ['credential'], (e) => this.apply(e));
  }

  async create(tenantId: string, input: { provider: string; type: string; title: string; secret: Record<string, unknown>; scopes: string[] }): Promise<CredentialMeta> {
    const errors: Record<string, string> = {};
    if (!/^[a-z0-9_.-]{1,64}$/.test(input.provider)) errors.provider = 'lower-case letters, digits, _ . - (1–64)';
    const type = input.type as CredentialType;
    if (!CREDENTIAL_TYPES.includes(type)) errors.type = `one of ${CREDENTIAL_TYPES.join(', ')}`;
    else for (const f of REQUIRED_SECRET_FIELDS[type]) if (input.secret?.[f] === undefined || input.secret[f] === '') errors[`secret.${f}`] = 'required';
    if (Object.keys(errors).length) throw new DomainError('VALIDATION_FAILED', 'the credential is not valid', { errors });
    const id = this.deps.newId();
    const data: Omit<Stored, 'deleted'> = {
      id,
      tenantId,
      provider: input.provider,
      type,
      title: input.title || `${input.provider} ${type}`,
      scopes: input.scopes,
      createdAt: this.deps.clock.now().toISOString(),
      expiresAt: typeof input.secret.expiresAt === 'string' ? input.secret.expiresAt : '',
      sealed: this.deps.box.seal(input.secret, `${tenantId}/${id}`),
    };
    const result = await this.deps.events.append(streamIdOf('credential', id), [{ type: 'CredentialCreated', data }], { expectedVersion: 0, tenantId });
    for (const e of result.events) this.apply(e);
    return toMeta(this.byId.get(id)!);
  }

  list(tenantId: string, provider?: string): CredentialMeta[] {
    return [...this.byId.values()].filter((c) => c.tenantId === tenantId && !c.deleted && (!provider || c.provider === provider)).map(toMeta);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    this.get(tenantId, id);
    const result = await this.deps.events.append(streamIdOf('credential', id), [{ type: 'CredentialDeleted', data: { id, deletedAt: this.deps.clock.now().toISOString() } }], {
      expectedVersion: 1,
      tenantId,
    });
    for (const e of result.events) this.apply(e);
  }

  /** The only way a secret leaves the service: for one tenant's own credential. */
  resolve(tenantId: string, id: string): { meta: CredentialMeta; secret: Record<string, unknown> } {
    const stored = this.get(tenantId, id);
    return { meta: toMeta(stored), secret: this.deps.box.open(stored.sealed, `${tenantId}/${id}`) as Record<string, unknown> };
  }

  private get(tenantId: string, id: string): Stored {
    const c = this.byId.get(id);
    if (!c || c.tenantId !== tenantId || c.deleted) throw notFound('credential', id);
    return c;
  }

  private apply(envelope: EventEnvelope): void {
    const event = { type: envelope.type, data: envelope.data } as CredentialEvent;
    if (event.type === 'CredentialCreated') this.byId.set(event.data.id, { ...event.data, deleted: false });
    else if (event.type === 'CredentialDeleted') {
      const c = this.byId.get(event.data.id);
      if (c) c.deleted = true;
    }
  }
}

function toMeta(c: Stored): CredentialMeta {
  return { id: c.id, provider: c.provider, type: c.type, title: c.title, scopes: c.scopes, createdAt: c.createdAt, expiresAt: c.expiresAt };
}
