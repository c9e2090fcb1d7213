import Database from 'better-sqlite3';
import type { EventStore, SnapshotStore, WorkQueue } from '../ports';
import { createSqliteEventStore } from './event-store';
import { notifierFor } from './notifier';
import { openPragmas } from './schema';
import { createSqliteSnapshotStore } from './snapshots';
import { createSqliteWorkQueue } from './work-queue';

export interface SqliteEventLogConfig {
  /** Database file, created when missing (WAL mode). Ignored when `db` is given. */
  path?: string;
  /** An already open connection to share (e.g. with the SQLite read store); close() leaves it open. */
  db?: Database.Database;
  /** Poll interval for changes made by OTHER processes; in-process changes wake waiters at once. Default 100 ms. */
  pollIntervalMs?: number;
  /** How long a writer waits for another process's write lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Share one transaction between appends issued in the same tick. Default true. */
  groupCommit?: boolean;
}

export interface SqliteEventLog {
  events: EventStore;
  queue: WorkQueue;
  /** Snapshots of stream folds, table `event_log_snapshots` in the same file. */
  snapshots: SnapshotStore;
  db: Database.Database;
  /** Closes the store, the queue and (when this module opened it) the connection. */
  close(): Promise<void>;
}

/**
 * Embedded event log + work queue in one SQLite file. Several services in one process may share one
 * log object or open their own on the same path; several processes may open the same file too
 * (WAL + busy_timeout; their appends reach subscribers through polling).
 */
export function createSqliteEventLog(config: SqliteEventLogConfig): SqliteEventLog {
  if (!config.db && !config.path) throw new Error('createSqliteEventLog needs a path or a db');
  const owned = !config.db;
  const db = config.db ?? new Database(config.path!);
  try {
    openPragmas(db, config.busyTimeoutMs ?? 5000);
  } catch (err) {
    if (owned) db.close();
    throw err;
  }
  const notifier = notifierFor(db);
  const pollIntervalMs = config.pollIntervalMs ?? 100;
  const events = createSqliteEventStore(db, notifier, {
    pollIntervalMs,
    groupCommit: config.groupCommit ?? true,
    subscriptionBatch: 500,
  });
  const queue = createSqliteWorkQueue(db, notifier, { pollIntervalMs });
  const snapshots = createSqliteSnapshotStore(db);
  let closed = false;
  return {
    events,
    queue,
    snapshots,
    db,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([events.close(), queue.close(), snapshots.close()]);
      if (owned) db.close();
    },
  };
}

export { createSqliteEventStore } from './event-store';
export { createSqliteWorkQueue } from './work-queue';
export { createSqliteSnapshotStore } from './snapshots';
