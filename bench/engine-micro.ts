/**
 * `npx tsx bench/engine-micro.ts [chain] [throughput] [fanout] [--items=N] [--seconds=N] [--log=sqlite|jetstream] [--keep=DIR]`
 *
 * The execution engine alone, in this process, on a real durable SQLite log (WAL) in a temp folder, with the
 * real block registry and pure blocks run inline (as embedded mode does): no gateway, no gRPC. It isolates the
 * engine + event log from the platform around them, for profiling (`node --cpu-prof --import tsx bench/engine-micro.ts`).
 * Figures are engine-side (requestedAt -> endedAt), printed as JSON on the last line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createRegistry } from '@agentry/blocks';
import { createEventLog, type EventLog } from '@agentry/event-log';
import { DomainError, type Graph } from '@agentry/kernel';
import { createExecutionEngine, inlinePureBlocks, type ExecutionEngine } from '@agentry/svc-execution/src/app/engine';
import { agentryChain, agentryFanOut } from './lib/workloads';

const TENANT = 'bench-tenant';

function asGraph(draft: { name: string; nodes: any[]; links: any[] }): Graph {
  return {
    id: randomUUID(),
    version: 1,
    tenantId: TENANT,
    ownerId: 'bench',
    name: draft.name,
    description: '',
    isActive: true,
    createdAt: new Date().toISOString(),
    nodes: draft.nodes.map((n) => ({ ...n, metadata: n.metadata ?? {} })),
    links: draft.links.map((l, i) => ({ id: `l${i}`, ...l })),
  };
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

/** Ends of executions, heard from the log itself (a subscriber, like the platform's own consumers). */
function endWatcher(log: EventLog) {
  const ended = new Map<string, { status: string; at: string }>();
  const requested = new Map<string, string>();
  const waiters = new Map<string, () => void>();
  const END: Record<string, string> = { ExecutionCompleted: 'COMPLETED', ExecutionFailed: 'FAILED', ExecutionTerminated: 'TERMINATED' };
  const sub = log.events.subscribe({
    consumer: `bench-${randomUUID()}`,
    categories: ['execution'],
    startAt: 'end',
    handler: (e) => {
      const id = e.streamId.slice('execution-'.length);
      if (e.type === 'ExecutionRequested') requested.set(id, (e.data as any).requestedAt);
      const status = END[e.type];
      if (!status) return;
      ended.set(id, { status, at: (e.data as any).endedAt });
      waiters.get(id)?.();
    },
  });
  return {
    caughtUp: sub.caughtUp,
    close: () => sub.close(),
    async wait(id: string, boundMs: number): Promise<{ status: string; ms: number }> {
      if (!ended.has(id)) {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`execution ${id} did not end within ${boundMs} ms`)), boundMs);
          waiters.set(id, () => {
            clearTimeout(t);
            resolve();
          });
        });
        waiters.delete(id);
      }
      const e = ended.get(id)!;
      return { status: e.status, ms: Date.parse(e.at) - Date.parse(requested.get(id) ?? e.at) };
    },
  };
}

async function main() {
  const args = process.argv.slice(2);
  const flags = new Map(args.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=') as [string, string]));
  const names = args.filter((a) => !a.startsWith('--'));
  const want = (n: string) => names.length === 0 || names.includes(n);
  const keep = flags.get('keep');
  const dir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'engine-micro-'));
  fs.mkdirSync(dir, { recursive: true });
  const kind = flags.get('log') ?? 'sqlite';
  const log: EventLog =
    kind === 'jetstream'
      ? await createEventLog({ kind: 'jetstream', servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', prefix: `bench${Date.now()}` } as never)
      : await createEventLog({ kind: 'sqlite', path: path.join(dir, 'agentry.db') });
  const graphs = new Map<string, Graph>();
  const blocks = createRegistry();
  const engine = createExecutionEngine({
    events: log.events,
    queue: log.queue,
    graphs: {
      async get(_t, id) {
        const g = graphs.get(id);
        if (!g) throw new DomainError('NOT_FOUND', 'graph not found');
        return g;
      },
    },
    blocks,
    clock: { now: () => new Date() },
    newId: randomUUID,
    options: { inlineBlocks: inlinePureBlocks, logger: { warn: () => {}, error: (f, m) => console.error(m, f) } },
  });
  await engine.recover();
  const watcher = endWatcher(log);
  await watcher.caughtUp;
  const waitEnded = (_e: ExecutionEngine, id: string, bound: number, _poll?: number) => watcher.wait(id, bound);
  const add = (draft: any) => {
    const g = asGraph(draft);
    graphs.set(g.id, g);
    return g;
  };
  const start = (g: Graph) => engine.requestExecution({ tenantId: TENANT, userId: 'bench', graphId: g.id, inputs: {}, trigger: 'api' });
  const out: Record<string, unknown> = {};
  try {
    if (want('chain')) {
      const g1 = add(agentryChain(1));
      const g50 = add(agentryChain(50));
      const l1: number[] = [];
      const l50: number[] = [];
      const runs = Number(flags.get('runs') ?? 100);
      for (let i = 0; i < runs; i++) {
        for (const [g, l] of [[g1, l1], [g50, l50]] as const) {
          const t0 = performance.now();
          const { executionId } = await start(g);
          const r = await waitEnded(engine, executionId, 30_000);
          if (r.status !== 'COMPLETED') throw new Error(`chain ended ${r.status}`);
          l.push(performance.now() - t0);
        }
      }
      out.chain = { p50_1: percentile(l1, 50), p50_50: percentile(l50, 50), perNodeMs: (percentile(l50, 50) - percentile(l1, 50)) / 49 };
      console.log('chain', out.chain);
    }
    if (want('throughput')) {
      const g = add(agentryChain(10));
      const seconds = Number(flags.get('seconds') ?? 5);
      const conc = Number(flags.get('connections') ?? 16);
      const lat: number[] = [];
      const until = performance.now() + seconds * 1000;
      let done = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: conc }, async () => {
          while (performance.now() < until) {
            const s = performance.now();
            const { executionId } = await start(g);
            const r = await waitEnded(engine, executionId, 30_000, 2);
            if (r.status !== 'COMPLETED') throw new Error(`execution ended ${r.status}`);
            lat.push(performance.now() - s);
            done++;
          }
        }),
      );
      const s = (performance.now() - t0) / 1000;
      out.throughput = { execPerS: done / s, p50: percentile(lat, 50), p99: percentile(lat, 99), done };
      console.log('throughput', out.throughput);
    }
    if (want('fanout')) {
      const items = Number(flags.get('items') ?? 10_000);
      const g = add(agentryFanOut(items));
      const t0 = performance.now();
      const { executionId } = await start(g);
      const r = await waitEnded(engine, executionId, Number(flags.get('bound') ?? 180_000), 50);
      const ms = performance.now() - t0;
      out.fanout = { items, status: r.status, ms, itemsPerS: items / (ms / 1000) };
      console.log('fanout', out.fanout);
    }
  } finally {
    await watcher.close();
    await engine.close();
    await log.close();
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ load: os.loadavg()[0], ...out }));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
