import type Database from 'better-sqlite3';
import type { EventEmitter } from 'node:events';
import { categoryOf, DomainError, type EventEnvelope, type NewEvent } from '@agentry/kernel';
import type { AppendOptions, AppendResult, EventStore, ReadAllOptions, ReadStreamOptions, SubscribeOptions, Subscription } from '../ports';
import { corruptPlaceholder, decodeStored, toEnvelope, toStored, type EventLocation } from '../internal/codec';
import { validateAppend, versionConflict } from '../internal/validate';
import { deferred, Wakeup } from '../internal/wakeup';
import { APPENDED } from './notifier';
import { subscriptionSet } from '../internal/subscriptions';

export interface SqliteEventStoreOptions {
  /** How often subscriptions look for appends made by other processes (default 100 ms). */
  pollIntervalMs: number;
  /**
   * Appends issued in the same tick share one transaction (each append in its own savepoint, so a
   * conflict rolls back only that append). Default true; the cost of SQLite is per commit, not per event.
   */
  groupCommit: boolean;
  /** Events handed to a subscription per read (default 500). */
  subscriptionBatch: number;
}

interface Row {
  global_position: number;
  stream_id: string;
  version: number;
  body: string;
}

interface PendingAppend {
  streamId: string;
  events: NewEvent[];
  options: AppendOptions;
  resolve: (result: AppendResult) => void;
  reject: (err: unknown) => void;
}

function decodeRow(row: Row): EventEnvelope {
  return decodeStored(row.body, { streamId: row.stream_id, streamVersion: row.version, globalPosition: row.global_position });
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function isBusy(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

export function createSqliteEventStore(db: Database.Database, notifier: EventEmitter, opts: SqliteEventStoreOptions): EventStore {
  const stmt = {
    version: db.prepare<[string], number | null>('SELECT MAX(version) FROM event_log WHERE stream_id = ?').pluck(),
    insert: db.prepare<[string, string, number, string]>('INSERT INTO event_log (stream_id, category, version, body) VALUES (?, ?, ?, ?)'),
    readStream: db.prepare<[string, number], Row>('SELECT global_position, stream_id, version, body FROM event_log WHERE stream_id = ? AND version >= ? ORDER BY version'),
    readAll: db.prepare<[number, number], Row>('SELECT global_position, stream_id, version, body FROM event_log WHERE global_position > ? ORDER BY global_position LIMIT ?'),
    readAllIn: db.prepare<[number, string, number], Row>(
      'SELECT global_position, stream_id, version, body FROM event_log WHERE global_position > ? AND category IN (SELECT value FROM json_each(?)) ORDER BY global_position LIMIT ?',
    ),
    head: db.prepare<[], number | null>('SELECT MAX(global_position) FROM event_log').pluck(),
    loadConsumer: db.prepare<[string], number>('SELECT position FROM event_log_consumers WHERE name = ?').pluck(),
    saveConsumer: db.prepare<[string, number, number]>(
      'INSERT INTO event_log_consumers (name, position, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at',
    ),
  };

  let closed = false;
  const subscriptions = subscriptionSet();

  function appendInTransaction(req: PendingAppend): AppendResult {
    const { streamId, events, options } = req;
    const current = stmt.version.get(streamId) ?? 0;
    if (options.expectedVersion !== 'any' && options.expectedVersion !== current) throw versionConflict(streamId, options.expectedVersion, current);
    const category = categoryOf(streamId);
    const now = new Date();
    const appended: EventEnvelope[] = [];
    try {
      events.forEach((event, k) => {
        const stored = toStored(event, options.tenantId, now);
        const at: EventLocation = { streamId, streamVersion: current + k + 1, globalPosition: 0 };
        at.globalPosition = Number(stmt.insert.run(streamId, category, at.streamVersion, JSON.stringify(stored)).lastInsertRowid);
        appended.push(toEnvelope(stored, at));
      });
    } catch (err) {
      // Last line of defence: UNIQUE(stream_id, version) catches a writer that slipped past the check.
      if (isUniqueViolation(err)) throw versionConflict(streamId, options.expectedVersion, stmt.version.get(streamId) ?? 0);
      throw err;
    }
    const last = appended[appended.length - 1];
    return { nextVersion: current + events.length, lastPosition: last ? last.globalPosition : 0, events: appended };
  }

  // Nested better-sqlite3 transactions run as SAVEPOINTs: a failing append rolls back alone.
  const appendOne = db.transaction(appendInTransaction);
  const commitGroup = db.transaction((group: PendingAppend[]) =>
    group.map((req): { ok: AppendResult } | { err: unknown } => {
      try {
        return { ok: appendOne(req) };
      } catch (err) {
        return { err };
      }
    }),
  );

  let queued: PendingAppend[] = [];
  let flushScheduled = false;

  function flush(): void {
    flushScheduled = false;
    const group = queued;
    queued = [];
    if (group.length === 0) return;
    let outcomes: ReturnType<typeof commitGroup>;
    try {
      outcomes = commitGroup.immediate(group);
    } catch (err) {
      const failure = isBusy(err) ? new DomainError('UNAVAILABLE', 'event log is locked by another writer', undefined, { cause: err }) : err;
      for (const req of group) req.reject(failure);
      return;
    }
    if (outcomes.some((o) => 'ok' in o && o.ok.events.length > 0)) notifier.emit(APPENDED);
    outcomes.forEach((o, k) => ('ok' in o ? group[k].resolve(o.ok) : group[k].reject(o.err)));
  }

  function ensureOpen(): void {
    if (closed) throw new DomainError('UNAVAILABLE', 'event store is closed');
  }

  function readAllSync(options: ReadAllOptions = {}): EventEnvelope[] {
    const after = options.after ?? 0;
    const limit = options.limit ?? -1; // SQLite: a negative LIMIT means no limit
    const rows = options.categories ? stmt.readAllIn.all(after, JSON.stringify(options.categories), limit) : stmt.readAll.all(after, limit);
    return rows.map(decodeRow);
  }

  const store: EventStore = {
    append(streamId, events, options) {
      return new Promise<AppendResult>((resolve, reject) => {
        ensureOpen();
        validateAppend(streamId, events, options);
        queued.push({ streamId, events, options, resolve, reject });
        if (!opts.groupCommit) flush();
        else if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      });
    },

    async readStream(streamId, options: ReadStreamOptions = {}) {
      ensureOpen();
      return stmt.readStream.all(streamId, options.fromVersion ?? 1).map(decodeRow);
    },

    async streamVersion(streamId) {
      ensureOpen();
      return stmt.version.get(streamId) ?? 0;
    },

    async readAll(options) {
      ensureOpen();
      return readAllSync(options);
    },

    async headPosition() {
      ensureOpen();
      return stmt.head.get() ?? 0;
    },

    subscribe(options: SubscribeOptions): Subscription {
      ensureOpen();
      return subscriptions.track(runSubscription(options));
    },

    async close() {
      if (closed) return;
      flush();
      closed = true;
      await subscriptions.closeAll();
    },
  };

  function runSubscription(options: SubscribeOptions) {
    const { consumer, handler } = options;
    const categories = options.categories && options.categories.length > 0 ? options.categories : undefined;
    const caughtUp = deferred();
    const wakeup = new Wakeup();
    const onAppend = () => wakeup.wake();
    let stopped = false;

    let position = stmt.loadConsumer.get(consumer);
    if (position === undefined) {
      position = options.startAt === 'end' ? (stmt.head.get() ?? 0) : 0;
      // Pin 'end' now, so events appended before the first delivery are not skipped after a restart.
      if (options.startAt === 'end') stmt.saveConsumer.run(consumer, position, Date.now());
    }
    const target = stmt.head.get() ?? 0;
    if (position >= target) caughtUp.resolve();
    notifier.on(APPENDED, onAppend);

    const fail = (err: unknown, event: EventEnvelope) => {
      stopped = true;
      if (!caughtUp.settled) caughtUp.reject(err);
      try {
        options.onError?.(err, event);
      } catch {
        // onError is a notification; its own failure must not mask the original error
      }
    };

    const savePosition = (saved: number): number => {
      if (position! !== saved) stmt.saveConsumer.run(consumer, position!, Date.now());
      return position!;
    };

    const loop = (async () => {
      await Promise.resolve();
      let saved = position!;
      while (!stopped) {
        let rows: Row[];
        // Every position up to the head read before the query is committed (one writer, positions in commit order),
        // so a short page means nothing else below that head matches: a filtered consumer may skip past it.
        const headBefore = categories ? (stmt.head.get() ?? 0) : 0;
        try {
          rows = categories
            ? stmt.readAllIn.all(position!, JSON.stringify(categories), opts.subscriptionBatch)
            : stmt.readAll.all(position!, opts.subscriptionBatch);
        } catch (err) {
          if (closed) break;
          fail(err, corruptPlaceholder({ streamId: '?', streamVersion: 0, globalPosition: position! + 1 }));
          break;
        }
        if (rows.length === 0) {
          if (categories && headBefore > position!) {
            position = headBefore;
            saved = savePosition(saved);
          }
          if (!caughtUp.settled) caughtUp.resolve();
          await wakeup.wait(opts.pollIntervalMs);
          continue;
        }
        let completed = true;
        for (const row of rows) {
          if (stopped) break;
          let event: EventEnvelope;
          try {
            event = decodeRow(row);
          } catch (err) {
            fail(err, corruptPlaceholder({ streamId: row.stream_id, streamVersion: row.version, globalPosition: row.global_position }));
            completed = false;
            break;
          }
          try {
            await handler(event);
          } catch (err) {
            fail(err, event);
            completed = false;
            break;
          }
          position = event.globalPosition;
          if (position >= target && !caughtUp.settled) caughtUp.resolve();
        }
        if (completed && !stopped && categories && rows.length < opts.subscriptionBatch && headBefore > position!) position = headBefore;
        // One position write per page, not per event: a crash redelivers at most one page (delivery is at least once).
        saved = savePosition(saved);
      }
    })();

    return {
      caughtUp: caughtUp.promise,
      async close() {
        stopped = true;
        notifier.off(APPENDED, onAppend);
        wakeup.wake();
        await loop; // lets an in-flight handler finish and its position be stored
        if (!caughtUp.settled) caughtUp.reject(new DomainError('UNAVAILABLE', `subscription ${consumer} closed before it caught up`));
      },
    };
  }

  return store;
}
