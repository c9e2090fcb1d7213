import { runServiceMain } from '@agentry/runtime';
import { startExecutionService } from './index';

runServiceMain('execution', ({ config, log, logger }) =>
  startExecutionService({
    events: log.events,
    queue: log.queue,
    snapshots: log.snapshots,
    logger,
    graphAddress: config.grpcUrl('graph'),
    leaseTimeoutMs: config.AGENTRY_EXECUTION_LEASE_TIMEOUT_MS,
    host: config.HOST,
    port: config.grpcPort('execution'),
    readStore: config.AGENTRY_READ_STORE,
    mongoUrl: config.MONGO_URL,
  }),
);
