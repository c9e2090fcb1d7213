import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from './ports';

export const NATS_SERVER_BIN = process.env.AGENTRY_NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

export function natsServerAvailable(): boolean {
  try {
    fs.accessSync(NATS_SERVER_BIN, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface PrivateNatsServer {
  url: string;
  port: number;
  storeDir: string;
  pid(): number | undefined;
  /** SIGTERM (graceful; JetStream flushes) and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL, no flush. */
  kill(): Promise<void>;
  /** Stop (or kill) and start again on the same port and store directory. */
  restart(options?: { hard?: boolean }): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** A nats-server with JetStream of our own, on loopback, with its store under `storeDir`. */
export async function startNatsServer(options: { storeDir: string; port?: number; logFile?: string }): Promise<PrivateNatsServer> {
  const port = options.port ?? (await freePort());
  fs.mkdirSync(options.storeDir, { recursive: true });
  const logFile = options.logFile ?? path.join(options.storeDir, 'nats-server.log');
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const out = fs.openSync(logFile, 'a');
    child = spawn(NATS_SERVER_BIN, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', options.storeDir], { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    const c = child;
    for (let i = 0; i < 200; i++) {
      if (c.exitCode !== null) throw new Error(`nats-server exited with ${c.exitCode} (see ${logFile})`);
      if (await canConnect(port)) return;
      await sleep(50);
    }
    c.kill('SIGKILL');
    throw new Error(`nats-server did not listen on ${port} (see ${logFile})`);
  }

  async function halt(signal: NodeJS.Signals): Promise<void> {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await exited(c);
    clearTimeout(timer);
  }

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir: options.storeDir,
    pid: () => child?.pid,
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    async restart(o = {}) {
      await halt(o.hard ? 'SIGKILL' : 'SIGTERM');
      await start();
    },
  };
}
