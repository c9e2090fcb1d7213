import { ConfigError } from '@agentry/config';
import { createLogger } from '@agentry/observability';
import { onShutdown } from '@agentry/runtime';
import { startPlatform } from './platform';

async function main(): Promise<void> {
  const logger = createLogger({ name: 'agentry', level: process.env.LOG_LEVEL });
  const began = Date.now();
  const platform = await startPlatform(process.env, logger);
  onShutdown(logger, () => platform.close());
  const lines = [
    '',
    `  Agentry is running (embedded mode) in ${Date.now() - began} ms`,
    `  Open      ${platform.config.AGENTRY_PUBLIC_URL ?? `http://localhost:${platform.httpPort}`}`,
    `  Data      ${platform.config.dataDir}`,
    `  Sign in   ${platform.adminEmail}`,
  ];
  if (platform.generatedAdminPassword) {
    lines.push(`  Password  ${platform.generatedAdminPassword}   (generated on first start and shown only now: keep it, or set AGENTRY_ADMIN_PASSWORD before the first start)`);
  }
  process.stderr.write(`${lines.join('\n')}\n\n`);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`agentry: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`agentry: failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
