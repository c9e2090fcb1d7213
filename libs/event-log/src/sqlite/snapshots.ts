import type Database from 'better-sqlite3';
import { DomainError } from '@agentry/kernel';
import type { Snapshot, SnapshotStore } from '../ports';

interface Row {
  key: string;
  version: number;
  schema: string;
  state: string;
  saved_at: string;
}

/** Checks what a caller hands to save (the same checks in every adapter). */
export function validateSnapshot(snapshot: Omit<Snapshot, 'savedAt'>): void {
  if (typeof snapshot?.key !== 'string' || snapshot.key.length === 0)
    throw new DomainError('VALIDATION_FAILED', 'a snapshot needs a non-empty key');
  if (!Number.isInteger(snapshot.version) || snapshot.version < 0)
    throw new DomainError(
      'VALIDATION_FAILED',
      `snapshot version must be an integer >= 0, got ${String(snapshot.version)}`,
      { key: snapshot.key },
    );
  if (typeof snapshot.schema !== 'string')
    throw new DomainError('VALIDATION_FAILED', 'a snapshot needs a schema tag', { key: snapshot.key });
}

/**
 * Snapshots in the log's SQLite file (table `event_log_snapshots`, one row per key). A save is one upsert that
 * only replaces a row of a version not above its own, so the newer snapshot wins whatever the order of saves.
 * A row whose state does not parse reads as no snapshot (the caller replays the log).
 */
export function createSqliteSnapshotStore(db: Database.Database): SnapshotStore {
  const select = db.prepare<[string], Row>(
    'SELECT key, version, schema, state, saved_at FROM event_log_snapshots WHERE key = ?',
  );
  const upsert = db.prepare<[string, number, string, string, string]>(
    `INSERT INTO event_log_snapshots (key, version, schema, state, saved_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET version = excluded.version, schema = excluded.schema, state = excluded.state, saved_at = excluded.saved_at
     WHERE excluded.version >= event_log_snapshots.version`,
  );
  const del = db.prepare<[string]>('DELETE FROM event_log_snapshots WHERE key = ?');
  let closed = false;
  const ensureOpen = () => {
    if (closed) throw new DomainError('UNAVAILABLE', 'snapshot store is closed');
  };

  return {
    async load<S>(key: string): Promise<Snapshot<S> | undefined> {
      ensureOpen();
      const row = select.get(key);
      if (!row) return undefined;
      let state: S;
      try {
        state = JSON.parse(row.state) as S;
      } catch {
        return undefined;
      }
      return { key: row.key, version: row.version, schema: row.schema, state, savedAt: row.saved_at };
    },
    async save<S>(snapshot: Omit<Snapshot<S>, 'savedAt'>): Promise<void> {
      ensureOpen();
      validateSnapshot(snapshot);
      const json = JSON.stringify(snapshot.state);
      if (json === undefined)
        throw new DomainError('VALIDATION_FAILED', 'snapshot state must be JSON', { key: snapshot.key });
      upsert.run(snapshot.key, snapshot.version, snapshot.schema, json, new Date().toISOString());
    },
    async remove(key: string): Promise<void> {
      ensureOpen();
      del.run(key);
    },
    async close(): Promise<void> {
      closed = true;
    },
  };
}
