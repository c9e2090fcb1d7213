import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { eventStoreContract, type EventLogFixture } from '../src/contract';
import { createKafkaEventLog, type KafkaEventLog } from '../src/kafka';
import { createSqliteEventLog } from '../src/sqlite';

/**
 * Runs the EventStore contract against a real broker when KAFKA_BROKERS is set (e.g. `localhost:9092`).
 * The work queue is not Kafka's (see README), so only the EventStore contract runs here.
 */
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
if (brokers.length === 0) console.warn('Kafka adapter tests skipped: set KAFKA_BROKERS=host:port to run the EventStore contract against a broker');
const describeIfBroker = brokers.length > 0 ? describe : describe.skip;

describeIfBroker('Kafka adapter', () => {
  async function kafkaFixture(): Promise<EventLogFixture> {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const tasks = createSqliteEventLog({ path: ':memory:' });
    let single: KafkaEventLog | undefined;
    return {
      // One writer per category is the Kafka adapter's rule, so every client of a fixture shares one store.
      async connect() {
        single ??= await createKafkaEventLog({ brokers, prefix, clientId: prefix, queue: tasks.queue });
        return { events: single.events, queue: single.queue, close: async () => undefined };
      },
      async dispose() {
        await single?.close();
        await tasks.close();
        const admin = new Kafka({ brokers, clientId: `${prefix}-admin`, logLevel: logLevel.NOTHING }).admin();
        await admin.connect();
        const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
        if (topics.length > 0) await admin.deleteTopics({ topics });
        await admin.disconnect();
      },
    };
  }

  eventStoreContract('kafka', kafkaFixture, { globalOrder: false });
});
