// First: tracing and Sentry must be set up before gRPC and HTTP modules load (instrumentation patches them).
import '@agentry/observability/src/preload';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, SERVICE_NAMES, type AgentryConfig, type ServiceName } from '@agentry/config';
import type { EventStore, SnapshotStore, WorkQueue } from '@agentry/event-log';
import { createEventLog } from '@agentry/event-log';
import type { EventEnvelope } from '@agentry/kernel';
import { collectProcessMetrics, createLogger, flushSentry, instrumentHttpServers, shutdownTelemetry, startEventMetrics, startOpsServer, withTaskTraceContext, withTraceContext, type Logger } from '@agentry/observability';

export interface EventLog {
  events: EventStore;
  queue: WorkQueue;
  /** Snapshots that shorten replay (every adapter has them). */
  snapshots?: SnapshotStore;
  close(): Promise<void>;
}

/** Builds the event log and work queue the configuration names (AGENTRY_EVENT_LOG). */
export async function openEventLog(config: AgentryConfig): Promise<EventLog> {
  switch (config.AGENTRY_EVENT_LOG) {
    case 'sqlite':
      fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
      return createEventLog({ kind: 'sqlite', path: path.join(config.dataDir, 'agentry.db') });
    case 'jetstream':
      return createEventLog({ kind: 'jetstream', servers: config.NATS_URL });
    case 'kafka': {
      // Kafka carries the events; node-task leases stay on JetStream (Kafka has no per-message leases).
      const queueLog = await createEventLog({ kind: 'jetstream', servers: config.NATS_URL });
      const kafka = await createEventLog({
        kind: 'kafka',
        brokers: (config.KAFKA_BROKERS ?? '').split(',').filter(Boolean),
        partitions: kafkaPartitions(config.AGENTRY_KAFKA_PARTITIONS),
        queue: queueLog.queue,
      });
      return { events: kafka.events, queue: queueLog.queue, snapshots: kafka.snapshots, close: async () => (await kafka.close(), await queueLog.close()) };
    }
  }
}

/** AGENTRY_KAFKA_PARTITIONS (`12`, or `execution=12,notification=3`) as the Kafka adapter's `partitions` option. */
export function kafkaPartitions(setting: string): number | Record<string, number> {
  if (/^\d+$/.test(setting)) return Number(setting);
  return Object.fromEntries(
    setting
      .split(',')
      .filter(Boolean)
      .map((pair) => {
        const [category, n] = pair.split('=');
        return [category, Number(n)];
      }),
  );
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

/**
 * Folds the events of some categories after `after`, a page at a time in log order, until the head: how services
 * follow what other replicas append. Answers the position reached (`after` when nothing was new).
 */
export async function catchUpCategories(
  events: EventStore,
  categories: string[],
  after: number,
  applyPage: (page: EventEnvelope[]) => Promise<void> | void,
  pageSize = 1000,
): Promise<number> {
  let position = after;
  for (;;) {
    const page = await events.readAll({ after: position, categories, limit: pageSize });
    await applyPage(page);
    if (page.length > 0) position = Math.max(position, page[page.length - 1].globalPosition);
    if (page.length < pageSize) return position;
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

/** Block id -> block name for metric labels (the block library's catalogue; ids when it cannot load). */
export function blockNames(): (blockId: string) => string | undefined {
  try {
    // required lazily: only the execution service needs the catalogue here
    const registry = (require('@agentry/blocks') as typeof import('@agentry/blocks')).createRegistry();
    return (id) => registry.get(id)?.name;
  } catch {
    return () => undefined;
  }
}

/** Ops port of each service in distributed mode (chart: 9464 + index); AGENTRY_OPS_PORT overrides. */
export const OPS_PORT_BASE = 9464;

/**
 * The shape of every service's main.ts: config in, event log built, service started, ops server up,
 * shutdown hooks registered. `start` returns what to close.
 */
export function runServiceMain(name: ServiceName, start: (ctx: { config: AgentryConfig; log: EventLog; logger: Logger }) => Promise<{ close(): Promise<void> }>): void {
  (async () => {
    const config = loadConfig(process.env);
    const logger = createLogger({ name, level: config.LOG_LEVEL });
    collectProcessMetrics();
    instrumentHttpServers();
    const opened = await openEventLog(config);
    // appends carry the active trace in envelope.traceparent, enqueued tasks in their payload
    const log: EventLog = { ...opened, events: withTraceContext(opened.events), queue: withTaskTraceContext(opened.queue) };
    const service = await start({ config, log, logger });
    // execution metrics (docs/metrics.md) are derived from the events, next to the service that owns them
    const eventMetrics = name === 'execution' ? startEventMetrics({ events: opened.events, queue: opened.queue, blockName: blockNames(), onError: (err) => logger.warn({ err }, 'event metrics consumer stopped') }) : undefined;
    const opsPort = Number(process.env.AGENTRY_OPS_PORT ?? OPS_PORT_BASE + SERVICE_NAMES.indexOf(name));
    const ops = name === 'gateway' ? undefined : await startOpsServer({ port: opsPort });
    onShutdown(logger, async () => {
      await ops?.close();
      await eventMetrics?.close();
      await service.close();
      await log.close();
      await shutdownTelemetry();
      await flushSentry();
    });
  })().catch((err: unknown) => {
    process.stderr.write(`${name}: failed to start: ${err instanceof ConfigError ? err.message : ((err as Error)?.stack ?? String(err))}\n`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  });
}
