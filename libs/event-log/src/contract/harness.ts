import type { EventEnvelope } from '@agentry/kernel';
import type { EventStore, SnapshotStore, SubscribeOptions, Subscription, WorkQueue } from '../ports';

/** One client (connection) on a log under test. */
export interface EventLogClient {
  events: EventStore;
  queue: WorkQueue;
  /** Needed by the snapshot contract only. */
  snapshots?: SnapshotStore;
  close(): Promise<void>;
}

/** A fresh, empty log; connect() may be called several times to get independent clients on it. */
export interface EventLogFixture {
  connect(): Promise<EventLogClient>;
  /** Closes what is still open and deletes the log (temp files, server-side streams). */
  dispose(): Promise<void>;
}

export type MakeFixture = () => Promise<EventLogFixture>;

export interface ContractOptions {
  /**
   * Whether globalPosition orders events across categories (true for SQLite and JetStream, whose log is
   * one sequence). Kafka orders only within a category topic, so the cross-category checks are skipped.
   */
  globalOrder?: boolean;
  /** Lease length for the queue tests (default 400 ms). */
  leaseMs?: number;
}

/** Polls a condition; for waiting on deliveries without asserting how long they take. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Subscribes and records what arrives. */
export function record(
  events: EventStore,
  options: Omit<SubscribeOptions, 'handler'> & { handler?: SubscribeOptions['handler'] },
) {
  const received: EventEnvelope[] = [];
  const errors: Array<{ err: unknown; event: EventEnvelope }> = [];
  const subscription: Subscription = events.subscribe({
    ...options,
    handler: async (event) => {
      if (options.handler) await options.handler(event);
      received.push(event);
    },
    onError: (err, event) => {
      errors.push({ err, event });
    },
  });
  return { received, errors, subscription };
}

/** Expects a promise to reject with a DomainError of the given code. */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ name: 'DomainError', code });
}

/** Opens clients on one fixture and closes them (and the fixture) after each test. */
export function useFixture(makeFixture: MakeFixture) {
  let fixture: EventLogFixture | undefined;
  const clients: EventLogClient[] = [];
  beforeEach(async () => {
    fixture = await makeFixture();
  });
  afterEach(async () => {
    await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    await fixture?.dispose();
    fixture = undefined;
  });
  return async function connect(): Promise<EventLogClient> {
    if (!fixture) throw new Error('connect() outside a test');
    const client = await fixture.connect();
    clients.push(client);
    return client;
  };
}
