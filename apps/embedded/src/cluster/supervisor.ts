import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SERVICE_NAMES, type ServiceName } from '@agentry/config';
import { clusterPorts, type ClusterPorts } from './ports';

export const REPO_ROOT = path.resolve(__dirname, '../../../..');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const envKey = (s: ServiceName) => s.toUpperCase().replace('-', '_');

export interface ClusterOptions {
  /** NATS with JetStream, the event log and the work queue of every service. */
  natsUrl: string;
  /** Shared data folder (generated keys); each service's log goes to `<dataDir>/logs/<service>.log`. */
  dataDir: string;
  /** See clusterPorts(): without it the default ports of distributed mode. */
  basePort?: number;
  /** Extra environment for every service (and per service). */
  env?: Record<string, string>;
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Entry file per service, relative to the repository root (default services/<name>/src/main.ts). */
  entries?: Partial<Record<ServiceName, string>>;
  /** Which services to run (default all eight). */
  services?: readonly ServiceName[];
  /** Start a service again when it exits without being asked to (the supervisor of `npm run dev:cluster`). */
  autoRestart?: boolean;
  /** Called on unexpected exits and restarts. */
  onEvent?: (message: string) => void;
  /** Readiness polls (every 100 ms) before a start counts as failed. Default 600. */
  readyAttempts?: number;
}

export interface ServiceProcess {
  name: ServiceName;
  grpcPort: number;
  /** Port serving /healthz /readyz /metrics (the gateway: its HTTP port). */
  opsPort: number;
  logFile: string;
  pid(): number | undefined;
  running(): boolean;
  /** Start (when not running) and wait until /readyz answers 200. */
  start(): Promise<void>;
  /** Send a signal to the process (its whole group) and wait for it to exit. Default SIGKILL: a crash. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Graceful stop: SIGTERM, then SIGKILL after the grace period. */
  stop(graceMs?: number): Promise<void>;
  /** kill (default SIGKILL) then start. */
  restart(signal?: NodeJS.Signals): Promise<void>;
  /** Resolves when /readyz answers 200. */
  ready(): Promise<void>;
}

export interface Cluster {
  url: string;
  natsUrl: string;
  dataDir: string;
  ports: ClusterPorts;
  services: Record<ServiceName, ServiceProcess>;
  /** Stop every service (gateway first), SIGKILL whatever outlives the grace period. */
  stop(graceMs?: number): Promise<void>;
}

/** Every child process started by any cluster in this process, killed on exit whatever happens. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) killGroup(child, 'SIGKILL');
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Local distributed mode: each service in its own Node process (`node --import tsx <entry>`, one process
 * per service so that a kill is a real crash), JetStream as the event log and work queue, fixed ports.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  installExitHook();
  const ports = clusterPorts(options.basePort);
  const dataDir = path.resolve(options.dataDir);
  const logDir = path.join(dataDir, 'logs');
  fs.mkdirSync(logDir, { recursive: true, mode: 0o700 });
  const names = options.services ?? SERVICE_NAMES;
  const readyAttempts = options.readyAttempts ?? 600;
  let stopping = false;

  const commonEnv: NodeJS.ProcessEnv = {
    ...process.env,
    AGENTRY_MODE: 'distributed',
    AGENTRY_EVENT_LOG: 'jetstream',
    NATS_URL: options.natsUrl,
    AGENTRY_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(ports.http),
    ...options.env,
  };
  for (const s of SERVICE_NAMES) {
    commonEnv[`AGENTRY_${envKey(s)}_GRPC_PORT`] = String(ports.grpc[s]);
    commonEnv[`AGENTRY_${envKey(s)}_GRPC_URL`] = `127.0.0.1:${ports.grpc[s]}`;
  }

  function makeService(name: ServiceName): ServiceProcess {
    const entry = path.resolve(REPO_ROOT, options.entries?.[name] ?? `services/${name}/src/main.ts`);
    const logFile = path.join(logDir, `${name}.log`);
    const opsPort = name === 'gateway' ? ports.http : ports.ops[name];
    let child: ChildProcess | undefined;
    let expectedExit = false;

    const running = () => !!child && child.exitCode === null && child.signalCode === null;

    async function ready(): Promise<void> {
      for (let i = 0; i < readyAttempts; i++) {
        if (!running()) throw new Error(`${name} exited (${child?.exitCode ?? child?.signalCode}) before it was ready; see ${logFile}`);
        if (await httpOk(`http://127.0.0.1:${opsPort}/readyz`)) return;
        await sleep(100);
      }
      throw new Error(`${name} not ready on :${opsPort} after ${readyAttempts} polls; see ${logFile}`);
    }

    function spawnChild(): void {
      const out = fs.openSync(logFile, 'a');
      const env = { ...commonEnv, AGENTRY_SERVICE: name, AGENTRY_OPS_PORT: String(ports.ops[name]), ...options.serviceEnv?.[name] };
      // detached: a process group of its own, so a kill reaches everything it started and Ctrl-C reaches only the supervisor.
      const c = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: REPO_ROOT, env, stdio: ['ignore', out, out], detached: true });
      fs.closeSync(out);
      child = c;
      expectedExit = false;
      live.add(c);
      c.once('exit', (code, signal) => {
        live.delete(c);
        if (expectedExit || stopping || child !== c) return;
        options.onEvent?.(`${name} exited unexpectedly (${code ?? signal}); log: ${logFile}`);
        if (options.autoRestart) {
          setTimeout(() => {
            if (stopping || running()) return;
            options.onEvent?.(`restarting ${name}`);
            service.start().catch((err: unknown) => options.onEvent?.(`${name} restart failed: ${(err as Error).message}`));
          }, 1000).unref();
        }
      });
    }

    async function kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
      const c = child;
      if (!c || !running()) return;
      expectedExit = true;
      killGroup(c, signal);
      await exited(c);
    }

    const service: ServiceProcess = {
      name,
      grpcPort: ports.grpc[name],
      opsPort,
      logFile,
      pid: () => child?.pid,
      running,
      async start() {
        if (!running()) spawnChild();
        await ready();
      },
      kill,
      async stop(graceMs = 12_000) {
        const c = child;
        if (!c || !running()) return;
        expectedExit = true;
        killGroup(c, 'SIGTERM');
        const timer = setTimeout(() => killGroup(c, 'SIGKILL'), graceMs);
        await exited(c);
        clearTimeout(timer);
      },
      async restart(signal: NodeJS.Signals = 'SIGKILL') {
        await kill(signal);
        await service.start();
      },
      ready,
    };
    return service;
  }

  const services = Object.fromEntries(names.map((n) => [n, makeService(n)])) as Record<ServiceName, ServiceProcess>;
  const stop = async (graceMs?: number) => {
    stopping = true;
    if (services.gateway) await services.gateway.stop(graceMs);
    await Promise.all(Object.values(services).map((s) => s.stop(graceMs)));
  };
  try {
    await Promise.all(Object.values(services).map((s) => s.start()));
  } catch (err) {
    await Promise.all(Object.values(services).map((s) => s.kill()));
    throw err;
  }
  return { url: `http://127.0.0.1:${ports.http}`, natsUrl: options.natsUrl, dataDir, ports, services, stop };
}
