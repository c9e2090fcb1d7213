import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Consumer, type KafkaConfig, type Producer } from 'kafkajs';
import { categoryOf, DomainError, type EventEnvelope } from '@agentry/kernel';
import type { AppendResult, EventStore, ReadAllOptions, SubscribeOptions, Subscription } from '../ports';
import { corruptEvent, corruptPlaceholder, decodeCommit, EVENTS_PER_COMMIT, toStored, type StoredCommit } from '../internal/codec';
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
  /** Extra kafkajs client options (ssl, sasl…). */
  kafka?: Omit<KafkaConfig, 'brokers' | 'clientId'>;
}

/** Everything this process knows about one category topic, rebuilt from the topic when first used. */
interface CategoryIndex {
  topic: string;
  events: EventEnvelope[];
  streams: Map<string, EventEnvelope[]>;
  /** Offset of the next message the index expects. */
  nextOffset: number;
  consumer: Consumer;
  waiters: Array<{ offset: number; resolve: () => void }>;
  /** Streams with an undecodable commit: reading them fails, other streams keep working. */
  corrupt: Map<string, DomainError>;
  /** Serialises this process's appends to the category: one writer per category (see README). */
  writeChain: Promise<unknown>;
}

/** Kafka offsets are per partition: a position is (offset + 1) * 1000 + index in the commit, per category topic. */
const positionOf = (offset: number, index: number) => (offset + 1) * EVENTS_PER_COMMIT + index;

/**
 * EventStore on Kafka (kafkajs). One topic per category with ONE partition, key = stream id, one
 * message per append (atomic), idempotent producer.
 *
 * Kafka cannot check an expected version, so the check is done by the single writer of a category:
 * the process that owns the category (its one partition) keeps every stream's version in memory,
 * rebuilt by reading the topic when the category is first used, and serialises its appends. Run
 * exactly one writer per category (e.g. the owning service with one replica, or a leader lease);
 * concurrent writers in different processes are NOT detected. Positions order events within a
 * category only; readAll/subscribe across categories interleave topics without a global order.
 * The index keeps the category in memory: use it for bounded categories or with snapshots.
 */
export async function createKafkaEventStore(config: KafkaEventStoreConfig): Promise<EventStore> {
  const prefix = config.prefix ?? 'agentry';
  const clientId = config.clientId ?? 'agentry-event-log';
  const kafka = new Kafka({ ...config.kafka, brokers: config.brokers, clientId, logLevel: config.kafka?.logLevel ?? logLevel.WARN });
  const topicOf = (category: string) => `${prefix}.${category}.events`;
  const topicPattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.[^.]+\\.events$`);
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const admin: Admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);

  const indexes = new Map<string, Promise<CategoryIndex>>();
  const subscriptions = subscriptionSet();
  const knownTopics = new Set<string>();
  let closed = false;

  async function ensureTopic(topic: string): Promise<void> {
    if (knownTopics.has(topic)) return;
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, replicationFactor: config.replicationFactor ?? 1 }] });
    knownTopics.add(topic);
  }

  async function highWatermark(topic: string): Promise<number> {
    const [p0] = await admin.fetchTopicOffsets(topic);
    return Number(p0?.high ?? 0);
  }

  function waitForOffset(index: CategoryIndex, offset: number): Promise<void> {
    if (index.nextOffset > offset) return Promise.resolve();
    return new Promise((resolve) => index.waiters.push({ offset, resolve }));
  }

  async function load(category: string): Promise<CategoryIndex> {
    const topic = topicOf(category);
    await ensureTopic(topic);
    const consumer = kafka.consumer({ groupId: `${clientId}-index-${randomUUID()}` });
    const index: CategoryIndex = { topic, events: [], streams: new Map(), nextOffset: 0, consumer, waiters: [], corrupt: new Map(), writeChain: Promise.resolve() };
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const offset = Number(message.offset);
        let commit: EventEnvelope[] = [];
        try {
          commit = decodeCommit(message.value ?? new Uint8Array(), 0, message.key?.toString()).map((e, k) => ({ ...e, globalPosition: positionOf(offset, k) }));
        } catch (err) {
          const streamId = message.key?.toString() ?? '?';
          index.corrupt.set(streamId, corruptEvent({ streamId, globalPosition: positionOf(offset, 0) }, err));
        }
        for (const e of commit) {
          index.events.push(e);
          const stream = index.streams.get(e.streamId) ?? [];
          stream.push(e);
          index.streams.set(e.streamId, stream);
        }
        index.nextOffset = offset + 1;
        index.waiters = index.waiters.filter((w) => (w.offset < index.nextOffset ? (w.resolve(), false) : true));
      },
    });
    const high = await highWatermark(topic);
    if (high > 0) await waitForOffset(index, high - 1);
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
    return (await admin.listTopics()).filter((t) => topicPattern.test(t)).map((t) => t.slice(prefix.length + 1, -'.events'.length));
  }

  const ensureOpen = () => {
    if (closed) throw new DomainError('UNAVAILABLE', 'event store is closed');
  };

  const store: EventStore = {
    maxEventsPerAppend: EVENTS_PER_COMMIT,
    async append(streamId, events, options): Promise<AppendResult> {
      ensureOpen();
      validateAppend(streamId, events, options, EVENTS_PER_COMMIT);
      const index = await indexOf(categoryOf(streamId));
      const run = async (): Promise<AppendResult> => {
        const current = index.streams.get(streamId)?.length ?? 0;
        if (options.expectedVersion !== 'any' && options.expectedVersion !== current) throw versionConflict(streamId, options.expectedVersion, current);
        if (events.length === 0) return { nextVersion: current, lastPosition: 0, events: [] };
        const now = new Date();
        const commit: StoredCommit = { s: streamId, v: current + 1, e: events.map((e) => toStored(e, options.tenantId, now)) };
        const [meta] = await producer.send({ topic: index.topic, acks: -1, messages: [{ key: streamId, value: JSON.stringify(commit) }] });
        const offset = Number(meta.baseOffset ?? meta.offset);
        await waitForOffset(index, offset); // the index (and so the next version check) has seen it
        const appended = index.streams.get(streamId)!.slice(current);
        return { nextVersion: current + events.length, lastPosition: appended[appended.length - 1].globalPosition, events: appended };
      };
      const result = index.writeChain.then(run, run);
      index.writeChain = result.catch(() => undefined);
      return result;
    },

    async readStream(streamId, options = {}) {
      ensureOpen();
      const index = await indexOf(categoryOf(streamId));
      const corrupt = index.corrupt.get(streamId);
      if (corrupt) throw corrupt;
      return (index.streams.get(streamId) ?? []).filter((e) => e.streamVersion >= (options.fromVersion ?? 1));
    },

    async streamVersion(streamId) {
      ensureOpen();
      return (await indexOf(categoryOf(streamId))).streams.get(streamId)?.length ?? 0;
    },

    async readAll(options: ReadAllOptions = {}) {
      ensureOpen();
      const after = options.after ?? 0;
      const merged: EventEnvelope[] = [];
      for (const category of await categoriesOf(options.categories)) {
        const index = await indexOf(category);
        const high = await highWatermark(index.topic);
        if (high > 0) await waitForOffset(index, high - 1);
        const [corrupt] = index.corrupt.values();
        if (corrupt && (corrupt.details?.globalPosition as number) > after) throw corrupt;
        merged.push(...index.events.filter((e) => e.globalPosition > after));
      }
      merged.sort((a, b) => a.globalPosition - b.globalPosition);
      return options.limit === undefined ? merged : merged.slice(0, options.limit);
    },

    async headPosition() {
      ensureOpen();
      let head = 0;
      for (const category of await categoriesOf()) {
        const high = await highWatermark(topicOf(category));
        if (high > 0) head = Math.max(head, positionOf(high - 1, 0));
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

  /** A consumer group per subscription name; the offset is committed after the handler resolved. */
  function runSubscription(options: SubscribeOptions): Subscription {
    const groupId = `${prefix}.${options.consumer}`;
    const consumer = kafka.consumer({ groupId, maxInFlightRequests: 1 });
    const caughtUp = deferred();
    let stopped = false;
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

    const started = (async () => {
      const topics = options.categories && options.categories.length > 0 ? options.categories.map(topicOf) : [topicPattern];
      for (const t of topics) if (typeof t === 'string') await ensureTopic(t);
      const targets = new Map<string, number>();
      for (const t of topics.filter((x): x is string => typeof x === 'string')) targets.set(t, await highWatermark(t));
      const committed = await admin.fetchOffsets({ groupId, topics: [...targets.keys()] });
      for (const { topic, partitions } of committed) {
        const done = Number(partitions[0]?.offset ?? -1);
        const high = targets.get(topic) ?? 0;
        if (done >= high || (options.startAt === 'end' && done < 0)) targets.delete(topic);
      }
      if (targets.size === 0) caughtUp.resolve();
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: options.startAt !== 'end' });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: 1,
        eachMessage: async ({ topic, partition, message }) => {
          if (stopped) return;
          const offset = Number(message.offset);
          let commit: EventEnvelope[];
          try {
            commit = decodeCommit(message.value ?? new Uint8Array(), 0, message.key?.toString()).map((e, k) => ({ ...e, globalPosition: positionOf(offset, k) }));
          } catch (err) {
            fail(err, corruptPlaceholder({ streamId: message.key?.toString() ?? '?', streamVersion: 0, globalPosition: positionOf(offset, 0) }));
            return;
          }
          for (const event of commit) {
            try {
              await options.handler(event);
            } catch (err) {
              fail(err, event);
              return;
            }
          }
          await consumer.commitOffsets([{ topic, partition, offset: String(offset + 1) }]);
          const target = targets.get(topic);
          if (target !== undefined && offset + 1 >= target) targets.delete(topic);
          if (targets.size === 0 && !caughtUp.settled) caughtUp.resolve();
        },
      });
    })();
    started.catch((err: unknown) => fail(err, corruptPlaceholder({ streamId: '?', streamVersion: 0, globalPosition: 0 })));

    return {
      caughtUp: caughtUp.promise,
      async close() {
        stopped = true;
        await started.catch(() => undefined);
        await consumer.disconnect();
        if (!caughtUp.settled) caughtUp.reject(new DomainError('UNAVAILABLE', `subscription ${options.consumer} closed before it caught up`));
      },
    };
  }

  return store;
}
