import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '../..');
export const BENCH = path.resolve(__dirname, '..');
export const CACHE = path.join(BENCH, '.cache');

const t0 = Date.now();
/** Progress line on stderr, prefixed with the time since the run began. */
export function progress(msg: string): void {
  process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}\n`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

export const round = (x: number, digits = 3) => (Number.isFinite(x) ? Number(x.toPrecision(digits)) : x);

/** Rejects when `work` takes longer than `ms` (the work itself is not cancelled: callers stop what they started). */
export async function bounded<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} exceeded its ${Math.round(ms / 1000)} s bound`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** RSS in bytes of a process and all its descendants (Linux /proc). */
export function treeRss(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // the process ended meanwhile
    }
  }
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // gone
    }
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

/** Samples the RSS of a process tree until stopped; returns the peak. */
export function rssSampler(pid: number, everyMs = 200): { stop(): number } {
  let peak = treeRss(pid);
  const timer = setInterval(() => (peak = Math.max(peak, treeRss(pid))), everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, treeRss(pid));
    },
  };
}

export interface Child {
  proc: ChildProcess;
  /** Everything printed so far (stdout+stderr), last 64 KiB. */
  output(): string;
  /** Resolves with the first match of `re` in the output. */
  waitFor(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/** Starts a child in its own process group (so stop() ends it and whatever it started). */
export function startChild(cmd: string, args: string[], opts: SpawnOptions = {}): Child {
  const proc = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  const waiters: Array<() => void> = [];
  const onData = (b: Buffer) => {
    out = (out + b.toString('utf8')).slice(-65536);
    for (const w of [...waiters]) w();
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  let exited = false;
  proc.on('exit', () => {
    exited = true;
    for (const w of [...waiters]) w();
  });
  return {
    proc,
    output: () => out,
    waitFor: (re, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(out);
          if (m) return done(() => resolve(m));
          if (exited) return done(() => reject(new Error(`${cmd} exited (${proc.exitCode ?? proc.signalCode}) before printing ${re}:\n${out.slice(-3000)}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`${cmd} did not print ${re} within ${timeoutMs} ms:\n${out.slice(-3000)}`))), timeoutMs);
        const done = (f: () => void) => {
          clearTimeout(timer);
          const i = waiters.indexOf(check);
          if (i >= 0) waiters.splice(i, 1);
          f();
        };
        waiters.push(check);
        check();
      }),
    stop: async (signal = 'SIGINT', graceMs = 15000) => {
      if (exited) return;
      const gone = new Promise<void>((r) => proc.once('exit', () => r()));
      try {
        process.kill(-proc.pid!, signal);
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-proc.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, graceMs);
      await gone;
      clearTimeout(timer);
    },
  };
}

export async function waitHttp(url: string, timeoutMs: number, ok: (status: number) => boolean = (s) => s < 500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (ok(res.status)) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Runs a command to completion with a time bound; returns its exit code and the tail of its output. */
export function runCommand(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number; log?: string }): Promise<{ code: number | null; tail: string }> {
  return new Promise((resolve) => {
    const proc = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const logStream = opts.log ? fs.createWriteStream(opts.log) : undefined;
    let tail = '';
    const on = (b: Buffer) => {
      logStream?.write(b);
      tail = (tail + b.toString('utf8')).slice(-4000);
    };
    proc.stdout.on('data', on);
    proc.stderr.on('data', on);
    const timer = setTimeout(() => {
      tail += `\n(killed after ${opts.timeoutMs} ms)`;
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, opts.timeoutMs);
    proc.on('close', (code) => {
      clearTimeout(timer);
      logStream?.end();
      resolve({ code, tail });
    });
    proc.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, tail: String(err) });
    });
  });
}

export function commandOutput(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10000 });
  return (r.stdout ?? '').trim();
}

export async function httpJson(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; text: string }> {
  const res = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** Calls `once` sequentially until `iterations` are done or `ms` elapsed (at least `min` times); returns latencies in ms. */
export async function sequential(once: () => Promise<void>, opts: { iterations: number; ms: number; warmup?: number }): Promise<number[]> {
  for (let i = 0; i < (opts.warmup ?? 3); i++) await once();
  const out: number[] = [];
  const deadline = Date.now() + opts.ms;
  while (out.length < opts.iterations && (out.length < 3 || Date.now() < deadline)) {
    const s = performance.now();
    await once();
    out.push(performance.now() - s);
  }
  return out;
}

/**
 * Alternates `a` and `b` (so both see the same background load) until `iterations` pairs are done or `ms` elapsed
 * (at least 3 pairs); returns the latencies of each in ms.
 */
export async function interleaved(a: () => Promise<void>, b: () => Promise<void>, opts: { iterations: number; ms: number; warmup?: number }): Promise<[number[], number[]]> {
  for (let i = 0; i < (opts.warmup ?? 3); i++) {
    await a();
    await b();
  }
  const la: number[] = [];
  const lb: number[] = [];
  const deadline = Date.now() + opts.ms;
  while (la.length < opts.iterations && (la.length < 3 || Date.now() < deadline)) {
    let s = performance.now();
    await a();
    la.push(performance.now() - s);
    s = performance.now();
    await b();
    lb.push(performance.now() - s);
  }
  return [la, lb];
}
