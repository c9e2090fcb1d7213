/**
 * `npm run dev:cluster`: local distributed mode. Each of the eight services in its own process, NATS
 * JetStream as the event log and work queue, fixed ports, a supervisor that restarts a crashed service and
 * stops everything on Ctrl-C.
 *
 *   npm run dev:cluster                       # NATS at nats://127.0.0.1:4222 (or NATS_URL)
 *   npm run dev:cluster -- --nats             # start a private nats-server (store under <data>/nats)
 *   npm run dev:cluster -- --base-port 20000  # gRPC 20000+i, ops 20010+i, HTTP 20020
 *   npm run dev:cluster -- --data ./data-cluster
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SERVICE_NAMES } from '@agentry/config';
import { startCluster, type Cluster } from './cluster/supervisor';
import { startNatsServer, type PrivateNatsServer } from './cluster/nats';

export * from './cluster/index';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      nats: { type: 'boolean', default: false },
      'nats-url': { type: 'string' },
      'base-port': { type: 'string' },
      data: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write('usage: npm run dev:cluster -- [--nats | --nats-url nats://host:port] [--base-port N] [--data DIR]\n');
    return;
  }
  const began = Date.now();
  const dataDir = path.resolve(values.data ?? process.env.AGENTRY_DATA_DIR ?? './data-cluster');
  let nats: PrivateNatsServer | undefined;
  if (values.nats) nats = await startNatsServer({ storeDir: path.join(dataDir, 'nats') });
  const natsUrl = nats?.url ?? values['nats-url'] ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const basePort = values['base-port'] ? Number(values['base-port']) : undefined;
  const say = (line: string) => process.stderr.write(`  [cluster] ${line}\n`);

  const admin = adminPassword(dataDir);
  let cluster: Cluster | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping every service…`);
    await cluster?.stop();
    await nats?.stop();
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    cluster = await startCluster({ natsUrl, dataDir, basePort, autoRestart: true, onEvent: say, env: { AGENTRY_ADMIN_PASSWORD: admin.password } });
  } catch (err) {
    await nats?.stop();
    throw err;
  }
  const rows = SERVICE_NAMES.map((name) => {
    const s = cluster!.services[name];
    return `  ${name.padEnd(13)} pid ${String(s.pid()).padEnd(8)} gRPC 127.0.0.1:${String(s.grpcPort).padEnd(6)} ops :${String(s.opsPort).padEnd(6)} log ${path.relative(process.cwd(), s.logFile)}`;
  });
  process.stderr.write(
    [
      '',
      `  Agentry is running (local distributed mode, ${SERVICE_NAMES.length} processes) in ${Date.now() - began} ms`,
      `  Open      ${cluster.url}`,
      `  NATS      ${natsUrl}${nats ? ` (private nats-server, pid ${nats.pid()}, store ${path.relative(process.cwd(), nats.storeDir)})` : ''}`,
      `  Data      ${dataDir}`,
      `  Sign in   ${process.env.AGENTRY_ADMIN_EMAIL ?? 'admin@agentry.local'}`,
      `  Password  ${admin.fromEnv ? '(AGENTRY_ADMIN_PASSWORD)' : `${admin.password}   (kept in ${path.join(dataDir, 'admin-password')}, mode 0600)`}`,
      ...rows,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n') + '\n',
  );
}

/**
 * The gateway process prints no generated password in distributed mode, so the supervisor chooses it: from
 * AGENTRY_ADMIN_PASSWORD, else generated once into the data folder.
 */
function adminPassword(dataDir: string): { password: string; fromEnv: boolean } {
  if (process.env.AGENTRY_ADMIN_PASSWORD) return { password: process.env.AGENTRY_ADMIN_PASSWORD, fromEnv: true };
  const file = path.join(dataDir, 'admin-password');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(18).toString('base64url'), { mode: 0o600 });
  return { password: fs.readFileSync(file, 'utf8').trim(), fromEnv: false };
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`dev:cluster: ${(err as Error)?.message ?? String(err)}\n`);
    process.exit(1);
  });
}
