import { DomainError, categoryOf, type EventEnvelope, type NewEvent } from '@agentry/kernel';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  LeasedTask,
  LeaseOptions,
  NewTask,
  ReadAllOptions,
  SubscribeOptions,
  Subscription,
  WorkQueue,
} from '@agentry/event-log';
import { randomUUID } from 'node:crypto';

/** Tiny in-memory EventStore for tests: expected-version appends, stream reads, readAll, naive subscribe. */
export class MemoryEventStore implements EventStore {
  readonly all: EventEnvelope[] = [];
  readonly streams = new Map<string, EventEnvelope[]>();
  appendCalls = 0;
  private listeners = new Set<() => void>();

  async append(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    this.appendCalls++;
    const stream = this.streams.get(streamId) ?? [];
    if (options.expectedVersion !== 'any' && options.expectedVersion !== stream.length) {
      throw new DomainError(
        'VERSION_CONFLICT',
        `stream ${streamId} is at ${stream.length}, expected ${options.expectedVersion}`,
      );
    }
    const appended = events.map((e, i) => {
      const env: EventEnvelope = {
        id: e.id ?? randomUUID(),
        type: e.type,
        streamId,
        streamVersion: stream.length + i + 1,
        globalPosition: this.all.length + i + 1,
        tenantId: options.tenantId,
        occurredAt: e.occurredAt ?? new Date().toISOString(),
        causationId: e.causationId,
        correlationId: e.correlationId,
        data: JSON.parse(JSON.stringify(e.data ?? null)),
      };
      return env;
    });
    // Copy-on-write so readers holding the old array never see it change.
    this.streams.set(streamId, [...stream, ...appended]);
    this.all.push(...appended);
    for (const l of this.listeners) l();
    return { nextVersion: stream.length + appended.length, lastPosition: this.all.length, events: appended };
  }

  async readStream(streamId: string, options?: { fromVersion?: number }): Promise<EventEnvelope[]> {
    return (this.streams.get(streamId) ?? []).filter((e) => e.streamVersion >= (options?.fromVersion ?? 1));
  }

  async streamVersion(streamId: string): Promise<number> {
    return this.streams.get(streamId)?.length ?? 0;
  }

  async readAll(options: ReadAllOptions = {}): Promise<EventEnvelope[]> {
    const out = this.all.filter(
      (e) =>
        e.globalPosition > (options.after ?? 0) &&
        (!options.categories || options.categories.includes(categoryOf(e.streamId))),
    );
    return options.limit ? out.slice(0, options.limit) : out;
  }

  async headPosition(): Promise<number> {
    return this.all.length;
  }

  subscribe(options: SubscribeOptions): Subscription {
    let position = 0;
    let closed = false;
    const pump = async () => {
      while (!closed && position < this.all.length) {
        const e = this.all[position++];
        if (!options.categories || options.categories.includes(categoryOf(e.streamId))) await options.handler(e);
      }
    };
    const listener = () => void pump();
    this.listeners.add(listener);
    return {
      caughtUp: pump(),
      close: async () => {
        closed = true;
        this.listeners.delete(listener);
      },
    };
  }

  async close(): Promise<void> {}
}

interface Entry {
  task: NewTask;
  order: number;
  notBefore: number;
  leasedBy?: string;
  leaseToken?: string;
  leaseExpiresAt?: number;
  deliveries: number;
}

/** Tiny in-memory WorkQueue for tests (real time for leases and notBefore). */
export class MemoryWorkQueue implements WorkQueue {
  readonly queues = new Map<string, Map<string, Entry>>();
  private order = 0;
  private waiters = new Set<() => void>();

  private q(name: string) {
    let q = this.queues.get(name);
    if (!q) this.queues.set(name, (q = new Map()));
    return q;
  }

  private wake() {
    for (const w of [...this.waiters]) w();
  }

  async enqueue(queue: string, tasks: NewTask[]): Promise<void> {
    const q = this.q(queue);
    for (const t of tasks)
      if (!q.has(t.id)) q.set(t.id, { task: t, order: this.order++, notBefore: t.notBefore ?? 0, deliveries: 0 });
    this.wake();
  }

  async lease(queue: string, options: LeaseOptions): Promise<LeasedTask[]> {
    const deadline = Date.now() + (options.waitMs ?? 0);
    for (;;) {
      const now = Date.now();
      const ready = [...this.q(queue).values()]
        .filter((e) => e.notBefore <= now && (e.leaseExpiresAt === undefined || e.leaseExpiresAt <= now))
        .sort((a, b) => a.order - b.order)
        .slice(0, options.max ?? 1);
      if (ready.length > 0 || now >= deadline) {
        return ready.map((e) => {
          e.deliveries++;
          e.leasedBy = options.workerId;
          e.leaseToken = randomUUID();
          e.leaseExpiresAt = now + options.leaseMs;
          return {
            id: e.task.id,
            queue,
            tenantId: e.task.tenantId,
            payload: e.task.payload,
            deliveries: e.deliveries,
            leaseToken: e.leaseToken,
            leaseExpiresAt: e.leaseExpiresAt,
          };
        });
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(20, Math.max(1, deadline - now)));
        this.waiters.add(done);
      });
    }
  }

  private owned(task: Pick<LeasedTask, 'id' | 'queue' | 'leaseToken'>): Entry {
    const e = this.q(task.queue).get(task.id);
    if (!e || e.leaseToken !== task.leaseToken || (e.leaseExpiresAt ?? 0) <= Date.now())
      throw new DomainError('CONFLICT', `lease on ${task.id} lost`);
    return e;
  }

  async heartbeat(task: Pick<LeasedTask, 'id' | 'queue' | 'leaseToken'>, leaseMs: number): Promise<void> {
    this.owned(task).leaseExpiresAt = Date.now() + leaseMs;
  }

  async ack(task: Pick<LeasedTask, 'id' | 'queue' | 'leaseToken'>): Promise<void> {
    this.owned(task);
    this.q(task.queue).delete(task.id);
  }

  async nack(task: Pick<LeasedTask, 'id' | 'queue' | 'leaseToken'>, delayMs = 0): Promise<void> {
    const e = this.owned(task);
    e.leaseExpiresAt = undefined;
    e.leaseToken = undefined;
    e.notBefore = Date.now() + delayMs;
    this.wake();
  }

  async remove(queue: string, taskId: string): Promise<void> {
    this.q(queue).delete(taskId);
  }

  async depth(queue: string): Promise<number> {
    return this.q(queue).size;
  }

  async close(): Promise<void> {
    this.wake();
  }
}
