import { gunzipSync, gzipSync } from 'node:zlib';
import { StorageType, type JetStreamClient, type KV } from 'nats';
import { DomainError } from '@agentry/kernel';
import type { Snapshot, SnapshotStore } from '../ports';
import { validateSnapshot } from '../sqlite/snapshots';
import { apiErrorCode, JS_ERR, kvKey, type JetStreamNames } from './names';

export interface JetStreamSnapshotStoreOptions {
  storage?: StorageType;
  replicas?: number;
  /** Compare-and-set retries of one save against concurrent writers (default 10). */
  maxRetries?: number;
}

/** What one KV value holds (gzip of its JSON). */
interface Stored {
  key: string;
  version: number;
  schema: string;
  state: unknown;
  savedAt: string;
}

function decode(value: Uint8Array): Stored | undefined {
  try {
    const stored = JSON.parse(gunzipSync(value).toString('utf8')) as Stored;
    return stored && typeof stored.version === 'number' && typeof stored.schema === 'string' ? stored : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Snapshots in a JetStream KV bucket `<PREFIX>_SNAPSHOTS` (history 1), created on first use. Values are
 * gzipped JSON, so a snapshot must fit the server's max_payload (1 MB by default) once compressed; a larger
 * one fails its save and the reader replays the log. A save is a compare-and-set on the key's revision that
 * gives up when the stored snapshot is newer. An undecodable value reads as no snapshot.
 */
export function createJetStreamSnapshotStore(
  js: JetStreamClient,
  names: JetStreamNames,
  options: JetStreamSnapshotStoreOptions = {},
): SnapshotStore {
  let bucket: Promise<KV> | undefined;
  let closed = false;
  const maxRetries = options.maxRetries ?? 10;

  function kv(): Promise<KV> {
    if (closed) return Promise.reject(new DomainError('UNAVAILABLE', 'snapshot store is closed'));
    if (!bucket) {
      bucket = js.views.kv(names.snapshotsBucket, {
        history: 1,
        storage: options.storage ?? StorageType.File,
        replicas: options.replicas ?? 1,
      });
      bucket.catch(() => (bucket = undefined));
    }
    return bucket;
  }

  return {
    async load<S>(key: string): Promise<Snapshot<S> | undefined> {
      const entry = await (await kv()).get(kvKey(key));
      if (!entry || entry.operation !== 'PUT') return undefined;
      const stored = decode(entry.value);
      return (
        stored && {
          key,
          version: stored.version,
          schema: stored.schema,
          state: stored.state as S,
          savedAt: stored.savedAt,
        }
      );
    },

    async save<S>(snapshot: Omit<Snapshot<S>, 'savedAt'>): Promise<void> {
      validateSnapshot(snapshot);
      const store = await kv();
      const k = kvKey(snapshot.key);
      const body: Stored = {
        key: snapshot.key,
        version: snapshot.version,
        schema: snapshot.schema,
        state: snapshot.state,
        savedAt: new Date().toISOString(),
      };
      const json = JSON.stringify(body);
      if (json === undefined)
        throw new DomainError('VALIDATION_FAILED', 'snapshot state must be JSON', { key: snapshot.key });
      const data = gzipSync(json);
      for (let attempt = 0; ; attempt++) {
        const entry = await store.get(k);
        const current = entry?.operation === 'PUT' ? decode(entry.value) : undefined;
        if (current && current.version > snapshot.version) return; // a newer snapshot is kept
        try {
          await store.put(k, data, { previousSeq: entry?.revision ?? 0 });
          return;
        } catch (err) {
          if (apiErrorCode(err) !== JS_ERR.WRONG_LAST_SEQUENCE || attempt >= maxRetries) throw err;
        }
      }
    },

    async remove(key: string): Promise<void> {
      await (await kv()).purge(kvKey(key));
    },

    async close(): Promise<void> {
      closed = true;
    },
  };
}
