import { randomUUID } from 'node:crypto';
import { CompressionTypes, type Admin, type Consumer, type Kafka, type Producer } from 'kafkajs';
import { DomainError } from '@agentry/kernel';
import type { Snapshot, SnapshotStore } from '../ports';

export interface KafkaSnapshotStoreConfig {
  /** A kafkajs client (the one of the event log, or another on the same cluster). */
  kafka: Kafka;
  /** Compacted topic holding the snapshots (created when missing with `cleanup.policy=compact`, one partition). */
  topic: string;
  /** Replication factor when the topic is created (default 1). */
  replicationFactor?: number;
  /** Extra topic configs when the topic is created (e.g. `min.cleanable.dirty.ratio`, `max.message.bytes`). */
  topicConfig?: Record<string, string>;
  /** How long the first use waits to read the topic up to its end before going on with what it has (default 30 s). */
  catchUpTimeoutMs?: number;
  /** Long-poll wait of the reader's fetches; close() waits for the one in flight (default 1000 ms). */
  fetchWaitMs?: number;
}

/** One message value (JSON; the producer compresses batches with gzip). */
interface Stored {
  version: number;
  schema: string;
  state: unknown;
  savedAt: string;
}

function decode(value: Buffer): Stored | undefined {
  try {
    const stored = JSON.parse(value.toString('utf8')) as Stored;
    return stored && typeof stored.version === 'number' && typeof stored.schema === 'string' ? stored : undefined;
  } catch {
    return undefined;
  }
}

/** Checks what a caller hands to save (the same checks as the SQLite and JetStream adapters). */
function validate(snapshot: Omit<Snapshot, 'savedAt'>): void {
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
 * Snapshots on a compacted Kafka topic keyed by snapshot key: compaction keeps the latest message per key, and a
 * tombstone (null value) removes one. On first use the store reads the whole topic into memory with a consumer of
 * its own (a unique group, like the Kafka event store's index) and keeps following it, so loads are local and
 * other clients' saves show up as they are read. A save waits until its own message came back through that
 * consumer (read-your-writes). "Never replace a higher version" is applied by the saver (it skips a save older
 * than what it has read) and by every reader (a message older than the one it holds is ignored until a tombstone),
 * so all clients agree; after compaction only the last message of a key remains, which is the newest one unless
 * two processes raced. One message must fit the topic's `max.message.bytes` (1 MB by default; batches are gzipped).
 */
export function createKafkaSnapshotStore(config: KafkaSnapshotStoreConfig): SnapshotStore {
  const { kafka, topic } = config;
  const catchUpTimeoutMs = config.catchUpTimeoutMs ?? 30_000;
  const snapshots = new Map<string, Snapshot>();
  let nextOffset = 0;
  let waiters: Array<{ offset: number; resolve: () => void }> = [];
  let producer: Producer | undefined;
  let admin: Admin | undefined;
  let consumer: Consumer | undefined;
  let ready: Promise<void> | undefined;
  let closed = false;

  function waitForOffset(offset: number, timeoutMs: number): Promise<boolean> {
    if (nextOffset > offset) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = { offset, resolve: () => (clearTimeout(timer), resolve(true)) };
      const timer = setTimeout(() => {
        waiters = waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      timer.unref?.();
      waiters.push(waiter);
    });
  }

  function apply(key: string, value: Buffer | null): void {
    if (value === null) {
      snapshots.delete(key);
      return;
    }
    const stored = decode(value);
    if (!stored) return; // undecodable: not a snapshot (an older good one stays)
    const current = snapshots.get(key);
    if (current && current.version > stored.version) return;
    snapshots.set(key, {
      key,
      version: stored.version,
      schema: stored.schema,
      state: stored.state,
      savedAt: stored.savedAt,
    });
  }

  async function start(): Promise<void> {
    admin = kafka.admin();
    await admin.connect();
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) {
      const configEntries = Object.entries({ 'cleanup.policy': 'compact', ...config.topicConfig }).map(
        ([name, value]) => ({ name, value }),
      );
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: 1, replicationFactor: config.replicationFactor ?? 1, configEntries }],
      });
    }
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    consumer = kafka.consumer({
      groupId: `${topic}-reader-${randomUUID()}`,
      maxWaitTimeInMs: config.fetchWaitMs ?? 1000,
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const offset = Number(message.offset);
        const key = message.key?.toString('utf8');
        if (key) apply(key, message.value);
        nextOffset = Math.max(nextOffset, offset + 1);
        waiters = waiters.filter((w) => (w.offset < nextOffset ? (w.resolve(), false) : true));
      },
    });
    const [p0] = await admin.fetchTopicOffsets(topic);
    const high = Number(p0?.high ?? 0);
    // Compaction never removes the last message of a partition (it is in the active segment), so it is there to wait for.
    if (high > 0) await waitForOffset(high - 1, catchUpTimeoutMs);
  }

  function open(): Promise<void> {
    if (closed) return Promise.reject(new DomainError('UNAVAILABLE', 'snapshot store is closed'));
    if (!ready) {
      ready = start();
      ready.catch(() => (ready = undefined));
    }
    return ready;
  }

  /** Sends one message and waits until the store's consumer has read it (then the map reflects it). */
  async function send(key: string, value: Buffer | null): Promise<void> {
    const [meta] = await producer!.send({ topic, compression: CompressionTypes.GZIP, messages: [{ key, value }] });
    const offset = Number(meta?.baseOffset ?? meta?.offset ?? -1);
    if (offset < 0 || !(await waitForOffset(offset, catchUpTimeoutMs))) apply(key, value); // the consumer lags: apply it here
  }

  return {
    async load<S>(key: string): Promise<Snapshot<S> | undefined> {
      await open();
      return snapshots.get(key) as Snapshot<S> | undefined;
    },

    async save<S>(snapshot: Omit<Snapshot<S>, 'savedAt'>): Promise<void> {
      validate(snapshot);
      await open();
      const current = snapshots.get(snapshot.key);
      if (current && current.version > snapshot.version) return; // a newer snapshot is kept
      const stored: Stored = {
        version: snapshot.version,
        schema: snapshot.schema,
        state: snapshot.state,
        savedAt: new Date().toISOString(),
      };
      const json = JSON.stringify(stored);
      if (json === undefined)
        throw new DomainError('VALIDATION_FAILED', 'snapshot state must be JSON', { key: snapshot.key });
      await send(snapshot.key, Buffer.from(json, 'utf8'));
    },

    async remove(key: string): Promise<void> {
      await open();
      await send(key, null);
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await ready?.catch(() => undefined);
      await Promise.allSettled([consumer?.disconnect(), producer?.disconnect(), admin?.disconnect()]);
    },
  };
}
