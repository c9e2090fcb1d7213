import { runServiceMain } from '@agentry/runtime';
import { startStoreService } from './index';

runServiceMain('store', ({ config, log, logger }) =>
  startStoreService({
    events: log.events,
    logger,
    host: config.HOST,
    port: config.grpcPort('store'),
    graphAddress: config.grpcUrl('graph'),
    readStore: config.AGENTRY_READ_STORE,
    mongoUrl: config.MONGO_URL,
  }),
);
