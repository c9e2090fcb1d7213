import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { startKafkaTestBroker, type KafkaTestBroker } from '@agentry/kafka-test-broker';
import { snapshotStoreContract, type EventLogClient, type EventLogFixture } from '../src/contract';
import { createKafkaSnapshotStore } from '../src/kafka/snapshots';
import type { SnapshotStore } from '../src/ports';
import { createSqliteEventLog } from '../src/sqlite';

/**
 * Runs the SnapshotStore contract on a compacted topic: against KAFKA_BROKERS when set (e.g. `localhost:9092`),
 * otherwise against the Kafka-protocol test broker of libs/kafka-test-broker (no compaction there: see its README).
 * Every connect() is an independent store (its own kafkajs client, producer and reader) on the fixture's topic.
 */
const external = (process.env.KAFKA_BROKERS ?? '')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);

describe(`Kafka snapshot store (${external.length > 0 ? 'KAFKA_BROKERS' : 'Kafka-protocol test broker'})`, () => {
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

  async function kafkaSnapshotFixture(topic = `t${randomUUID().slice(0, 8)}.snapshots`): Promise<EventLogFixture> {
    const prefix = topic.split('.')[0];
    // The contract only uses `snapshots`; events and queue come from an in-memory SQLite log to fill the client.
    const filler = createSqliteEventLog({ path: ':memory:' });
    const stores: SnapshotStore[] = [];
    return {
      async connect(): Promise<EventLogClient> {
        const kafka = new Kafka({ brokers, clientId: `${prefix}-${stores.length}`, logLevel: logLevel.NOTHING });
        const snapshots = createKafkaSnapshotStore({ kafka, topic, catchUpTimeoutMs: 10_000, fetchWaitMs: 200 });
        stores.push(snapshots);
        return { events: filler.events, queue: filler.queue, snapshots, close: () => snapshots.close() };
      },
      async dispose() {
        await Promise.all(stores.map((s) => s.close()));
        await filler.close();
        const admin = new Kafka({ brokers, clientId: `${prefix}-admin`, logLevel: logLevel.NOTHING }).admin();
        await admin.connect();
        if ((await admin.listTopics()).includes(topic)) await admin.deleteTopics({ topics: [topic] });
        await admin.disconnect();
      },
    };
  }

  snapshotStoreContract('kafka', kafkaSnapshotFixture);

  it('creates its topic compacted', async () => {
    const topic = `t${randomUUID().slice(0, 8)}.snapshots`;
    const fixture = await kafkaSnapshotFixture(topic);
    try {
      const client = await fixture.connect();
      await client.snapshots!.save({ key: 'execution-1', version: 1, schema: 's', state: {} });
      const admin = new Kafka({ brokers, clientId: 'snapshots-config', logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      expect(await admin.listTopics()).toContain(topic);
      // The Kafka-protocol test broker stores topic configs but does not compact.
      const described = await admin
        .describeConfigs({
          resources: [{ type: 2 /* TOPIC */, name: topic, configNames: ['cleanup.policy'] }],
          includeSynonyms: false,
        })
        .catch((err: unknown) => {
          console.warn(`cleanup.policy not checked: the broker did not answer DescribeConfigs (${String(err)})`);
          return undefined;
        });
      await admin.disconnect();
      if (described)
        expect(described.resources[0].configEntries.find((c) => c.configName === 'cleanup.policy')?.configValue).toBe(
          'compact',
        );
    } finally {
      await fixture.dispose();
    }
  });
});
