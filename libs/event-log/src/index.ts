export * from './ports';
export { createEventLog, type EventLog, type EventLogConfig } from './create-event-log';
export { createSqliteEventLog, type SqliteEventLog, type SqliteEventLogConfig } from './sqlite';
export { createJetStreamEventLog, type JetStreamEventLog, type JetStreamEventLogConfig } from './jetstream';
export { createKafkaEventLog, createKafkaEventStore, type KafkaEventLog, type KafkaEventLogConfig } from './kafka';
export { EVENTS_PER_COMMIT } from './internal/codec';
