import { Kafka, logLevel } from 'kafkajs';
import { DomainError } from '@agentry/kernel';
import type { EventStore, SnapshotStore, WorkQueue } from '../ports';
import { createKafkaEventStore, type KafkaEventStoreConfig } from './event-store';
import { createKafkaSnapshotStore } from './snapshots';

export interface KafkaEventLogConfig extends KafkaEventStoreConfig {
  /**
   * The work queue to pair with the Kafka event store. Kafka has no per-message leases, delays or
   * removal, so task leasing stays on a queue made for it (JetStream or SQLite). Without one, every
   * queue call fails with UNAVAILABLE.
   */
  queue?: WorkQueue;
}

export interface KafkaEventLog {
  events: EventStore;
  queue: WorkQueue;
  /** Snapshots on the compacted topic `<prefix>.snapshots`. */
  snapshots: SnapshotStore;
  close(): Promise<void>;
}

function missingQueue(): WorkQueue {
  const fail = async (): Promise<never> => {
    throw new DomainError(
      'UNAVAILABLE',
      'the Kafka event log has no work queue: pass `queue` (JetStream or SQLite) to createKafkaEventLog',
    );
  };
  return {
    enqueue: fail,
    lease: fail,
    heartbeat: fail,
    ack: fail,
    nack: fail,
    remove: fail,
    depth: fail,
    close: async () => undefined,
  };
}

export async function createKafkaEventLog(config: KafkaEventLogConfig): Promise<KafkaEventLog> {
  if (!config.brokers || config.brokers.length === 0) throw new Error('createKafkaEventLog needs at least one broker');
  const events = await createKafkaEventStore(config);
  const queue = config.queue ?? missingQueue();
  const prefix = config.prefix ?? 'agentry';
  const kafka = new Kafka({
    ...config.kafka,
    brokers: config.brokers,
    clientId: `${config.clientId ?? 'agentry-event-log'}-snapshots`,
    logLevel: config.kafka?.logLevel ?? logLevel.WARN,
  });
  const snapshots = createKafkaSnapshotStore({
    kafka,
    topic: `${prefix}.snapshots`,
    replicationFactor: config.replicationFactor,
    fetchWaitMs: config.fetchMaxWaitMs,
  });
  return {
    events,
    queue,
    snapshots,
    async close() {
      await Promise.all([events.close(), queue.close(), snapshots.close()]);
    },
  };
}

export { createKafkaEventStore, partitionOfKey, type KafkaEventStoreConfig } from './event-store';
export { createKafkaSnapshotStore, type KafkaSnapshotStoreConfig } from './snapshots';
