import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type AgentryConfig } from '@agentry/config';
import { collectProcessMetrics, createLogger, instrumentHttpServers, startEventMetrics, withTaskTraceContext, withTraceContext, type Logger } from '@agentry/observability';
import { blockNames, openEventLog, type EventLog } from '@agentry/runtime';
import { startBlockRunnerService } from '@agentry/svc-block-runner';
import { startExecutionService } from '@agentry/svc-execution';
import { startGateway } from '@agentry/svc-gateway';
import { startGraphService } from '@agentry/svc-graph';
import { loadSecretBox, oauthConfigFromEnv, startIntegrationService } from '@agentry/svc-integration';
import { emailOptionsFromEnv, startNotificationService } from '@agentry/svc-notification';
import { startSchedulerService } from '@agentry/svc-scheduler';
import { startStoreService } from '@agentry/svc-store';

export interface Platform {
  config: AgentryConfig;
  url: string;
  httpPort: number;
  /** gRPC address of every service. */
  addresses: Record<string, string>;
  /** Set on the very first start when no admin password was configured: shown once. */
  generatedAdminPassword?: string;
  adminEmail: string;
  close(): Promise<void>;
}

const repoRoot = path.resolve(__dirname, '../../..');

/**
 * All eight services in one process (embedded mode), still talking gRPC over loopback, sharing one
 * SQLite event log under the data folder. `env` overrides process.env (tests use port 0 everywhere).
 */
export async function startPlatform(env: NodeJS.ProcessEnv = process.env, logger?: Logger): Promise<Platform> {
  const config = loadConfig(env);
  const log = logger ?? createLogger({ name: 'agentry', level: config.LOG_LEVEL });
  collectProcessMetrics();
  instrumentHttpServers();
  const opened: EventLog = await openEventLog(config);
  // appends carry the active trace in envelope.traceparent, enqueued tasks in their payload (as runServiceMain does)
  const eventLog: EventLog = { ...opened, events: withTraceContext(opened.events), queue: withTaskTraceContext(opened.queue) };
  const host = '127.0.0.1';
  const started: Array<{ name: string; address: string; close(): Promise<void> }> = [];
  const child = (name: string) => log.child({ service: name });
  try {
    const readModels = { readStore: config.AGENTRY_READ_STORE, mongoUrl: config.MONGO_URL };
    const graph = await startGraphService({ events: eventLog.events, logger: child('graph'), host, port: config.grpcPort('graph'), ...readModels });
    started.push(graph);
    const integration = await startIntegrationService({
      events: eventLog.events,
      graphAddress: graph.address,
      logger: child('integration'),
      box: loadSecretBox({ key: config.AGENTRY_ENCRYPTION_KEY, dataDir: config.dataDir, production: config.AGENTRY_MODE === 'production' }),
      oauth: oauthConfigFromEnv(env),
      ...readModels,
      host,
      port: config.grpcPort('integration'),
    });
    started.push(integration);
    const execution = await startExecutionService({
      events: eventLog.events,
      queue: eventLog.queue,
      snapshots: eventLog.snapshots,
      logger: child('execution'),
      graphAddress: graph.address,
      leaseTimeoutMs: config.AGENTRY_EXECUTION_LEASE_TIMEOUT_MS,
      readStore: config.AGENTRY_READ_STORE,
      mongoUrl: config.MONGO_URL,
      host,
      port: config.grpcPort('execution'),
    });
    started.push(execution);
    const runner = await startBlockRunnerService({
      events: eventLog.events,
      queue: eventLog.queue,
      logger: child('block-runner'),
      executionAddress: execution.address,
      integrationAddress: integration.address,
      concurrency: config.AGENTRY_BLOCK_RUNNER_CONCURRENCY,
      leaseMs: config.AGENTRY_BLOCK_RUNNER_LEASE_MS,
      allowHosts: config.AGENTRY_BLOCK_RUNNER_ALLOW_HOSTS,
      filesDir: path.join(config.dataDir, 'files'), // the gateway's upload directory: blocks read and write tenant files (issue #5)
      host,
      port: config.grpcPort('block-runner'),
    });
    started.push(runner);
    const store = await startStoreService({
      events: eventLog.events,
      logger: child('store'),
      graphAddress: graph.address,
      host,
      port: config.grpcPort('store'),
      readStore: config.AGENTRY_READ_STORE,
      mongoUrl: config.MONGO_URL,
    });
    started.push(store);
    const scheduler = await startSchedulerService({ events: eventLog.events, logger: child('scheduler'), executionAddress: execution.address, graphAddress: graph.address, host, port: config.grpcPort('scheduler'), ...readModels });
    started.push(scheduler);
    const notification = await startNotificationService({ events: eventLog.events, logger: child('notification'), host, port: config.grpcPort('notification'), email: emailOptionsFromEnv(env, config.dataDir), ...readModels });
    started.push(notification);
    const editorDir = path.join(repoRoot, 'apps/editor/dist');
    const gateway = await startGateway({
      events: eventLog.events,
      ...readModels,
      logger: child('gateway'),
      dataDir: config.dataDir,
      mode: config.AGENTRY_MODE,
      http: { host: config.HOST, port: config.PORT },
      grpc: { host, port: config.grpcPort('gateway') },
      services: {
        graph: graph.address,
        execution: execution.address,
        blockRunner: runner.address,
        integration: integration.address,
        store: store.address,
        scheduler: scheduler.address,
        notification: notification.address,
      },
      admin: { email: config.AGENTRY_ADMIN_EMAIL, password: config.AGENTRY_ADMIN_PASSWORD },
      jwtPrivateKey: config.AGENTRY_JWT_PRIVATE_KEY,
      accessTokenTtlSeconds: config.AGENTRY_ACCESS_TOKEN_TTL_SECONDS,
      editorDir: fs.existsSync(editorDir) ? editorDir : undefined,
      env,
    });
    started.push(gateway);
    // Execution metrics (docs/metrics.md) are derived from the events; /metrics of the gateway serves them.
    const metrics = startEventMetrics({ events: eventLog.events, queue: eventLog.queue, blockName: blockNames(), onError: (err) => log.warn({ err }, 'event metrics consumer stopped') });
    started.unshift({ name: 'metrics', address: '', close: () => metrics.close() });
    const addresses = Object.fromEntries(started.filter((s) => s.address).map((s) => [s.name, s.address]));
    return {
      config,
      url: gateway.url,
      httpPort: gateway.httpPort,
      addresses,
      generatedAdminPassword: gateway.bootstrap.generatedPassword,
      adminEmail: config.AGENTRY_ADMIN_EMAIL,
      close: async () => {
        // Reverse order: stop taking requests first, then workers, then the log.
        for (const s of [...started].reverse()) await s.close();
        await eventLog.close();
      },
    };
  } catch (err) {
    for (const s of [...started].reverse()) await s.close().catch(() => undefined);
    await eventLog.close();
    throw err;
  }
}
