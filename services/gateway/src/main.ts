import path from 'node:path';
import { runServiceMain } from '@agentry/runtime';
import { startGateway } from './index';

runServiceMain('gateway', ({ config, log, logger }) =>
  startGateway({
    events: log.events,
    logger,
    dataDir: config.dataDir,
    mode: config.AGENTRY_MODE,
    http: { host: config.HOST, port: config.PORT },
    grpc: { host: config.HOST, port: config.grpcPort('gateway') },
    services: {
      graph: config.grpcUrl('graph'),
      execution: config.grpcUrl('execution'),
      blockRunner: config.grpcUrl('block-runner'),
      integration: config.grpcUrl('integration'),
      store: config.grpcUrl('store'),
      scheduler: config.grpcUrl('scheduler'),
      notification: config.grpcUrl('notification'),
    },
    admin: { email: config.AGENTRY_ADMIN_EMAIL, password: config.AGENTRY_ADMIN_PASSWORD },
    jwtPrivateKey: config.AGENTRY_JWT_PRIVATE_KEY,
    accessTokenTtlSeconds: config.AGENTRY_ACCESS_TOKEN_TTL_SECONDS,
    editorDir: path.resolve(__dirname, '../../../apps/editor/dist'),
    readStore: config.AGENTRY_READ_STORE,
    mongoUrl: config.MONGO_URL,
  }),
);
