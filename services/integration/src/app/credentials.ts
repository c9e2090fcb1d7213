import type { EventStore } from '@agentry/event-log';
import { categoryOf, DomainError, notFound, streamIdOf, type Clock, type EventEnvelope } from '@agentry/kernel';
import type { ReadStore } from '@agentry/read-store';
import { catchUpCategories, replayCategories } from '@agentry/runtime';
import type { SecretBox, Sealed } from '../domain/crypto';
import { credentialMeta, InMemoryCredentialList, ReadStoreCredentialList, type CredentialList } from './credential-list';

export const CREDENTIAL_TYPES = ['api_key', 'oauth2', 'user_password', 'host_scoped'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];
export type CredentialStatus = 'active' | 'reconnect_required' | 'revoked';

export interface CredentialMeta {
  id: string;
  provider: string;
  type: CredentialType;
  title: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string;
  status: CredentialStatus;
  host: string;
  keyId: string;
}

export interface StoredCredential extends Omit<CredentialMeta, 'keyId'> {
  tenantId: string;
  sealed: Sealed;
  deleted: boolean;
  streamVersion: number;
  statusReason?: string;
}

type Created = Omit<StoredCredential, 'deleted' | 'streamVersion' | 'status' | 'statusReason' | 'host'> & { host?: string };
export type CredentialEvent =
  | { type: 'CredentialCreated'; data: Created }
  | { type: 'CredentialDeleted'; data: { id: string; deletedAt: string } }
  | { type: 'CredentialSecretUpdated'; data: { id: string; sealed: Sealed; expiresAt: string; updatedAt: string; scopes?: string[] } }
  | { type: 'CredentialStatusChanged'; data: { id: string; status: CredentialStatus; reason: string; at: string } }
  | { type: 'CredentialResealed'; data: { id: string; sealed: Sealed } };

/** Host patterns: a host name, optionally with a leading `*.` wildcard label. */
const HOST_PATTERN = /^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/i;

/** Every problem with a credential's secret at once, keyed `secret.<field>`. */
export function checkSecret(type: CredentialType, secret: Record<string, unknown>): Record<string, string> {
  const errors: Record<string, string> = {};
  const requireString = (f: string) => {
    if (typeof secret[f] !== 'string' || secret[f] === '') errors[`secret.${f}`] = 'required';
  };
  switch (type) {
    case 'api_key':
      requireString('apiKey');
      break;
    case 'oauth2':
      requireString('accessToken');
      break;
    case 'user_password':
      requireString('username');
      requireString('password');
      break;
    case 'host_scoped': {
      requireString('host');
      if (typeof secret.host === 'string' && secret.host && !HOST_PATTERN.test(secret.host)) errors['secret.host'] = 'a host name, optionally starting with *.';
      const headers = secret.headers;
      if (!headers || typeof headers !== 'object' || Array.isArray(headers) || !Object.keys(headers).length) errors['secret.headers'] = 'required: an object of header name -> value';
      else if (Object.values(headers).some((v) => typeof v !== 'string')) errors['secret.headers'] = 'header values must be strings';
      break;
    }
    default: {
      const never: never = type;
      throw new Error(`unhandled credential type ${String(never)}`);
    }
  }
  return errors;
}

/** Credentials per tenant; secrets sealed with AES-256-GCM (AAD = tenant/credential id) before they reach the log. */
export class Credentials {
  private readonly byId = new Map<string, StoredCredential>();
  /** The credential list: over `byId` by default, in libs/read-store (metadata only) when given one. */
  private readonly listModel: CredentialList;
  /** Where `catchUp` reads on from (own appends do not move it: another replica's may come before them). */
  private position = 0;

  constructor(
    private readonly deps: {
      events: EventStore;
      box: SecretBox;
      clock: Clock;
      newId: () => string;
      /** List credentials from this read store (SQLite or MongoDB); it stays open on close. */
      readModels?: ReadStore;
      /** How often the read-store list picks up other replicas' writes (default 1000 ms; 0: never). */
      followMs?: number;
      /** A read-store write that failed (the next catch-up repairs it). */
      onError?: (err: unknown) => void;
    },
  ) {
    this.listModel = deps.readModels
      ? new ReadStoreCredentialList(deps.events, deps.readModels, { followMs: deps.followMs, onError: deps.onError })
      : new InMemoryCredentialList(() => this.byId.values());
  }

  async start(): Promise<void> {
    this.position = await this.deps.events.headPosition();
    await replayCategories(this.deps.events, ['credential'], (e) => this.apply(e));
    await this.listModel.start();
  }

  /** Stops following the log; waits for list writes in flight. */
  async close(): Promise<void> {
    await this.listModel.close();
  }

  /** Folds what other replicas appended since (in memory and the list). */
  async catchUp(): Promise<void> {
    this.position = await catchUpCategories(this.deps.events, ['credential'], this.position, (page) => this.fold(page));
    await this.listModel.catchUp();
  }

  /** Folds events (any category; log order) into the list and into memory; folding them again changes nothing. */
  async fold(events: EventEnvelope[]): Promise<void> {
    await this.listModel.apply(events);
    for (const e of events) if (categoryOf(e.streamId) === 'credential') this.apply(e);
  }

  async create(tenantId: string, input: { provider: string; type: string; title: string; secret: Record<string, unknown>; scopes: string[] }): Promise<CredentialMeta> {
    const errors: Record<string, string> = {};
    if (!/^[a-z0-9_.-]{1,64}$/.test(input.provider)) errors.provider = 'lower-case letters, digits, _ . - (1–64)';
    const type = input.type as CredentialType;
    if (!CREDENTIAL_TYPES.includes(type)) errors.type = `one of ${CREDENTIAL_TYPES.join(', ')}`;
    else Object.assign(errors, checkSecret(type, input.secret ?? {}));
    if (typeof input.title === 'string' && input.title.length > 200) errors.title = 'at most 200 characters';
    if (Object.keys(errors).length) throw new DomainError('VALIDATION_FAILED', 'the credential is not valid', { errors });
    const id = this.deps.newId();
    const data: Created = {
      id,
      tenantId,
      provider: input.provider,
      type,
      title: input.title || `${input.provider} ${type}`,
      scopes: input.scopes ?? [],
      createdAt: this.deps.clock.now().toISOString(),
      expiresAt: typeof input.secret.expiresAt === 'string' ? input.secret.expiresAt : '',
      host: type === 'host_scoped' ? String(input.secret.host) : '',
      sealed: this.deps.box.seal(input.secret, aadOf(tenantId, id)),
    };
    await this.append(tenantId, id, 0, [{ type: 'CredentialCreated', data }]);
    return this.toMeta(this.byId.get(id)!);
  }

  /** Metadata of the tenant's credentials (of one provider), oldest first. */
  list(tenantId: string, provider?: string): Promise<CredentialMeta[]> {
    return this.listModel.list(tenantId, provider);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    const c = this.get(tenantId, id);
    await this.append(tenantId, id, c.streamVersion, [{ type: 'CredentialDeleted', data: { id, deletedAt: this.deps.clock.now().toISOString() } }]);
  }

  /** `get`, after catching up with the log when the credential is not known here (created on another replica). */
  async getFresh(tenantId: string, id: string): Promise<StoredCredential> {
    if (!this.byId.has(id)) await this.catchUp();
    return this.get(tenantId, id);
  }

  /** The stored record (sealed secret included); NOT_FOUND across tenants. */
  get(tenantId: string, id: string): StoredCredential {
    const c = this.byId.get(id);
    if (!c || c.tenantId !== tenantId || c.deleted) throw notFound('credential', id);
    return c;
  }

  open(c: StoredCredential): Record<string, unknown> {
    return this.deps.box.open(c.sealed, aadOf(c.tenantId, c.id)) as Record<string, unknown>;
  }

  /** The only way a secret leaves the service: for one tenant's own credential. */
  resolve(tenantId: string, id: string): { meta: CredentialMeta; secret: Record<string, unknown> } {
    const stored = this.get(tenantId, id);
    return { meta: this.toMeta(stored), secret: this.open(stored) };
  }

  /**
   * Replaces the secret (token refresh), and the granted scopes when the provider reported them.
   * Fails with VERSION_CONFLICT when another writer got there first.
   */
  async updateSecret(c: StoredCredential, expectedVersion: number, secret: Record<string, unknown>, scopes?: string[]): Promise<void> {
    const data = {
      id: c.id,
      sealed: this.deps.box.seal(secret, aadOf(c.tenantId, c.id)),
      expiresAt: typeof secret.expiresAt === 'string' ? secret.expiresAt : '',
      updatedAt: this.deps.clock.now().toISOString(),
      ...(scopes?.length ? { scopes } : {}),
    };
    await this.append(c.tenantId, c.id, expectedVersion, [{ type: 'CredentialSecretUpdated', data }]);
  }

  async setStatus(c: StoredCredential, status: CredentialStatus, reason: string): Promise<void> {
    if (c.status === status) return;
    await this.append(c.tenantId, c.id, 'any', [{ type: 'CredentialStatusChanged', data: { id: c.id, status, reason, at: this.deps.clock.now().toISOString() } }]);
  }

  /** Catches up one credential with its stream (another replica may have refreshed it). */
  async reload(id: string): Promise<void> {
    const c = this.byId.get(id);
    for (const e of await this.deps.events.readStream(streamIdOf('credential', id), { fromVersion: (c?.streamVersion ?? 0) + 1 })) this.apply(e);
  }

  /** Re-encrypts every secret sealed under another key with the current key; returns how many were resealed. */
  async resealAll(): Promise<number> {
    let count = 0;
    for (const c of this.byId.values()) {
      if (c.sealed.kid === this.deps.box.kid) continue;
      const sealed = this.deps.box.reseal(c.sealed, aadOf(c.tenantId, c.id));
      await this.append(c.tenantId, c.id, c.streamVersion, [{ type: 'CredentialResealed', data: { id: c.id, sealed } }]);
      count++;
    }
    return count;
  }

  toMeta(c: StoredCredential): CredentialMeta {
    return credentialMeta(c);
  }

  private async append(tenantId: string, id: string, expectedVersion: number | 'any', events: CredentialEvent[]): Promise<void> {
    const result = await this.deps.events.append(streamIdOf('credential', id), events, { expectedVersion, tenantId });
    await this.fold(result.events);
  }

  private apply(envelope: EventEnvelope): void {
    const event = { type: envelope.type, data: envelope.data } as CredentialEvent;
    const current = this.byId.get(envelope.streamId.slice('credential-'.length));
    if (current && envelope.streamVersion <= current.streamVersion) return;
    const v = { streamVersion: envelope.streamVersion };
    switch (event.type) {
      case 'CredentialCreated':
        this.byId.set(event.data.id, { ...event.data, host: event.data.host ?? '', status: 'active', deleted: false, ...v });
        return;
      case 'CredentialDeleted':
        if (current) Object.assign(current, { deleted: true }, v);
        return;
      case 'CredentialSecretUpdated':
        if (current) Object.assign(current, { sealed: event.data.sealed, expiresAt: event.data.expiresAt, status: 'active', statusReason: undefined }, event.data.scopes ? { scopes: event.data.scopes } : {}, v);
        return;
      case 'CredentialStatusChanged':
        if (current) Object.assign(current, { status: event.data.status, statusReason: event.data.reason }, v);
        return;
      case 'CredentialResealed':
        if (current) Object.assign(current, { sealed: event.data.sealed }, v);
        return;
      default:
        if (current) current.streamVersion = envelope.streamVersion;
    }
  }
}

export const aadOf = (tenantId: string, id: string) => `${tenantId}/${id}`;
