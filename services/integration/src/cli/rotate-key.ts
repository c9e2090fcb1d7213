/**
 * Re-encrypts every stored secret under a new key id.
 *
 *   Embedded (key file in the data folder):  npx tsx services/integration/src/cli/rotate-key.ts
 *     writes a new keys/encryption.key, keeps the old one in keys/retired/, re-encrypts everything.
 *   Configured key (AGENTRY_ENCRYPTION_KEY):  AGENTRY_ENCRYPTION_KEY=<new> AGENTRY_RETIRED_ENCRYPTION_KEYS=<old> npx tsx …/rotate-key.ts
 *     re-encrypts under the new key; remove the old key from AGENTRY_RETIRED_ENCRYPTION_KEYS afterwards.
 * Safe to run again (only secrets under another key are touched) and while services run (appends use expected versions).
 */
import { loadConfig } from '@agentry/config';
import { createLogger } from '@agentry/observability';
import { openEventLog } from '@agentry/runtime';
import { loadSecretBox, rotateKeyFile, rotateSecrets } from '../index';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ name: 'rotate-key', level: config.LOG_LEVEL });
  const retiredKeys = (process.env.AGENTRY_RETIRED_ENCRYPTION_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  if (!config.AGENTRY_ENCRYPTION_KEY) {
    if (config.AGENTRY_MODE === 'production') throw new Error('AGENTRY_ENCRYPTION_KEY is required in production mode');
    loadSecretBox({ dataDir: config.dataDir, production: false }); // make sure a current key exists to retire
    rotateKeyFile(config.dataDir);
  }
  const box = loadSecretBox({ key: config.AGENTRY_ENCRYPTION_KEY, dataDir: config.dataDir, production: config.AGENTRY_MODE === 'production', retiredKeys });
  const log = await openEventLog(config);
  try {
    const out = await rotateSecrets({ events: log.events, box, logger });
    process.stdout.write(`re-encrypted ${out.resealed} secret(s) under key ${out.keyId}\n`);
  } finally {
    await log.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`rotate-key: ${(err as Error).message}\n`);
  process.exit(1);
});
