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
    host: config.HOST,
    port: config.grpcPort('block-runner'),
  }),
);
