import fs from 'node:fs';
import path from 'node:path';
import type { AgentryConfig } from '@agentry/config';
import type { EventStore, WorkQueue } from '@agentry/event-log';
import { createSqliteEventLog } from '@agentry/event-log/src/sqlite';
import type { EventEnvelope } from '@agentry/kernel';
import type { Logger } from '@agentry/observability';

export interface EventLog {
  events: EventStore;
  queue: WorkQueue;
  close(): Promise<void>;
}

/** Builds the event log and work queue the configuration names (AGENTRY_EVENT_LOG). */
export async function openEventLog(config: AgentryConfig): Promise<EventLog> {
  switch (config.AGENTRY_EVENT_LOG) {
    case 'sqlite': {
      fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
      return createSqliteEventLog({ path: path.join(config.dataDir, 'agentry.db') });
    }
    case 'jetstream': {
      const mod = (await import('@agentry/event-log/src/jetstream')) as unknown as {
        createJetStreamEventLog(options: { servers: string }): Promise<EventLog>;
      };
      return mod.createJetStreamEventLog({ servers: config.NATS_URL });
    }
    case 'kafka': {
      const mod = (await import('@agentry/event-log/src/kafka')) as unknown as {
        createKafkaEventLog(options: { brokers: string[] }): Promise<EventLog>;
      };
      return mod.createKafkaEventLog({ brokers: (config.KAFKA_BROKERS ?? '').split(',').filter(Boolean) });
    }
  }
}

/** Folds every event of some categories, page by page, in log order: how services rebuild their projections on start. */
export async function replayCategories(events: EventStore, categories: string[], apply: (e: EventEnvelope) => void, pageSize = 5000): Promise<number> {
  let after = 0;
  let count = 0;
  for (;;) {
    const page = await events.readAll({ after, limit: pageSize, categories });
    for (const e of page) apply(e);
    count += page.length;
    if (page.length < pageSize) return count;
    after = page[page.length - 1].globalPosition;
  }
}

/** SIGINT/SIGTERM: stop accepting, drain, close, exit within a grace period. */
export function onShutdown(logger: Logger, close: () => Promise<void>, graceMs = 10000): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown grace period exceeded; exiting');
      process.exit(1);
    }, graceMs);
    timer.unref();
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
