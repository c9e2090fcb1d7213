import type { EventEnvelope, NewEvent } from '@agentry/kernel';

/**
 * Expected version for optimistic concurrency:
 *  - a number N: the stream must currently be at version N (0 = the stream must not exist yet);
 *  - 'any': no check.
 * A mismatch rejects the whole append with DomainError('VERSION_CONFLICT') and writes nothing.
 */
export type ExpectedVersion = number | 'any';

export interface AppendOptions {
  expectedVersion: ExpectedVersion;
  tenantId: string;
}

export interface AppendResult {
  /** Version of the stream after the append (= streamVersion of the last appended event). */
  nextVersion: number;
  /** globalPosition of the last appended event (0 for an empty append, which only checks the version). */
  lastPosition: number;
  events: EventEnvelope[];
}

export interface ReadStreamOptions {
  /** Return events with streamVersion >= fromVersion (default 1). */
  fromVersion?: number;
}

export interface ReadAllOptions {
  /** Return events with globalPosition > after (default 0 = from the beginning). */
  after?: number;
  limit?: number;
  /** Only streams of these categories (e.g. ['execution']). */
  categories?: string[];
}

export type EventHandler = (event: EventEnvelope) => Promise<void> | void;

export interface SubscribeOptions {
  /** Durable consumer name: its position is stored and a later subscribe with the same name resumes after it. */
  consumer: string;
  categories?: string[];
  /**
   * Where a consumer without a stored position starts: 'start' (default) or 'end' (only new events).
   * 'end' is fixed by the time caughtUp resolves; events appended while subscribe is still starting may
   * or may not be delivered (JetStream creates its consumer asynchronously).
   */
  startAt?: 'start' | 'end';
  /**
   * Called for every event in globalPosition order, one at a time, at least once.
   * The position is stored after the handler resolves; a throwing handler stops the subscription
   * (onError is called) and the event is delivered again on the next subscribe.
   */
  handler: EventHandler;
  onError?: (err: unknown, event: EventEnvelope) => void;
  /**
   * Partition ownership (Kafka): subscribers with one consumer name split the partitions of their categories, and
   * a rebalance moves partitions between them. `assigned` is called with the partitions this subscriber gained
   * (before any of their events), `revoked` with those it lost (and, on close, with all it had). Adapters without
   * partitions (SQLite, JetStream) never call them: one subscriber owns every stream.
   */
  ownership?: {
    assigned?(partitions: PartitionRef[]): void | Promise<void>;
    revoked?(partitions: PartitionRef[]): void | Promise<void>;
  };
}

/** One partition of a category (Kafka: of its topic). */
export interface PartitionRef {
  category: string;
  partition: number;
}

export interface Subscription {
  /** Resolves once the subscription has caught up with the log as it was when subscribe was called. */
  readonly caughtUp: Promise<void>;
  close(): Promise<void>;
}

export interface EventStore {
  /** Most events one append may carry (JetStream and Kafka store an append as one message); absent = no limit. */
  readonly maxEventsPerAppend?: number;
  append(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /** Events of one stream in version order; [] when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<EventEnvelope[]>;
  /** Current version of a stream (0 when it does not exist). */
  streamVersion(streamId: string): Promise<number>;
  readAll(options?: ReadAllOptions): Promise<EventEnvelope[]>;
  /** globalPosition of the newest event (0 for an empty log). */
  headPosition(): Promise<number>;
  subscribe(options: SubscribeOptions): Subscription;
  /** The partition a stream lives in, on adapters with partitions (Kafka); absent: one partition per category. */
  partitionOf?(streamId: string): Promise<PartitionRef>;
  close(): Promise<void>;
}

/** A unit of work for a worker (e.g. one node execution for block-runner). */
export interface NewTask<P = unknown> {
  /** Unique per queue; enqueueing an id that is already queued or leased is a no-op (idempotent). */
  id: string;
  tenantId: string;
  payload: P;
  /** Do not hand out before this time (ms since epoch). */
  notBefore?: number;
}

export interface LeasedTask<P = unknown> {
  id: string;
  queue: string;
  tenantId: string;
  payload: P;
  /** How many times this task has been leased, this lease included (1 on the first lease). */
  deliveries: number;
  /**
   * Proof of ownership: heartbeat/ack/nack with a stale token (lease expired, taken over, task removed)
   * fail with DomainError('CONFLICT'). Opaque; JetStream tokens are only honoured by the client that leased.
   */
  leaseToken: string;
  leaseExpiresAt: number;
}

export interface LeaseOptions {
  workerId: string;
  /** Lease length in ms; a task whose lease expires becomes available again. */
  leaseMs: number;
  /** At most this many tasks (default 1). */
  max?: number;
  /** Wait up to this long for a task when none is ready (default 0 = return at once). */
  waitMs?: number;
}

export interface WorkQueue {
  enqueue(queue: string, tasks: NewTask[]): Promise<void>;
  lease(queue: string, options: LeaseOptions): Promise<LeasedTask[]>;
  /** Extend a lease; fails with CONFLICT when the lease was lost. */
  heartbeat(task: Pick<LeasedTask, 'id' | 'queue' | 'leaseToken'>, leaseMs: number): Promise<void>;
  /** Done: the task is removed. */
  ack(task: Pick<LeasedTask, 'id' | 'queue' | 'leaseToken'>): Promise<void>;
  /** Give it back, available again after delayMs (default 0). */
  nack(task: Pick<LeasedTask, 'id' | 'queue' | 'leaseToken'>, delayMs?: number): Promise<void>;
  /** Drop a queued or leased task (e.g. on cancel). No-op when unknown. */
  remove(queue: string, taskId: string): Promise<void>;
  /** Tasks waiting or leased in a queue. */
  depth(queue: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * A saved fold of one stream (rule 14: it may shorten a replay, it is never the source of truth). The reader
 * checks `schema` and `version` against what it expects and the log it reads, and rebuilds in full otherwise.
 */
export interface Snapshot<S = unknown> {
  key: string;
  /** stream version the state includes */
  version: number;
  /** schema tag: a reader ignores a snapshot whose schema differs */
  schema: string;
  /** JSON (the caller serialises Maps and the like) */
  state: S;
  savedAt: string;
}

/**
 * Latest snapshot per key. A save never replaces a snapshot of a higher version (the newer one is kept), so
 * concurrent or late saves cannot move a key backwards. Saves are last-writer-wins otherwise (same version).
 */
export interface SnapshotStore {
  /** The snapshot of a key, or undefined (never saved, removed, or unreadable). */
  load<S>(key: string): Promise<Snapshot<S> | undefined>;
  save<S>(snapshot: Omit<Snapshot<S>, 'savedAt'>): Promise<void>;
  /** drop one (e.g. after the stream ended) */
  remove(key: string): Promise<void>;
  close(): Promise<void>;
}
