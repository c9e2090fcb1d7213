import type { EventStore } from '@agentry/event-log';
import type { EventEnvelope } from '@agentry/kernel';
import type { ListQuery, ProjectionSpec, ReadStore } from '@agentry/read-store';
import type { ApiKeyEvent } from '../domain/accounts/events';
import {
  FoldView,
  clampLimit,
  newestFirstPage,
  orNull,
  orUndefined,
  ProjectedList,
  type ListReadModel,
  type Page,
  type PageQuery,
} from './list-read-model';

/** An API key as lists show it: never the key, never its hash. */
export interface ApiKeySummary {
  id: string;
  tenantId: string;
  userId: string;
  name: string;
  scopes: string[];
  /** The first characters of the key, to recognise it in a list (the key itself is shown once). */
  prefix: string;
  createdAt: string;
  expiresAt?: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

export interface ApiKeyListQuery extends PageQuery {
  /** `revoked`: revoked keys only; `active`: the others (expired ones included). */
  status?: 'active' | 'revoked';
}

/**
 * The tenant's API keys, newest first, paged. Adapters: `InMemoryApiKeyList` (default: a view of the gateway's
 * fold) and `ReadStoreApiKeyList` (libs/read-store: SQLite or MongoDB, AGENTRY_READ_STORE).
 */
export interface ApiKeyList extends ListReadModel {
  list(tenantId: string, q: ApiKeyListQuery): Promise<Page<ApiKeySummary>>;
}

const summaryOf = (k: ApiKeySummary): ApiKeySummary => ({
  id: k.id,
  tenantId: k.tenantId,
  userId: k.userId,
  name: k.name,
  scopes: k.scopes,
  prefix: k.prefix,
  createdAt: k.createdAt,
  expiresAt: k.expiresAt,
  lastUsedAt: k.lastUsedAt,
  revokedAt: k.revokedAt,
});

/** A scan of the keys the gateway holds in memory (it folds every key for authentication anyway). */
export class InMemoryApiKeyList extends FoldView implements ApiKeyList {
  constructor(private readonly keys: () => Iterable<ApiKeySummary>) {
    super();
  }

  async list(tenantId: string, q: ApiKeyListQuery): Promise<Page<ApiKeySummary>> {
    const rows: ApiKeySummary[] = [];
    for (const k of this.keys())
      if (k.tenantId === tenantId && (!q.status || (q.status === 'revoked') === !!k.revokedAt)) rows.push(summaryOf(k));
    return newestFirstPage(rows, q);
  }
}

/**
 * One API key as a read-store document: what the API shows of it (no key, no hash), scopes as one space-separated
 * string (scalars only), absent times as null.
 */
export type ApiKeyDoc = {
  userId: string;
  name: string;
  prefix: string;
  scopes: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revoked: boolean;
};

/**
 * `gateway_api_keys`: one document per key, kept after revocation (the list filters on `revoked`). Indexes, tenant implied
 * first: `createdAt` (the list, newest first) and `revoked, createdAt` (the `status` filter).
 */
export const API_KEYS: ProjectionSpec<ApiKeyDoc> = {
  name: 'gateway-api-keys-v1',
  categories: ['apikey'],
  collection: { name: 'gateway_api_keys', indexes: [['createdAt'], ['revoked', 'createdAt']] },
  fold(current, envelope: EventEnvelope) {
    const event = { type: envelope.type, data: envelope.data } as ApiKeyEvent;
    switch (event.type) {
      case 'ApiKeyCreated': {
        if (current) return undefined;
        const d = event.data; // (its keyHash stays out)
        return {
          userId: d.userId,
          name: d.name,
          prefix: d.prefix,
          scopes: d.scopes.join(' '),
          createdAt: d.at,
          expiresAt: orNull(d.expiresAt),
          lastUsedAt: null,
          revokedAt: null,
          revoked: false,
        };
      }
      case 'ApiKeyUsed':
        if (!current || (current.lastUsedAt !== null && current.lastUsedAt >= event.data.at)) return undefined;
        return { ...current, lastUsedAt: event.data.at };
      case 'ApiKeyRevoked':
        return current && { ...current, revoked: true, revokedAt: event.data.at };
      default:
        return undefined;
    }
  },
};

/**
 * The API-key list as a libs/read-store projection. `lastUsedAt` is the use the log recorded (at most one a minute
 * per key), so it may be up to a minute behind the single-key read, which answers from the in-memory fold.
 */
export class ReadStoreApiKeyList extends ProjectedList<ApiKeyDoc> implements ApiKeyList {
  constructor(events: EventStore, store: ReadStore) {
    super(events, store, API_KEYS);
  }

  async list(tenantId: string, q: ApiKeyListQuery): Promise<Page<ApiKeySummary>> {
    const docs = await this.collection();
    const query: ListQuery<ApiKeyDoc> = {
      tenantId,
      orderBy: { field: 'createdAt', direction: 'desc' },
      limit: clampLimit(q.limit),
      cursor: q.cursor,
    };
    if (q.status) query.where = { revoked: q.status === 'revoked' };
    const page = await docs.list(query);
    return {
      items: page.items.map(({ id, data: d }) => ({
        id,
        tenantId,
        userId: d.userId,
        name: d.name,
        scopes: d.scopes ? d.scopes.split(' ') : [],
        prefix: d.prefix,
        createdAt: d.createdAt,
        expiresAt: orUndefined(d.expiresAt),
        lastUsedAt: orUndefined(d.lastUsedAt),
        revokedAt: orUndefined(d.revokedAt),
      })),
      nextCursor: page.nextCursor,
    };
  }
}
