import { runServiceMain } from '@agentry/runtime';
import { emailOptionsFromEnv, startNotificationService } from './index';

runServiceMain('notification', ({ config, log, logger }) =>
  startNotificationService({ events: log.events, logger, host: config.HOST, port: config.grpcPort('notification'), email: emailOptionsFromEnv(process.env, config.dataDir), readStore: config.AGENTRY_READ_STORE, mongoUrl: config.MONGO_URL }),
);
