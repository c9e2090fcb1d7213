import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type KafkaConfig, type Producer } from 'kafkajs';
import { categoryOf, DomainError, type EventEnvelope } from '@agentry/kernel';
import type { AppendResult, EventStore, PartitionRef, ReadAllOptions, SubscribeOptions, Subscription } from '../ports';
import {
  corruptEvent,
  corruptPlaceholder,
  decodeCommit,
  EVENTS_PER_COMMIT,
  toStored,
  type StoredCommit,
} from '../internal/codec';
import { validateAppend, versionConflict } from '../internal/validate';
import { deferred } from '../internal/wakeup';
import { subscriptionSet } from '../internal/subscriptions';

export interface KafkaEventStoreConfig {
  brokers: string[];
  clientId?: string;
  /** Topic names are `<prefix>.<category>.events` (default prefix `agentry`). */
  prefix?: string;
  /** Replication factor of topics this module creates (default 1). */
  replicationFactor?: number;
  /**
   * Partitions of the topics this module creates: one number for every category or per category (default 1).
   * A topic that exists keeps its own count. Streams are spread by key (the stream id, Kafka's murmur2), so one
   * stream lives in one partition. Partition a category that is followed by `subscribe` (e.g. `execution`);
   * keep 1 for categories read by position polling (`readAll({ after })`), see README.
   */
  partitions?: number | Record<string, number>;
  /**
   * How long a fetch waits on the broker for new messages (default 1000 ms; kafkajs' own default is 5000). Closing a
   * consumer waits for its fetch in flight, so this bounds how long `close()` takes.
   */
  fetchMaxWaitMs?: number;
  /** Extra kafkajs client options (ssl, sasl…). */
  kafka?: Omit<KafkaConfig, 'brokers' | 'clientId'>;
}

/** What this process knows about one partition of a category topic. */
interface PartitionIndex {
  events: EventEnvelope[];
  streams: Map<string, EventEnvelope[]>;
  /** Offset of the next message the index expects. */
  nextOffset: number;
  waiters: Array<{ offset: number; resolve: () => void }>;
  /** Offsets of commits that lost a version race (their first version did not follow the stream): never delivered. */
  rejected: Set<number>;
  /** Streams with an undecodable commit: reading them fails, other streams keep working. */
  corrupt: Map<string, DomainError>;
  /** Serialises this process's appends to the partition. */
  writeChain: Promise<unknown>;
}

/** Everything this process knows about one category topic, rebuilt from the topic when first used. */
interface CategoryIndex {
  category: string;
  topic: string;
  partitions: PartitionIndex[];
  consumer: Consumer;
}

/** Largest partition count a category may have: positions keep the partition in their low digits. */
export const MAX_PARTITIONS = 256;

/**
 * Kafka offsets are per partition. A position is `((offset + 1) * 1000 + index) * P + partition` for a topic of P
 * partitions: increasing within a partition (and, with one partition, the single-partition formula
 * `(offset + 1) * 1000 + index`), unique across partitions, not ordered by time across partitions.
 */
const positionOf = (offset: number, index: number, partition: number, count: number) =>
  ((offset + 1) * EVENTS_PER_COMMIT + index) * count + partition;

const partitioner = Partitioners.DefaultPartitioner();

/** The partition of a stream in a topic of `count` partitions: Kafka's default (murmur2 of the key), as any client would pick. */
export function partitionOfKey(streamId: string, count: number): number {
  if (count <= 1) return 0;
  const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  return partitioner({ topic: '', partitionMetadata, message: { key: streamId, value: null } });
}

/**
 * EventStore on Kafka (kafkajs). One topic per category, key = stream id (so a stream lives in one partition),
 * one message per append (atomic), idempotent producer.
 *
 * Kafka cannot check an expected version when it writes, so the check happens when the log is read, the same way
 * in every reader: a commit whose first version does not follow its stream's last accepted version lost a race
 * and is **rejected** (never returned, never delivered). Partition order is total, so every reader in every process
 * decides alike. An append writes its commit with the version it expects, waits until its own reader reaches it,
 * and answers VERSION_CONFLICT when it was rejected (`'any'` appends retry). Several writers (replicas) are safe.
 *
 * The index keeps the categories this process has touched in memory (every partition of them); subscriptions
 * use it to skip rejected commits. Subscriptions are consumer groups: subscribers with one consumer name share
 * the partitions, and `ownership` tells each one which it has (rebalances included).
 */
export async function createKafkaEventStore(config: KafkaEventStoreConfig): Promise<EventStore> {
  const prefix = config.prefix ?? 'agentry';
  const clientId = config.clientId ?? 'agentry-event-log';
  const kafka = new Kafka({
    ...config.kafka,
    brokers: config.brokers,
    clientId,
    logLevel: config.kafka?.logLevel ?? logLevel.WARN,
  });
  const fetchMaxWaitMs = config.fetchMaxWaitMs ?? 1000;
  const topicOf = (category: string) => `${prefix}.${category}.events`;
  const categoryOfTopic = (topic: string) => topic.slice(prefix.length + 1, -'.events'.length);
  const topicPattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.[^.]+\\.events$`);
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const admin: Admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);

  const indexes = new Map<string, Promise<CategoryIndex>>();
  const subscriptions = subscriptionSet();
  /** Partition count of each topic known to exist. */
  const partitionCounts = new Map<string, number>();
  let closed = false;

  const wantedPartitions = (category: string) => {
    const p = config.partitions;
    const n = typeof p === 'number' ? p : (p?.[category] ?? 1);
    if (!Number.isInteger(n) || n < 1 || n > MAX_PARTITIONS)
      throw new Error(`partitions of ${category} must be an integer from 1 to ${MAX_PARTITIONS}`);
    return n;
  };

  /** Creates the topic when missing (one attempt per topic at a time); answers its partition count. */
  const ensuring = new Map<string, Promise<number>>();
  function ensureTopic(topic: string): Promise<number> {
    const known = partitionCounts.get(topic);
    if (known !== undefined) return Promise.resolve(known);
    let pending = ensuring.get(topic);
    if (!pending) {
      pending = createIfMissing(topic).finally(() => ensuring.delete(topic));
      ensuring.set(topic, pending);
    }
    return pending;
  }

  async function createIfMissing(topic: string): Promise<number> {
    const numPartitions = wantedPartitions(categoryOfTopic(topic));
    if (!(await admin.listTopics()).includes(topic)) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions, replicationFactor: config.replicationFactor ?? 1 }],
      });
    }
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    const count = meta.topics[0]?.partitions.length || numPartitions;
    if (count > MAX_PARTITIONS)
      throw new Error(`topic ${topic} has ${count} partitions; at most ${MAX_PARTITIONS} are supported`);
    partitionCounts.set(topic, count);
    return count;
  }

  /**
   * kafkajs' fetchTopicOffsets fails (a TypeError inside it) when its metadata of the topic is missing or being
   * replaced by a concurrent refresh; the offsets are asked again after refreshing that topic's metadata.
   */
  async function topicOffsets(topic: string): Promise<Array<{ partition: number; high: string }>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await admin.fetchTopicOffsets(topic);
      } catch (err) {
        if (!(err instanceof TypeError) || attempt >= 5) throw err;
        await admin.fetchTopicMetadata({ topics: [topic] });
      }
    }
  }

  async function highWatermarks(topic: string): Promise<number[]> {
    const offsets = await topicOffsets(topic);
    const out: number[] = [];
    for (const o of offsets) out[o.partition] = Number(o.high);
    return out;
  }

  function waitForOffset(part: PartitionIndex, offset: number): Promise<void> {
    if (part.nextOffset > offset) return Promise.resolve();
    return new Promise((resolve) => part.waiters.push({ offset, resolve }));
  }

  /** Waits until the index has folded what the partition held when asked (another client's appends included). */
  async function catchUpPartition(index: CategoryIndex, partition: number): Promise<void> {
    const [high] = (await topicOffsets(index.topic))
      .filter((o) => o.partition === partition)
      .map((o) => Number(o.high));
    if (high > 0) await waitForOffset(index.partitions[partition], high - 1);
  }

  async function waitForHead(index: CategoryIndex): Promise<void> {
    const highs = await highWatermarks(index.topic);
    await Promise.all(
      highs.map((high, p) =>
        high > 0 && index.partitions[p] ? waitForOffset(index.partitions[p], high - 1) : undefined,
      ),
    );
  }

  /** Folds one message into a partition index: the same accept/reject rule in every process. */
  function fold(
    index: CategoryIndex,
    partition: number,
    offset: number,
    key: string | undefined,
    value: Buffer | null,
  ): void {
    const part = index.partitions[partition];
    if (!part || offset < part.nextOffset) return; // already folded (a redelivery after a rebalance)
    const count = index.partitions.length;
    try {
      const commit = decodeCommit(value ?? new Uint8Array(), 0, key).map((e, k) => ({
        ...e,
        globalPosition: positionOf(offset, k, partition, count),
      }));
      const first = commit[0];
      const stream = first ? (part.streams.get(first.streamId) ?? []) : [];
      if (!first || first.streamVersion !== stream.length + 1 || part.corrupt.has(first.streamId))
        part.rejected.add(offset);
      else {
        for (const e of commit) {
          part.events.push(e);
          stream.push(e);
        }
        part.streams.set(first.streamId, stream);
      }
    } catch (err) {
      const streamId = key ?? '?';
      part.corrupt.set(
        streamId,
        corruptEvent({ streamId, globalPosition: positionOf(offset, 0, partition, count) }, err),
      );
      part.rejected.add(offset);
    }
    part.nextOffset = offset + 1;
    part.waiters = part.waiters.filter((w) => (w.offset < part.nextOffset ? (w.resolve(), false) : true));
  }

  async function load(category: string): Promise<CategoryIndex> {
    const topic = topicOf(category);
    const count = await ensureTopic(topic);
    const consumer = kafka.consumer({ groupId: `${clientId}-index-${randomUUID()}`, maxWaitTimeInMs: fetchMaxWaitMs });
    const partitions = Array.from({ length: count }, (): PartitionIndex => ({
      events: [],
      streams: new Map(),
      nextOffset: 0,
      waiters: [],
      rejected: new Set(),
      corrupt: new Map(),
      writeChain: Promise.resolve(),
    }));
    const index: CategoryIndex = { category, topic, partitions, consumer };
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: count,
      eachMessage: async ({ partition, message }) =>
        fold(index, partition, Number(message.offset), message.key?.toString(), message.value),
    });
    await waitForHead(index);
    return index;
  }

  function indexOf(category: string): Promise<CategoryIndex> {
    let index = indexes.get(category);
    if (!index) {
      index = load(category);
      index.catch(() => indexes.delete(category));
      indexes.set(category, index);
    }
    return index;
  }

  async function categoriesOf(options?: string[]): Promise<string[]> {
    if (options && options.length > 0) return options;
    return (await admin.listTopics()).filter((t) => topicPattern.test(t)).map(categoryOfTopic);
  }

  const ensureOpen = () => {
    if (closed) throw new DomainError('UNAVAILABLE', 'event store is closed');
  };

  async function partitionOf(streamId: string): Promise<PartitionRef> {
    const category = categoryOf(streamId);
    const count = await ensureTopic(topicOf(category));
    return { category, partition: partitionOfKey(streamId, count) };
  }

  const store: EventStore = {
    maxEventsPerAppend: EVENTS_PER_COMMIT,
    partitionOf,
    async append(streamId, events, options): Promise<AppendResult> {
      ensureOpen();
      validateAppend(streamId, events, options, EVENTS_PER_COMMIT);
      const index = await indexOf(categoryOf(streamId));
      const partition = partitionOfKey(streamId, index.partitions.length);
      const part = index.partitions[partition];
      const run = async (): Promise<AppendResult> => {
        for (;;) {
          let current = part.streams.get(streamId)?.length ?? 0;
          if (options.expectedVersion !== 'any' && options.expectedVersion !== current) {
            await catchUpPartition(index, partition); // another client may have moved it on: decide on the log
            current = part.streams.get(streamId)?.length ?? 0;
            if (options.expectedVersion !== current) throw versionConflict(streamId, options.expectedVersion, current);
          }
          if (part.corrupt.has(streamId)) throw part.corrupt.get(streamId)!;
          if (events.length === 0) return { nextVersion: current, lastPosition: 0, events: [] };
          const now = new Date();
          const commit: StoredCommit = {
            s: streamId,
            v: current + 1,
            e: events.map((e) => toStored(e, options.tenantId, now)),
          };
          const [meta] = await producer.send({
            topic: index.topic,
            acks: -1,
            messages: [{ key: streamId, partition, value: JSON.stringify(commit) }],
          });
          const offset = Number(meta.baseOffset ?? meta.offset);
          await waitForOffset(part, offset); // every commit before ours is folded: ours is accepted or rejected
          if (part.rejected.has(offset)) {
            // another writer got this version first
            if (options.expectedVersion !== 'any')
              throw versionConflict(streamId, options.expectedVersion, part.streams.get(streamId)?.length ?? 0);
            continue;
          }
          const appended = part.streams.get(streamId)!.slice(current, current + events.length);
          return {
            nextVersion: current + events.length,
            lastPosition: appended[appended.length - 1].globalPosition,
            events: appended,
          };
        }
      };
      const result = part.writeChain.then(run, run);
      part.writeChain = result.catch(() => undefined);
      return result;
    },

    async readStream(streamId, options = {}) {
      ensureOpen();
      const index = await indexOf(categoryOf(streamId));
      const partition = partitionOfKey(streamId, index.partitions.length);
      await catchUpPartition(index, partition); // read-your-writes across clients
      const part = index.partitions[partition];
      const corrupt = part.corrupt.get(streamId);
      if (corrupt) throw corrupt;
      return (part.streams.get(streamId) ?? []).filter((e) => e.streamVersion >= (options.fromVersion ?? 1));
    },

    async streamVersion(streamId) {
      ensureOpen();
      const index = await indexOf(categoryOf(streamId));
      const partition = partitionOfKey(streamId, index.partitions.length);
      await catchUpPartition(index, partition);
      return index.partitions[partition].streams.get(streamId)?.length ?? 0;
    },

    async readAll(options: ReadAllOptions = {}) {
      ensureOpen();
      const after = options.after ?? 0;
      const merged: EventEnvelope[] = [];
      for (const category of await categoriesOf(options.categories)) {
        const index = await indexOf(category);
        await waitForHead(index);
        for (const part of index.partitions) {
          const [corrupt] = part.corrupt.values();
          if (corrupt && (corrupt.details?.globalPosition as number) > after) throw corrupt;
          for (const e of part.events) if (e.globalPosition > after) merged.push(e);
        }
      }
      merged.sort((a, b) => a.globalPosition - b.globalPosition);
      return options.limit === undefined ? merged : merged.slice(0, options.limit);
    },

    async headPosition() {
      ensureOpen();
      let head = 0;
      for (const category of await categoriesOf()) {
        const topic = topicOf(category);
        const count = await ensureTopic(topic);
        const highs = await highWatermarks(topic);
        highs.forEach((high, p) => {
          if (high > 0) head = Math.max(head, positionOf(high - 1, 0, p, count));
        });
      }
      return head;
    },

    subscribe(options) {
      ensureOpen();
      return subscriptions.track(runSubscription(options));
    },

    async close() {
      if (closed) return;
      closed = true;
      await subscriptions.closeAll();
      const loaded = await Promise.allSettled([...indexes.values()]);
      await Promise.all(loaded.map((r) => (r.status === 'fulfilled' ? r.value.consumer.disconnect() : undefined)));
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    },
  };

  /**
   * A consumer group per subscription name; the offset of a commit is committed after its handler resolved.
   * Subscribers with one name split the partitions; `ownership` hears which partitions this one gained or lost.
   */
  function runSubscription(options: SubscribeOptions): Subscription {
    const groupId = `${prefix}.${options.consumer}`;
    const consumer = kafka.consumer({ groupId, maxInFlightRequests: 1, maxWaitTimeInMs: fetchMaxWaitMs });
    const caughtUp = deferred();
    let stopped = false;
    let owned = new Map<string, PartitionRef>();
    /** Ownership notifications run in order, never concurrently with each other. */
    let ownershipChain: Promise<void> = Promise.resolve();
    const notify = (kind: 'assigned' | 'revoked', refs: PartitionRef[]) => {
      const listener = options.ownership?.[kind];
      if (!listener || refs.length === 0) return;
      ownershipChain = ownershipChain
        .then(() => listener(refs))
        .catch((err: unknown) => fail(err, corruptPlaceholder({ streamId: '?', streamVersion: 0, globalPosition: 0 })));
    };
    const fail = (err: unknown, event: EventEnvelope) => {
      stopped = true;
      if (!caughtUp.settled) caughtUp.reject(err);
      try {
        options.onError?.(err, event);
      } catch {
        // notification only
      }
      void consumer.stop().catch(() => undefined);
    };

    /** Per topic and partition: the offset this subscription must pass to be caught up. */
    const targets = new Map<string, number>();
    /** Caught up = joined the group (the partitions are known) and past every target of the partitions it owns. */
    let joined = false;
    const resolveIfCaughtUp = () => {
      if (joined && targets.size === 0 && !caughtUp.settled) caughtUp.resolve();
    };

    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const next = new Map<string, PartitionRef>();
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        for (const partition of partitions)
          next.set(`${topic}/${partition}`, { category: categoryOfTopic(topic), partition });
      }
      notify(
        'revoked',
        [...owned].filter(([k]) => !next.has(k)).map(([, r]) => r),
      );
      notify(
        'assigned',
        [...next].filter(([k]) => !owned.has(k)).map(([, r]) => r),
      );
      owned = next;
      joined = true;
      // partitions other members own are theirs to catch up with
      for (const key of [...targets.keys()]) if (!next.has(key)) targets.delete(key);
      resolveIfCaughtUp();
    });

    const started = (async () => {
      // every category: the topics that exist now (kafkajs resolves a pattern once, at subscribe, too)
      const names =
        options.categories && options.categories.length > 0
          ? options.categories.map(topicOf)
          : (await categoriesOf()).map(topicOf);
      const highs = new Map<string, number[]>();
      for (const t of names) {
        await ensureTopic(t);
        highs.set(t, await highWatermarks(t));
        highs.get(t)!.forEach((high, p) => targets.set(`${t}/${p}`, high));
      }
      const committed = names.length > 0 ? await admin.fetchOffsets({ groupId, topics: names }) : [];
      for (const { topic, partitions } of committed) {
        const fresh: Array<{ partition: number; offset: string }> = [];
        for (const { partition, offset } of partitions) {
          const key = `${topic}/${partition}`;
          const done = Number(offset ?? -1);
          const high = targets.get(key) ?? 0;
          if (options.startAt === 'end' && done < 0) fresh.push({ partition, offset: String(high) });
          if (done >= high || high === 0 || (options.startAt === 'end' && done < 0)) targets.delete(key);
        }
        // 'end' for a consumer without a stored position: store the head now, so it is fixed before caughtUp
        if (fresh.length > 0) await admin.setOffsets({ groupId, topic, partitions: fresh });
      }
      await consumer.connect();
      await consumer.subscribe({
        topics: names.length > 0 ? names : [topicPattern],
        fromBeginning: options.startAt !== 'end',
      });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: 1,
        eachMessage: async ({ topic, partition, message }) => {
          if (stopped) return;
          await ownershipChain; // a partition's events come after its `assigned`
          const offset = Number(message.offset);
          const index = await indexOf(categoryOfTopic(topic));
          const part = index.partitions[partition];
          await waitForOffset(part, offset);
          const count = index.partitions.length;
          if (part.rejected.has(offset)) {
            const streamId = message.key?.toString() ?? '?';
            const corrupt = part.corrupt.get(streamId);
            if (corrupt && (corrupt.details?.globalPosition as number) === positionOf(offset, 0, partition, count)) {
              fail(
                corrupt,
                corruptPlaceholder({
                  streamId,
                  streamVersion: 0,
                  globalPosition: positionOf(offset, 0, partition, count),
                }),
              );
              return;
            }
          } else {
            const commit = decodeCommit(message.value ?? new Uint8Array(), 0, message.key?.toString()).map((e, k) => ({
              ...e,
              globalPosition: positionOf(offset, k, partition, count),
            }));
            for (const event of commit) {
              if (stopped) return;
              try {
                await options.handler(event);
              } catch (err) {
                fail(err, event);
                return;
              }
            }
          }
          await consumer.commitOffsets([{ topic, partition, offset: String(offset + 1) }]);
          const key = `${topic}/${partition}`;
          const target = targets.get(key);
          if (target !== undefined && offset + 1 >= target) targets.delete(key);
          resolveIfCaughtUp();
        },
      });
    })();
    started.catch((err: unknown) =>
      fail(err, corruptPlaceholder({ streamId: '?', streamVersion: 0, globalPosition: 0 })),
    );

    return {
      caughtUp: caughtUp.promise,
      async close() {
        stopped = true;
        await started.catch(() => undefined);
        await consumer.disconnect();
        notify('revoked', [...owned.values()]);
        owned = new Map();
        await ownershipChain;
        if (!caughtUp.settled)
          caughtUp.reject(
            new DomainError('UNAVAILABLE', `subscription ${options.consumer} closed before it caught up`),
          );
      },
    };
  }

  return store;
}
