import { runServiceMain } from '@agentry/runtime';
import { startBlockRunnerService } from './index';

runServiceMain('block-runner', ({ config, log, logger }) =>
  startBlockRunnerService({
    events: log.events,
    queue: log.queue,
    logger,
    executionAddress: config.grpcUrl('execution'),
    integrationAddress: config.grpcUrl('integration'),
    concurrency: config.AGENTRY_BLOCK_RUNNER_CONCURRENCY,
    leaseMs: config.AGENTRY_BLOCK_RUNNER_LEASE_MS,
    allowHosts: config.AGENTRY_BLOCK_RUNNER_ALLOW_HOSTS,
    host: config.HOST,
    port: config.grpcPort('block-runner'),
  }),
);
