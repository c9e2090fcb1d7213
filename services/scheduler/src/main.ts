import { runServiceMain } from '@agentry/runtime';
import { startSchedulerService } from './index';

runServiceMain('scheduler', ({ config, log, logger }) =>
  startSchedulerService({ events: log.events, logger, executionAddress: config.grpcUrl('execution'), graphAddress: config.grpcUrl('graph'), host: config.HOST, port: config.grpcPort('scheduler'), readStore: config.AGENTRY_READ_STORE, mongoUrl: config.MONGO_URL }),
);
