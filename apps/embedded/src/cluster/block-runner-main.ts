/**
 * The block-runner's composition root (services/block-runner/src/main.ts) plus two settings that file does
 * not read from the environment yet, which the cluster fault tests need:
 *   AGENTRY_BLOCK_RUNNER_LEASE_MS     lease length (default 30 s), so a killed runner's task comes back soon
 *   AGENTRY_BLOCK_RUNNER_ALLOW_HOSTS  comma-separated SSRF allow-list, so blocks may call a fake server on loopback
 * Drop this file once the service's main.ts reads them.
 */
import { runServiceMain } from '@agentry/runtime';
import { startBlockRunnerService } from '@agentry/svc-block-runner';

const leaseMs = Number(process.env.AGENTRY_BLOCK_RUNNER_LEASE_MS) || undefined;
const allowHosts = (process.env.AGENTRY_BLOCK_RUNNER_ALLOW_HOSTS ?? '')
  .split(',')
  .map((h) => h.trim())
  .filter(Boolean);

runServiceMain('block-runner', ({ config, log, logger }) =>
  startBlockRunnerService({
    events: log.events,
    queue: log.queue,
    logger,
    executionAddress: config.grpcUrl('execution'),
    integrationAddress: config.grpcUrl('integration'),
    concurrency: config.AGENTRY_BLOCK_RUNNER_CONCURRENCY,
    leaseMs,
    allowHosts,
    host: config.HOST,
    port: config.grpcPort('block-runner'),
  }),
);
