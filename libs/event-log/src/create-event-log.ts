import type { EventStore, SnapshotStore, WorkQueue } from './ports';
import { createJetStreamEventLog, type JetStreamEventLogConfig } from './jetstream';
import { createKafkaEventLog, type KafkaEventLogConfig } from './kafka';
import { createSqliteEventLog, type SqliteEventLogConfig } from './sqlite';

export type EventLogConfig =
  | ({ kind: 'sqlite' } & SqliteEventLogConfig)
  | ({ kind: 'jetstream' } & JetStreamEventLogConfig)
  | ({ kind: 'kafka' } & KafkaEventLogConfig);

export interface EventLog {
  events: EventStore;
  queue: WorkQueue;
  /** Snapshots of stream folds in the same backend (SQLite table, JetStream KV); absent when the log has none. */
  snapshots?: SnapshotStore;
  close(): Promise<void>;
}

/** Builds the event log + work queue a run mode asks for (DESIGN.md "Run modes"). */
export async function createEventLog(config: EventLogConfig): Promise<EventLog> {
  switch (config.kind) {
    case 'sqlite':
      return createSqliteEventLog(config);
    case 'jetstream':
      return createJetStreamEventLog(config);
    case 'kafka':
      return createKafkaEventLog(config);
    default: {
      const unknown: never = config;
      throw new Error(`unknown event log kind: ${(unknown as { kind?: unknown }).kind}`);
    }
  }
}
