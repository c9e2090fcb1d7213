import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import { DomainError } from '@agentry/kernel';
import type { LeasedTask, LeaseOptions, NewTask, WorkQueue } from '../ports';
import { leaseConflict } from '../internal/validate';
import { Wakeup } from '../internal/wakeup';
import { queueTopic } from './notifier';

export interface SqliteWorkQueueOptions {
  /** How often a waiting lease looks for tasks enqueued by other processes (default 100 ms). */
  pollIntervalMs: number;
}

interface TaskRow {
  id: string;
  tenant_id: string;
  payload: string;
}

type TaskRef = Pick<LeasedTask, 'id' | 'queue' | 'leaseToken'>;

/**
 * Work queue on one table. A task is ready when it is not leased and not_before has passed, or when
 * its lease expired. Leasing runs in a BEGIN IMMEDIATE transaction, so two workers (threads or
 * processes) never get the same task. A lease is valid until lease_expires_at: after that (or once
 * another worker re-leased the task) heartbeat/ack/nack fail with CONFLICT.
 */
export function createSqliteWorkQueue(db: Database.Database, notifier: EventEmitter, opts: SqliteWorkQueueOptions): WorkQueue {
  const stmt = {
    enqueue: db.prepare<[string, string, string, string, number, number]>(
      'INSERT INTO work_queue (queue, id, tenant_id, payload, not_before, enqueued_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(queue, id) DO NOTHING',
    ),
    ready: db.prepare<{ queue: string; now: number; max: number }, TaskRow>(
      `SELECT id, tenant_id, payload FROM work_queue
        WHERE queue = @queue AND ((lease_token IS NULL AND not_before <= @now) OR (lease_token IS NOT NULL AND lease_expires_at <= @now))
        ORDER BY rowid LIMIT @max`,
    ),
    take: db.prepare<{ queue: string; id: string; token: string; owner: string; expires: number }, { deliveries: number }>(
      `UPDATE work_queue SET lease_token = @token, lease_owner = @owner, lease_expires_at = @expires, deliveries = deliveries + 1
        WHERE queue = @queue AND id = @id RETURNING deliveries`,
    ),
    nextReadyAt: db.prepare<{ queue: string }, number | null>(
      `SELECT MIN(CASE WHEN lease_token IS NULL THEN not_before ELSE lease_expires_at END) FROM work_queue WHERE queue = @queue`,
    ).pluck(),
    heartbeat: db.prepare<{ queue: string; id: string; token: string; now: number; expires: number }>(
      'UPDATE work_queue SET lease_expires_at = @expires WHERE queue = @queue AND id = @id AND lease_token = @token AND lease_expires_at > @now',
    ),
    ack: db.prepare<{ queue: string; id: string; token: string; now: number }>(
      'DELETE FROM work_queue WHERE queue = @queue AND id = @id AND lease_token = @token AND lease_expires_at > @now',
    ),
    nack: db.prepare<{ queue: string; id: string; token: string; now: number; notBefore: number }>(
      `UPDATE work_queue SET lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL, not_before = @notBefore
        WHERE queue = @queue AND id = @id AND lease_token = @token AND lease_expires_at > @now`,
    ),
    remove: db.prepare<[string, string]>('DELETE FROM work_queue WHERE queue = ? AND id = ?'),
    depth: db.prepare<[string], number>('SELECT COUNT(*) FROM work_queue WHERE queue = ?').pluck(),
  };

  let closed = false;
  const waiters = new Set<Wakeup>();

  const enqueueAll = db.transaction((queue: string, tasks: NewTask[], now: number) => {
    for (const t of tasks) stmt.enqueue.run(queue, t.id, t.tenantId, JSON.stringify(t.payload ?? null), t.notBefore ?? 0, now);
  });

  const leaseNow = db.transaction((queue: string, options: LeaseOptions): LeasedTask[] => {
    const now = Date.now();
    const expires = now + options.leaseMs;
    return stmt.ready.all({ queue, now, max: options.max ?? 1 }).map((row) => {
      const leaseToken = randomUUID();
      const { deliveries } = stmt.take.get({ queue, id: row.id, token: leaseToken, owner: options.workerId, expires })!;
      return { id: row.id, queue, tenantId: row.tenant_id, payload: JSON.parse(row.payload) as unknown, deliveries, leaseToken, leaseExpiresAt: expires };
    });
  });

  const ensureOpen = () => {
    if (closed) throw new DomainError('UNAVAILABLE', 'work queue is closed');
  };
  const signal = (queue: string) => notifier.emit(queueTopic(queue));
  const checked = (changes: number, task: TaskRef) => {
    if (changes === 0) throw leaseConflict(task.queue, task.id, 'lease expired, taken over, or task removed');
  };

  return {
    async enqueue(queue, tasks) {
      ensureOpen();
      for (const t of tasks) {
        if (typeof t.id !== 'string' || t.id === '' || typeof t.tenantId !== 'string' || t.tenantId === '') {
          throw new DomainError('VALIDATION_FAILED', 'a task needs an id and a tenantId', { queue });
        }
      }
      enqueueAll.immediate(queue, tasks, Date.now());
      signal(queue);
    },

    async lease(queue, options) {
      ensureOpen();
      if (!(options.leaseMs > 0)) throw new DomainError('VALIDATION_FAILED', 'leaseMs must be > 0', { queue });
      const deadline = Date.now() + (options.waitMs ?? 0);
      const wakeup = new Wakeup();
      const onSignal = () => wakeup.wake();
      notifier.on(queueTopic(queue), onSignal);
      waiters.add(wakeup);
      try {
        for (;;) {
          const leased = leaseNow.immediate(queue, options);
          const now = Date.now();
          if (leased.length > 0 || now >= deadline || closed) return leased;
          const nextReady = stmt.nextReadyAt.get({ queue }) ?? Infinity;
          await wakeup.wait(Math.min(opts.pollIntervalMs, deadline - now, Math.max(1, nextReady - now)));
          if (closed) return [];
        }
      } finally {
        notifier.off(queueTopic(queue), onSignal);
        waiters.delete(wakeup);
      }
    },

    async heartbeat(task, leaseMs) {
      ensureOpen();
      const now = Date.now();
      checked(stmt.heartbeat.run({ queue: task.queue, id: task.id, token: task.leaseToken, now, expires: now + leaseMs }).changes, task);
    },

    async ack(task) {
      ensureOpen();
      checked(stmt.ack.run({ queue: task.queue, id: task.id, token: task.leaseToken, now: Date.now() }).changes, task);
    },

    async nack(task, delayMs = 0) {
      ensureOpen();
      const now = Date.now();
      checked(stmt.nack.run({ queue: task.queue, id: task.id, token: task.leaseToken, now, notBefore: now + delayMs }).changes, task);
      signal(task.queue);
    },

    async remove(queue, taskId) {
      ensureOpen();
      stmt.remove.run(queue, taskId);
    },

    async depth(queue) {
      ensureOpen();
      return stmt.depth.get(queue) ?? 0;
    },

    async close() {
      closed = true;
      for (const w of waiters) w.wake();
    },
  };
}
