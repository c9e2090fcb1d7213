import { runServiceMain } from '@agentry/runtime';
import { loadSecretBox, startIntegrationService } from './index';

runServiceMain('integration', ({ config, log, logger }) =>
  startIntegrationService({
    events: log.events,
    logger,
    box: loadSecretBox({ key: config.AGENTRY_ENCRYPTION_KEY, dataDir: config.dataDir, production: config.AGENTRY_MODE === 'production' }),
    host: config.HOST,
    port: config.grpcPort('integration'),
  }),
);
