import type { BlockDefinition } from '@agentry/block-sdk';
import type { EventStore, WorkQueue } from '@agentry/event-log';
import type { Clock, Graph } from '@agentry/kernel';
import { randomUUID } from 'node:crypto';
import { createBlockWorker, type BlockWorker } from '@agentry/svc-block-runner/src/app/worker';
import {
  createExecutionEngine,
  type ExecutionEngine,
  type ExecutionEngineOptions,
  type ExecutionView,
} from '../../src/app/engine';
import type { ExecutionList } from '../../src/app/execution-index';
import type { BlobStore } from '../../src/app/ports';
import { registry, testBlocks } from './blocks';
import { MemoryGraphs, TENANT, USER } from './graphs';
import { MemoryEventStore, MemoryWorkQueue } from './memory-event-log';

export interface HarnessOptions {
  store?: EventStore;
  queue?: WorkQueue;
  graphs?: MemoryGraphs;
  blocks?: BlockDefinition[];
  workers?: number;
  concurrency?: number;
  leaseMs?: number;
  clock?: Clock;
  blobs?: BlobStore;
  /** The engine's execution list adapter (default: the in-memory index). */
  executionList?: (store: EventStore) => ExecutionList;
  options?: ExecutionEngineOptions;
}

export interface Harness {
  engine: ExecutionEngine;
  store: EventStore;
  queue: WorkQueue;
  graphs: MemoryGraphs;
  workers: BlockWorker[];
  start(
    graph: Graph,
    inputs?: Record<string, unknown>,
    extra?: Partial<Parameters<ExecutionEngine['requestExecution']>[0]>,
  ): Promise<string>;
  run(
    graph: Graph,
    inputs?: Record<string, unknown>,
    extra?: Partial<Parameters<ExecutionEngine['requestExecution']>[0]>,
  ): Promise<ExecutionView>;
  waitFor(
    executionId: string,
    predicate: (v: ExecutionView) => boolean,
    what?: string,
    timeoutMs?: number,
  ): Promise<ExecutionView>;
  settled(executionId: string): Promise<ExecutionView>;
  /** Stops workers and the engine; the stores stay open (a restart test reuses them). */
  stop(): Promise<void>;
}

export function startHarness(o: HarnessOptions = {}): Harness {
  const store = o.store ?? new MemoryEventStore();
  const queue = o.queue ?? new MemoryWorkQueue();
  const graphs = o.graphs ?? new MemoryGraphs();
  const blocks = registry(o.blocks ?? testBlocks);
  const engine = createExecutionEngine({
    events: store,
    queue,
    graphs,
    blocks,
    clock: o.clock ?? { now: () => new Date() },
    newId: randomUUID,
    blobs: o.blobs,
    executionList: o.executionList && (() => o.executionList!(store)),
    options: { logger: { warn: () => {}, error: () => {} }, ...o.options },
  });
  const workers = Array.from({ length: o.workers ?? 1 }, (_, i) =>
    createBlockWorker({
      queue,
      blocks,
      reporter: engine,
      workerId: `worker-${i + 1}`,
      leaseMs: o.leaseMs ?? 5000,
      concurrency: o.concurrency ?? 8,
      pollMs: 20,
    }),
  );
  for (const w of workers) w.start();

  const waitFor: Harness['waitFor'] = async (executionId, predicate, what = 'condition', timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await engine.get(TENANT, executionId).catch((err: { code?: string }) => {
        if (err.code === 'NOT_FOUND' && Date.now() < deadline) return undefined; // not created yet (e.g. a child execution)
        throw err;
      });
      if (!view) {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      if (predicate(view)) return view;
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}; execution is ${view.status}: ${JSON.stringify(view.nodeExecutions.map((n) => [n.id, n.status, n.attempt]))}`,
        );
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const settled = (id: string) => waitFor(id, (v) => v.status !== 'RUNNING', 'the execution to end');
  const start: Harness['start'] = async (g, inputs = {}, extra = {}) => {
    if (!(await graphs.get(g.tenantId, g.id).catch(() => undefined))) graphs.add(g);
    const { executionId } = await engine.requestExecution({
      tenantId: TENANT,
      userId: USER,
      graphId: g.id,
      inputs,
      trigger: 'manual',
      ...extra,
    });
    return executionId;
  };
  return {
    engine,
    store,
    queue,
    graphs,
    workers,
    start,
    run: async (g, inputs, extra) => settled(await start(g, inputs, extra)),
    waitFor,
    settled,
    stop: async () => {
      await Promise.all(workers.map((w) => w.stop({ graceMs: 500 })));
      await engine.close();
    },
  };
}

export const pinValues = (view: ExecutionView, nodeId: string, pin: string): unknown[] =>
  view.nodeExecutions.filter((n) => n.nodeId === nodeId).flatMap((n) => n.outputs[pin] ?? []);
