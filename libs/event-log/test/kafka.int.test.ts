import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { EventEnvelope } from '@agentry/kernel';
import { startKafkaTestBroker, type KafkaTestBroker } from '@agentry/kafka-test-broker';
import { eventStoreContract, type EventLogFixture } from '../src/contract';
import { waitUntil } from '../src/contract/harness';
import { createKafkaEventLog, type KafkaEventLog } from '../src/kafka';
import type { PartitionRef } from '../src/ports';
import { createSqliteEventLog } from '../src/sqlite';

/**
 * The EventStore contract and the Kafka-only behaviour (several writers, partitions, consumer-group ownership).
 * With KAFKA_BROKERS set (e.g. `localhost:9092`) it runs against that cluster; without it, against the Kafka-protocol
 * test broker of libs/kafka-test-broker (real sockets and wire protocol, kafkajs unmodified, but not Apache Kafka: see its
 * README for what it implements). The work queue is not Kafka's (see README), so only the EventStore runs here.
 */
const external = (process.env.KAFKA_BROKERS ?? '')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);
if (external.length === 0)
  console.warn(
    'Kafka adapter tests run against the Kafka-protocol test broker of libs/kafka-test-broker (set KAFKA_BROKERS=host:port for a real cluster)',
  );

describe(`Kafka adapter (${external.length > 0 ? `brokers ${external.join(',')}` : 'Kafka-protocol test broker'})`, () => {
  let broker: KafkaTestBroker | undefined;
  let brokers = external;
  beforeAll(async () => {
    if (external.length > 0) return;
    broker = await startKafkaTestBroker();
    brokers = broker.brokers;
  });
  afterAll(async () => {
    await broker?.close();
  });

  async function dropTopics(prefix: string): Promise<void> {
    const admin = new Kafka({ brokers, clientId: `${prefix}-admin`, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    await admin.disconnect();
  }

  /** Every connect() is an independent client (its own producer, index and consumers): several writers are safe. */
  function kafkaFixture(partitions = 1): () => Promise<EventLogFixture> {
    return async () => {
      const prefix = `t${randomUUID().slice(0, 8)}`;
      const tasks = createSqliteEventLog({ path: ':memory:' });
      const clients: KafkaEventLog[] = [];
      return {
        async connect() {
          const log = await createKafkaEventLog({
            brokers,
            prefix,
            clientId: `${prefix}-${clients.length}`,
            partitions,
            fetchMaxWaitMs: 200,
            queue: tasks.queue,
          });
          clients.push(log);
          return { events: log.events, queue: log.queue, close: () => log.events.close() };
        },
        async dispose() {
          await Promise.all(clients.map((c) => c.events.close()));
          await tasks.close();
          await dropTopics(prefix);
        },
      };
    };
  }

  eventStoreContract('kafka', kafkaFixture(1), { globalOrder: false });

  describe('partitions, several writers and ownership', () => {
    let fixture: EventLogFixture;
    afterEach(async () => fixture?.dispose());

    it('spreads streams over partitions by key and keeps each stream whole and in order', async () => {
      fixture = await kafkaFixture(4)();
      const { events } = await fixture.connect();
      const seen = new Set<number>();
      for (let k = 0; k < 24; k++) {
        const id = `order-${k}`;
        await events.append(id, [{ type: 'Placed', data: { k } }], { expectedVersion: 0, tenantId: 't' });
        await events.append(
          id,
          [
            { type: 'Paid', data: { k } },
            { type: 'Shipped', data: { k } },
          ],
          { expectedVersion: 1, tenantId: 't' },
        );
        seen.add((await events.partitionOf!(id)).partition);
      }
      expect(seen.size).toBeGreaterThan(1);
      const other = (await fixture.connect()).events; // rebuilt from the topic by another client
      for (let k = 0; k < 24; k++) {
        const stream = await other.readStream(`order-${k}`);
        expect(stream.map((e) => [e.type, e.streamVersion])).toEqual([
          ['Placed', 1],
          ['Paid', 2],
          ['Shipped', 3],
        ]);
      }
      const all = await other.readAll({ categories: ['order'] });
      expect(all).toHaveLength(72);
      expect(new Set(all.map((e) => e.globalPosition)).size).toBe(72);
    });

    it('lets exactly one of two writers in different clients take a version; every reader agrees and no subscriber sees the loser', async () => {
      fixture = await kafkaFixture(2)();
      const [a, b, reader] = await Promise.all([fixture.connect(), fixture.connect(), fixture.connect()]);
      await a.events.append('doc-1', [{ type: 'Created', data: {} }], { expectedVersion: 0, tenantId: 't' });
      await b.events.readStream('doc-1'); // b's index is current
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, k) =>
          (k % 2 ? a : b).events.append('doc-1', [{ type: 'Edited', data: { by: k } }], {
            expectedVersion: 1,
            tenantId: 't',
          }),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results)
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'VERSION_CONFLICT' });
      // 'any' appends from both sides never lose or duplicate a version
      await Promise.all(
        Array.from({ length: 10 }, (_, k) =>
          (k % 2 ? a : b).events.append('doc-1', [{ type: 'Noted', data: { k } }], {
            expectedVersion: 'any',
            tenantId: 't',
          }),
        ),
      );
      const stream = await reader.events.readStream('doc-1');
      expect(stream.map((e) => e.streamVersion)).toEqual(Array.from({ length: 12 }, (_, k) => k + 1));
      expect(stream.filter((e) => e.type === 'Edited')).toHaveLength(1);
      const delivered: EventEnvelope[] = [];
      const sub = reader.events.subscribe({
        consumer: `all-${randomUUID()}`,
        categories: ['doc'],
        handler: (e) => void delivered.push(e),
      });
      await sub.caughtUp;
      expect(delivered.map((e) => e.streamVersion)).toEqual(stream.map((e) => e.streamVersion));
      await sub.close();
    });

    it('splits partitions between subscribers of one consumer name and hands them over when one leaves', async () => {
      fixture = await kafkaFixture(4)();
      const writer = (await fixture.connect()).events;
      const members = await Promise.all([fixture.connect(), fixture.connect()]);
      const owned = members.map(() => new Set<number>());
      const got = members.map(() => [] as EventEnvelope[]);
      const revokedOnClose: PartitionRef[] = [];
      const subs = members.map((m, i) =>
        m.events.subscribe({
          consumer: 'owners',
          categories: ['job'],
          handler: (e) => void got[i].push(e),
          ownership: {
            assigned: (ps) => ps.forEach((p) => owned[i].add(p.partition)),
            revoked: (ps) => {
              ps.forEach((p) => owned[i].delete(p.partition));
              if (i === 1) revokedOnClose.push(...ps);
            },
          },
        }),
      );
      await waitUntil(
        () => owned[0].size > 0 && owned[1].size > 0 && owned[0].size + owned[1].size === 4,
        30_000,
        'both members own partitions',
      );
      expect([...owned[0]].some((p) => owned[1].has(p))).toBe(false);

      const ids = Array.from({ length: 16 }, (_, k) => `job-${k}`);
      for (const id of ids)
        await writer.append(id, [{ type: 'Queued', data: {} }], { expectedVersion: 0, tenantId: 't' });
      await waitUntil(() => got[0].length + got[1].length === 16, 30_000, 'every event delivered once');
      for (const [i, list] of got.entries()) {
        for (const e of list) expect(owned[i].has((await writer.partitionOf!(e.streamId)).partition)).toBe(true);
      }

      const before = owned[1].size;
      await subs[1].close();
      expect(revokedOnClose.length).toBeGreaterThanOrEqual(before);
      await waitUntil(() => owned[0].size === 4, 30_000, 'the remaining member owns every partition');
      for (const id of ids)
        await writer.append(id, [{ type: 'Done', data: {} }], { expectedVersion: 1, tenantId: 't' });
      await waitUntil(
        () => got[0].filter((e) => e.type === 'Done').length === 16,
        30_000,
        'the survivor gets every new event',
      );
      await subs[0].close();
    });
  });
});
