import type { EventStore } from '@agentry/event-log';
import { DomainError, streamIdOf, type Clock, type EventEnvelope } from '@agentry/kernel';
import type { ReadStore } from '@agentry/read-store';
import type { ApiKeyEvent } from '../domain/accounts/events';
import { hashSecret, newSecret } from '../domain/accounts/secrets';
import {
  InMemoryApiKeyList,
  ReadStoreApiKeyList,
  type ApiKeyList,
  type ApiKeyListQuery,
  type ApiKeySummary,
} from './api-key-list';
import type { Page } from './list-read-model';
import { Projection } from './streams';

export type { ApiKeySummary, ApiKeyListQuery } from './api-key-list';

export interface ApiKey extends ApiKeySummary {
  keyHash: string;
}

/** How often a key's use is written to the log; between writes the last-used time is kept in memory. */
const USE_RECORD_INTERVAL_MS = 60_000;

/**
 * API keys in `apikey-*` streams: random, shown once, stored as SHA-256, scoped, revocable. Authentication and
 * single-key reads use the in-memory fold; the list is an `ApiKeyList` (in memory, or in the read store given).
 */
export class ApiKeys {
  private readonly keys = new Map<string, ApiKey>();
  private readonly byHash = new Map<string, ApiKey>();
  private readonly recordedUse = new Map<string, number>();
  private readonly projection: Projection;
  private readonly keyList: ApiKeyList;

  constructor(
    private readonly deps: {
      events: EventStore;
      clock: Clock;
      newId: () => string;
      /** Keep the list in this read store (AGENTRY_READ_STORE=mongo); default: a scan of the in-memory fold. */
      readModels?: ReadStore;
      /** A list write that failed after its append (the list catches up from the log later). */
      onListError?: (err: unknown) => void;
    },
  ) {
    this.projection = new Projection(deps.events, ['apikey'], (e) => this.apply(e));
    this.keyList = deps.readModels
      ? new ReadStoreApiKeyList(deps.events, deps.readModels)
      : new InMemoryApiKeyList(() => this.keys.values());
  }

  async start(): Promise<void> {
    await this.projection.start();
    await this.keyList.catchUp();
  }

  /** Folds what other writers appended (the in-memory fold and the list) once; `follow` does it periodically. */
  async sync(): Promise<void> {
    await this.projection.catchUp();
    await this.keyList.catchUp();
  }

  /** Folds what other writers append to the log every `intervalMs` (0 = never); returns the stop function. */
  follow(intervalMs: number, onError?: (err: unknown) => void): () => void {
    const stops = [this.projection.follow(intervalMs, onError), this.keyList.follow(intervalMs, onError)];
    return () => stops.forEach((stop) => stop());
  }

  /** Drops this read model and folds it again from the event log (the list too); returns the events folded. */
  async rebuild(): Promise<number> {
    const folded = await this.projection.rebuild(() => {
      this.keys.clear();
      this.byHash.clear();
    });
    await this.keyList.rebuild();
    return folded;
  }

  /** Waits for list writes in flight. */
  close(): Promise<void> {
    return this.keyList.close();
  }

  async create(input: {
    tenantId: string;
    userId: string;
    name: string;
    scopes: string[];
    expiresAt?: string;
  }): Promise<{ key: ApiKey; secret: string }> {
    const keyId = this.deps.newId();
    const secret = newSecret('agk');
    await this.append(input.tenantId, streamIdOf('apikey', keyId), [
      {
        type: 'ApiKeyCreated',
        data: {
          keyId,
          tenantId: input.tenantId,
          userId: input.userId,
          name: input.name,
          scopes: [...new Set(input.scopes)].sort(),
          prefix: secret.slice(0, 12),
          keyHash: hashSecret(secret),
          expiresAt: input.expiresAt,
          at: this.now(),
        },
      } satisfies ApiKeyEvent,
    ]);
    return { key: this.keys.get(keyId)!, secret };
  }

  /** The tenant's keys, newest first (ties by id), one page; never a key or its hash. */
  list(tenantId: string, q: ApiKeyListQuery = {}): Promise<Page<ApiKeySummary>> {
    return this.keyList.list(tenantId, q);
  }

  get(tenantId: string, keyId: string): ApiKey {
    const key = this.keys.get(keyId);
    if (!key || key.tenantId !== tenantId) throw new DomainError('NOT_FOUND', `API key ${keyId} not found`);
    return key;
  }

  async revoke(tenantId: string, keyId: string, by: string): Promise<void> {
    const key = this.get(tenantId, keyId);
    if (key.revokedAt) return;
    await this.append(tenantId, streamIdOf('apikey', keyId), [
      { type: 'ApiKeyRevoked', data: { keyId, revokedBy: by, at: this.now() } } satisfies ApiKeyEvent,
    ]);
  }

  /** The key a secret stands for, if live; the use is noted (and written to the log at most once a minute). */
  authenticate(secret: string): ApiKey {
    const key = this.byHash.get(hashSecret(secret));
    const now = this.deps.clock.now();
    if (!key || key.revokedAt || (key.expiresAt && key.expiresAt <= now.toISOString()))
      throw new DomainError('UNAUTHENTICATED', 'the API key is not valid');
    key.lastUsedAt = now.toISOString();
    const last = this.recordedUse.get(key.id) ?? 0;
    if (now.getTime() - last >= USE_RECORD_INTERVAL_MS) {
      this.recordedUse.set(key.id, now.getTime());
      this.append(key.tenantId, streamIdOf('apikey', key.id), [
        { type: 'ApiKeyUsed', data: { keyId: key.id, at: key.lastUsedAt } } satisfies ApiKeyEvent,
      ]).catch(() => this.recordedUse.delete(key.id));
    }
    return key;
  }

  /** Appends, folds into memory, then into the list (whose failure is reported, not thrown: the write happened). */
  private async append(tenantId: string, streamId: string, events: ApiKeyEvent[]): Promise<void> {
    const written = await this.projection.write(tenantId, streamId, events);
    await this.keyList.apply(written).catch((err: unknown) => this.deps.onListError?.(err));
  }

  private apply(envelope: EventEnvelope): void {
    const event = { type: envelope.type, data: envelope.data } as ApiKeyEvent;
    switch (event.type) {
      case 'ApiKeyCreated': {
        const d = event.data;
        const key: ApiKey = {
          id: d.keyId,
          tenantId: d.tenantId,
          userId: d.userId,
          name: d.name,
          scopes: d.scopes,
          prefix: d.prefix,
          keyHash: d.keyHash,
          createdAt: d.at,
          expiresAt: d.expiresAt,
        };
        this.keys.set(key.id, key);
        this.byHash.set(key.keyHash, key);
        break;
      }
      case 'ApiKeyUsed': {
        const key = this.keys.get(event.data.keyId);
        if (key && (!key.lastUsedAt || key.lastUsedAt < event.data.at)) key.lastUsedAt = event.data.at;
        this.recordedUse.set(event.data.keyId, Date.parse(event.data.at));
        break;
      }
      case 'ApiKeyRevoked': {
        const key = this.keys.get(event.data.keyId);
        if (key) key.revokedAt = event.data.at;
        break;
      }
      default: {
        const unknown: never = event;
        void unknown;
      }
    }
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}
