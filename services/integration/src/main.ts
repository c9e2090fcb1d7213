import { runServiceMain } from '@agentry/runtime';
import { loadSecretBox, oauthConfigFromEnv, startIntegrationService } from './index';

runServiceMain('integration', ({ config, log, logger }) =>
  startIntegrationService({
    events: log.events,
    graphAddress: config.grpcUrl('graph'),
    logger,
    box: loadSecretBox({ key: config.AGENTRY_ENCRYPTION_KEY, dataDir: config.dataDir, production: config.AGENTRY_MODE === 'production', retiredKeys: retiredKeysFromEnv() }),
    oauth: oauthConfigFromEnv(process.env),
    host: config.HOST,
    port: config.grpcPort('integration'),
    readStore: config.AGENTRY_READ_STORE,
    mongoUrl: config.MONGO_URL,
  }),
);

function retiredKeysFromEnv(): string[] {
  return (process.env.AGENTRY_RETIRED_ENCRYPTION_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
}
