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
  /**
   * A subscription stores its position at most this often while it runs (default 250 ms), and always when it
   * closes or fails: delivery is at least once, so a crash redelivers at most this much. 0 = after every page.
   */
  positionSaveIntervalMs?: number;
}

interface Row {
  global_position: number;
  stream_id: string;
  version: number;
  body: string;
}

/** A committed row kept in memory for this process's subscribers (the body stays a string: each decodes its own copy). */
interface RecentRow extends Row {
  category: string;
}

/** Rows appended through this store and kept for subscribers that are close behind (no SQL read for them). */
const RECENT_ROWS = 4096;
/** Rows per INSERT statement: one statement per row costs more than the row. */
const INSERT_CHUNK = 16;

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
    insert: db.prepare<[string, string, number, string]>('INSERT INTO event_log (stream_id, category, version, body) VALUES (?, ?, ?, ?) RETURNING global_position').pluck(),
    insertChunk: db.prepare<unknown[]>(
      `INSERT INTO event_log (stream_id, category, version, body) VALUES ${Array(INSERT_CHUNK).fill('(?, ?, ?, ?)').join(', ')} RETURNING global_position`,
    ).pluck(),
    readStream: db.prepare<[string, number], Row>('SELECT global_position, stream_id, version, body FROM event_log WHERE stream_id = ? AND version >= ? ORDER BY version'),
    readAll: db.prepare<[number, number], Row>('SELECT global_position, stream_id, version, body FROM event_log WHERE global_position > ? ORDER BY global_position LIMIT ?'),
    readAllOne: db.prepare<[string, number, number], Row>(
      'SELECT global_position, stream_id, version, body FROM event_log WHERE category = ? AND global_position > ? ORDER BY global_position LIMIT ?',
    ),
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
    const rows: RecentRow[] = [];
    try {
      const stored = events.map((event) => toStored(event, options.tenantId, now));
      const bodies = stored.map((e) => JSON.stringify(e));
      const positions: number[] = [];
      let k = 0;
      for (; k + INSERT_CHUNK <= events.length; k += INSERT_CHUNK) {
        const args: unknown[] = [];
        for (let j = k; j < k + INSERT_CHUNK; j++) args.push(streamId, category, current + j + 1, bodies[j]);
        // RETURNING yields the rows in insertion order
        for (const p of stmt.insertChunk.all(...args) as number[]) positions.push(p);
      }
      for (; k < events.length; k++) positions.push(stmt.insert.get(streamId, category, current + k + 1, bodies[k]) as number);
      stored.forEach((e, j) => {
        const at: EventLocation = { streamId, streamVersion: current + j + 1, globalPosition: positions[j] };
        appended.push(toEnvelope(e, at));
        rows.push({ global_position: at.globalPosition, stream_id: streamId, version: at.streamVersion, body: bodies[j], category });
      });
    } catch (err) {
      // Last line of defence: UNIQUE(stream_id, version) catches a writer that slipped past the check.
      if (isUniqueViolation(err)) throw versionConflict(streamId, options.expectedVersion, stmt.version.get(streamId) ?? 0);
      throw err;
    }
    const last = appended[appended.length - 1];
    committedRows.set(req, rows);
    return { nextVersion: current + events.length, lastPosition: last ? last.globalPosition : 0, events: appended };
  }

  /** Rows of the appends in the group being committed, kept once the commit succeeded. */
  const committedRows = new Map<PendingAppend, RecentRow[]>();
  /** Recently committed rows with contiguous positions (another writer's rows break the run: it starts over). */
  let recent: RecentRow[] = [];

  function keepRecent(rows: RecentRow[]): void {
    for (const row of rows) {
      const last = recent[recent.length - 1];
      if (last && row.global_position !== last.global_position + 1) recent = [];
      recent.push(row);
    }
    if (recent.length > 2 * RECENT_ROWS) recent = recent.slice(recent.length - RECENT_ROWS);
  }

  /**
   * The next rows after `after` from memory, when memory holds every committed row from `after` up to `head`;
   * undefined otherwise (read the table). `scanned` is the last position looked at.
   */
  function recentAfter(after: number, head: number, categories: string[] | undefined, limit: number): { rows: Row[]; scanned: number } | undefined {
    if (recent.length === 0) return undefined;
    const first = recent[0].global_position;
    const last = recent[recent.length - 1].global_position;
    if (after + 1 < first || last < head || after >= last) return undefined;
    const rows: Row[] = [];
    let scanned = after;
    for (let i = after + 1 - first; i < recent.length && rows.length < limit; i++) {
      const row = recent[i];
      scanned = row.global_position;
      if (!categories || categories.includes(row.category)) rows.push(row);
    }
    return { rows, scanned };
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
      committedRows.clear();
      const failure = isBusy(err) ? new DomainError('UNAVAILABLE', 'event log is locked by another writer', undefined, { cause: err }) : err;
      for (const req of group) req.reject(failure);
      return;
    }
    outcomes.forEach((o, k) => {
      const rows = committedRows.get(group[k]);
      if ('ok' in o && rows) keepRecent(rows);
    });
    committedRows.clear();
    if (outcomes.some((o) => 'ok' in o && o.ok.events.length > 0)) notifier.emit(APPENDED);
    outcomes.forEach((o, k) => ('ok' in o ? group[k].resolve(o.ok) : group[k].reject(o.err)));
  }

  function ensureOpen(): void {
    if (closed) throw new DomainError('UNAVAILABLE', 'event store is closed');
  }

  function readAllSync(options: ReadAllOptions = {}): EventEnvelope[] {
    const after = options.after ?? 0;
    const limit = options.limit ?? -1; // SQLite: a negative LIMIT means no limit
    return readRows(after, options.categories, limit).map(decodeRow);
  }

  function readRows(after: number, categories: string[] | undefined, limit: number): Row[] {
    if (!categories) return stmt.readAll.all(after, limit);
    if (categories.length === 1) return stmt.readAllOne.all(categories[0], after, limit);
    return stmt.readAllIn.all(after, JSON.stringify(categories), limit);
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

    const saveEveryMs = opts.positionSaveIntervalMs ?? 250;
    let savedAt = 0;
    /** One write per interval at most while running (each write is a commit); `force` when closing or failing. */
    const savePosition = (saved: number, force = false): number => {
      if (position! === saved) return saved;
      const nowMs = Date.now();
      if (!force && nowMs - savedAt < saveEveryMs) return saved;
      stmt.saveConsumer.run(consumer, position!, nowMs);
      savedAt = nowMs;
      return position!;
    };

    const loop = (async () => {
      await Promise.resolve();
      let saved = position!;
      while (!stopped) {
        let rows: Row[];
        // Every position up to the head read before the query is committed (one writer, positions in commit order),
        // so a short page means nothing else below that head matches: a filtered consumer may skip past it.
        let headBefore = 0;
        try {
          headBefore = stmt.head.get() ?? 0;
          // Catching up reads the table; the live tail gets the rows this process has just committed.
          const kept = position! >= target ? recentAfter(position!, headBefore, categories, opts.subscriptionBatch) : undefined;
          if (kept) {
            rows = kept.rows;
            // Everything up to `scanned` was looked at; a full page may stop before the head.
            if (rows.length === opts.subscriptionBatch) headBefore = Math.min(headBefore, kept.scanned);
          } else rows = readRows(position!, categories, opts.subscriptionBatch);
          if (!categories) headBefore = 0;
        } catch (err) {
          if (closed) break;
          fail(err, corruptPlaceholder({ streamId: '?', streamVersion: 0, globalPosition: position! + 1 }));
          break;
        }
        if (rows.length === 0) {
          if (categories && headBefore > position!) position = headBefore;
          // Idle: the position delivered last is stored once the interval has passed (polls come every pollIntervalMs).
          saved = savePosition(saved);
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
        // At most one position write per interval, not per event: a crash redelivers what came since (at least once).
        saved = savePosition(saved, !completed);
      }
      try {
        savePosition(saved, true);
      } catch {
        // the connection is already closed: the next subscribe redelivers from the last stored position
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
