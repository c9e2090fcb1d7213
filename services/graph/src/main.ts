import { runServiceMain } from '@agentry/runtime';
import { startGraphService } from './index';

runServiceMain('graph', ({ config, log, logger }) =>
  startGraphService({ events: log.events, logger, host: config.HOST, port: config.grpcPort('graph'), readStore: config.AGENTRY_READ_STORE, mongoUrl: config.MONGO_URL }),
);
