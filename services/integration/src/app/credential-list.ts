import type { EventStore } from '@agentry/event-log';
import type { EventEnvelope } from '@agentry/kernel';
import type { CollectionSpec, ProjectionSpec, ReadStore } from '@agentry/read-store';
import { FollowedList, type FollowedListOptions } from './followed-list';
import type {
  CredentialEvent,
  CredentialMeta,
  CredentialStatus,
  CredentialType,
  StoredCredential,
} from './credentials';

/**
 * The credential list port: credential metadata (never a secret) of one tenant, optionally of one provider, oldest
 * first (createdAt, then id). A read model of the `credential` category, never the source of truth; secrets are
 * resolved from the service's own in-memory fold. Adapters: `InMemoryCredentialList` (the default) and
 * `ReadStoreCredentialList` (libs/read-store: SQLite or MongoDB, AGENTRY_READ_STORE=mongo).
 */
export interface CredentialList {
  /** Folds the log up to its head, then keeps following it (other replicas' writes). */
  start(): Promise<void>;
  /** Folds the log from where this list left off to its head. */
  catchUp(): Promise<void>;
  /** Events just appended or read, any category (others are ignored); applying them again changes nothing. */
  apply(events: EventEnvelope[]): Promise<void>;
  list(tenantId: string, provider?: string): Promise<CredentialMeta[]>;
  /** Stops following and waits for writes in flight (a store it was given stays open). */
  close(): Promise<void>;
}

/** What a credential's metadata is: everything but the secret (the key id names the key that sealed it). */
export const credentialMeta = (c: StoredCredential): CredentialMeta => ({
  id: c.id,
  provider: c.provider,
  type: c.type,
  title: c.title,
  scopes: c.scopes,
  createdAt: c.createdAt,
  expiresAt: c.expiresAt,
  status: c.status,
  host: c.host,
  keyId: c.sealed.kid,
});

const oldestFirst = (a: CredentialMeta, b: CredentialMeta) =>
  a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? -1 : 1) : a.id === b.id ? 0 : a.id < b.id ? -1 : 1;

/** Over the service's in-memory fold of every credential (`Credentials`), which it keeps up to date. */
export class InMemoryCredentialList implements CredentialList {
  constructor(private readonly all: () => Iterable<StoredCredential>) {}

  async start(): Promise<void> {}

  async catchUp(): Promise<void> {}

  async apply(): Promise<void> {}

  async list(tenantId: string, provider?: string): Promise<CredentialMeta[]> {
    return [...this.all()]
      .filter((c) => c.tenantId === tenantId && !c.deleted && (!provider || c.provider === provider))
      .map(credentialMeta)
      .sort(oldestFirst);
  }

  async close(): Promise<void> {}
}

/** A credential's metadata as a read-store document: scalars only (scopes as JSON), and never the sealed secret. */
export type CredentialDoc = {
  provider: string;
  type: string;
  title: string;
  scopesJson: string;
  createdAt: string;
  expiresAt: string;
  status: string;
  host: string;
  keyId: string;
};

/** Both list queries (all of a tenant, or of one provider), oldest first; tenant first. */
export const CREDENTIAL_LIST: CollectionSpec<CredentialDoc> = {
  name: 'integration_credentials',
  indexes: [['createdAt'], ['provider', 'createdAt']],
};

/** The fold of one credential's metadata; a deleted credential's document is removed. */
export function foldCredential(current: CredentialDoc | undefined, e: EventEnvelope): CredentialDoc | null | undefined {
  const event = { type: e.type, data: e.data } as CredentialEvent;
  switch (event.type) {
    case 'CredentialCreated': {
      if (current) return undefined;
      const d = event.data;
      return {
        provider: d.provider,
        type: d.type,
        title: d.title,
        scopesJson: JSON.stringify(d.scopes ?? []),
        createdAt: d.createdAt,
        expiresAt: d.expiresAt ?? '',
        status: 'active',
        host: d.host ?? '',
        keyId: d.sealed.kid,
      };
    }
    case 'CredentialDeleted':
      return current ? null : undefined;
    case 'CredentialSecretUpdated':
      return (
        current && {
          ...current,
          expiresAt: event.data.expiresAt,
          status: 'active',
          keyId: event.data.sealed.kid,
          ...(event.data.scopes ? { scopesJson: JSON.stringify(event.data.scopes) } : {}),
        }
      );
    case 'CredentialStatusChanged':
      return current && { ...current, status: event.data.status };
    case 'CredentialResealed':
      return current && { ...current, keyId: event.data.sealed.kid };
    default:
      return undefined;
  }
}

const SPEC: ProjectionSpec<CredentialDoc> = {
  name: 'integration-credentials-v1',
  categories: ['credential'],
  collection: CREDENTIAL_LIST,
  fold: foldCredential,
};

const toMeta = (id: string, d: CredentialDoc): CredentialMeta => ({
  id,
  provider: d.provider,
  type: d.type as CredentialType,
  title: d.title,
  scopes: JSON.parse(d.scopesJson) as string[],
  createdAt: d.createdAt,
  expiresAt: d.expiresAt,
  status: d.status as CredentialStatus,
  host: d.host,
  keyId: d.keyId,
});

/**
 * The credential list in libs/read-store (SQLite or MongoDB): one metadata document per credential, keyed by
 * (tenant, credential id) and written at the position of the event that last changed it (a replayed event is a
 * no-op). The service applies its own appends at once; the projection follows the log for other replicas' writes.
 */
export class ReadStoreCredentialList extends FollowedList<CredentialDoc> implements CredentialList {
  constructor(events: EventStore, store: ReadStore, options: FollowedListOptions = {}) {
    super(events, store, SPEC, options);
  }

  async list(tenantId: string, provider?: string): Promise<CredentialMeta[]> {
    const docs = await this.projection.listAll(
      { tenantId, where: provider ? { provider } : {}, orderBy: { field: 'createdAt', direction: 'asc' } },
      Infinity,
    );
    return docs.map((d) => toMeta(d.id, d.data));
  }
}
