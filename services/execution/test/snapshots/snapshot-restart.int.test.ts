import { randomUUID } from 'node:crypto';
import type { EventStore, Snapshot } from '@agentry/event-log';
import type { EventEnvelope } from '@agentry/kernel';
import { createBlockWorker, type BlockWorker } from '@agentry/svc-block-runner/src/app/worker';
import { createExecutionEngine, type ExecutionEngine, type ExecutionEngineOptions } from '../../src/app/engine';
import { SNAPSHOT_SCHEMA } from '../../src/domain/execution/snapshot';
import { B, registry } from '../support/blocks';
import { graph, MemoryGraphs, TENANT, USER } from '../support/graphs';
import { tempSqliteLog } from '../support/sqlite';

type Sqlite = ReturnType<typeof tempSqliteLog>;

/** An EventStore that counts the events readStream hands out (what a rebuild costs). */
function counting(events: EventStore): EventStore & { read: number; reads: number } {
  const wrapper = Object.assign(Object.create(events) as EventStore, {
    read: 0,
    reads: 0,
    readStream: async (streamId: string, options?: { fromVersion?: number }): Promise<EventEnvelope[]> => {
      const out = await events.readStream(streamId, options);
      wrapper.read += out.length;
      wrapper.reads++;
      return out;
    },
  });
  return wrapper;
}

interface StoredSnapshot {
  lastEventId: string;
  execution: { fields: Record<string, unknown> };
}

describe('execution snapshots (rule 14: they shorten the replay, the log stays the truth)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function setup(): { sqlite: Sqlite; graphs: MemoryGraphs } {
    const sqlite = tempSqliteLog();
    cleanups.push(sqlite.dispose);
    return { sqlite, graphs: new MemoryGraphs() };
  }

  function engineOn(
    sqlite: Sqlite,
    graphs: MemoryGraphs,
    options: ExecutionEngineOptions = {},
  ): { engine: ExecutionEngine; events: ReturnType<typeof counting>; warnings: string[] } {
    const log = sqlite.reopen();
    const events = counting(log.events);
    const warnings: string[] = [];
    const engine = createExecutionEngine({
      events,
      queue: log.queue,
      graphs,
      blocks: registry(),
      clock: { now: () => new Date() },
      newId: randomUUID,
      options: {
        logger: { warn: (fields, msg) => warnings.push(`${msg} ${JSON.stringify(fields)}`), error: () => {} },
        snapshots: log.snapshots,
        ...options,
      },
    });
    cleanups.push(() => engine.close());
    return { engine, events, warnings };
  }

  function worker(sqlite: Sqlite, engine: ExecutionEngine): BlockWorker {
    const w = createBlockWorker({
      queue: sqlite.log.queue,
      blocks: registry(),
      reporter: engine,
      workerId: `w-${randomUUID().slice(0, 4)}`,
      leaseMs: 10_000,
      concurrency: 32,
      pollMs: 10,
    });
    w.start();
    cleanups.push(() => w.stop({ graceMs: 500 }));
    return w;
  }

  async function settled(engine: ExecutionEngine, id: string, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await engine.get(TENANT, id);
      if (view.status !== 'RUNNING') return view;
      if (Date.now() > deadline) throw new Error(`execution ${id} still running`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('a long fan-out restarted with snapshots folds only the tail, then finishes; its snapshot is removed at the end', async () => {
    const { sqlite, graphs } = setup();
    const COUNT = 2500;
    const g = graph(
      [
        ['many', B.many, { count: COUNT }],
        ['each', B.echo],
      ],
      [['many', 'item', 'each', 'value']],
    );
    graphs.add(g);
    const first = engineOn(sqlite, graphs, { snapshotEvery: 1000 });
    const { executionId } = await first.engine.requestExecution({
      tenantId: TENANT,
      userId: USER,
      graphId: g.id,
      inputs: {},
      trigger: 'api',
    });
    const streamId = `execution-${executionId}`;
    // A runner does `many` by hand (outputs in batches, like the block worker), then 400 of the fanned-out nodes.
    const queue = sqlite.log.queue;
    const [task] = await queue.lease('node-tasks', { workerId: 'w0', leaseMs: 60_000 });
    const ids = { tenantId: TENANT, executionId, workerId: 'w0' };
    await first.engine.reportNodeProgress({ ...ids, nodeExecId: 'many#1', attempt: 1, started: true });
    for (let from = 0; from < COUNT; from += 250) {
      const outputs = Array.from({ length: Math.min(250, COUNT - from) }, (_, i) => ({ pin: 'item', value: from + i }));
      await first.engine.reportNodeProgress({ ...ids, nodeExecId: 'many#1', attempt: 1, outputs, outputSeq: from });
    }
    await first.engine.reportNodeProgress({
      ...ids,
      nodeExecId: 'many#1',
      attempt: 1,
      finished: { status: 'COMPLETED' },
    });
    await queue.ack(task);
    for (let n = 1; n <= 400; n++) {
      const [each] = await queue.lease('node-tasks', { workerId: 'w0', leaseMs: 60_000 });
      const { nodeExecId, attempt, input } = each.payload as {
        nodeExecId: string;
        attempt: number;
        input: { value: number };
      };
      await first.engine.reportNodeProgress({
        ...ids,
        nodeExecId,
        attempt,
        started: true,
        outputs: [{ pin: 'out', value: input.value }],
        finished: { status: 'COMPLETED' },
      });
      await queue.ack(each);
    }
    await first.engine.close(); // waits for the snapshot saves it spawned

    const total = await sqlite.log.events.streamVersion(streamId);
    const snapshot = await sqlite.log.snapshots.load<StoredSnapshot>(streamId);
    expect(total).toBeGreaterThan(4 * COUNT);
    expect(snapshot).toMatchObject({ key: streamId, schema: SNAPSHOT_SCHEMA });
    expect(snapshot!.version).toBeGreaterThan(total - 1000 - 1000); // saved past the last multiple (a batch is ≤ 1,000 events here)
    expect(snapshot!.version).toBeLessThanOrEqual(total);

    // Restart with snapshots: only the tail (from the snapshot's last event, its anchor) is read.
    const second = engineOn(sqlite, graphs, { snapshotEvery: 1000 });
    await second.engine.recover();
    expect(second.events.read).toBe(total - snapshot!.version + 1);
    expect(second.events.read).toBeLessThan(total / 4);
    expect(second.warnings).toEqual([]);

    // The same log replayed without snapshots reads everything, and both engines see the same execution.
    const plain = engineOn(sqlite, graphs, { snapshots: undefined });
    const fullView = await plain.engine.get(TENANT, executionId);
    expect(plain.events.read).toBe(total);
    expect(await second.engine.get(TENANT, executionId)).toEqual(fullView);
    await plain.engine.close();

    worker(sqlite, second.engine);
    const view = await settled(second.engine, executionId);
    expect(view.status).toBe('COMPLETED');
    const each = view.nodeExecutions.filter((n) => n.nodeId === 'each');
    expect(each).toHaveLength(COUNT);
    expect(each.every((n) => n.status === 'COMPLETED')).toBe(true);
    expect(each.map((n) => n.outputs.out[0]).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: COUNT }, (_, i) => i),
    );
    await second.engine.close();
    expect(await sqlite.log.snapshots.load(streamId)).toBeUndefined(); // removed once the execution ended

    // And the finished execution folds to the same view from the whole log.
    const check = engineOn(sqlite, graphs, { snapshots: undefined });
    expect(await check.engine.get(TENANT, executionId)).toEqual(view);
  }, 120_000);

  /** A running execution (waiting at a review) with a genuine snapshot, plus its view from a full replay. */
  async function pausedExecution() {
    const { sqlite, graphs } = setup();
    const g = graph(
      [
        ['src', B.emit, { items: ['a', 'b', 'c', 'd'] }],
        ['each', B.echo],
        ['rev', B.review, { message: 'ok?' }],
      ],
      [
        ['src', 'item', 'each', 'value'],
        ['src', 'key', 'rev', 'data'],
      ],
    );
    graphs.add(g);
    const first = engineOn(sqlite, graphs, { snapshotEvery: 5 });
    worker(sqlite, first.engine);
    const { executionId } = await first.engine.requestExecution({
      tenantId: TENANT,
      userId: USER,
      graphId: g.id,
      inputs: {},
      trigger: 'api',
    });
    const streamId = `execution-${executionId}`;
    const deadline = Date.now() + 15_000;
    for (;;) {
      const v = await first.engine.get(TENANT, executionId);
      const reviews = v.nodeExecutions.filter((n) => n.status === 'REVIEW').length;
      const done = v.nodeExecutions.filter((n) => n.nodeId === 'each' && n.status === 'COMPLETED').length;
      if (reviews === 4 && done === 4) break;
      if (Date.now() > deadline) throw new Error('the execution did not reach its reviews');
      await new Promise((r) => setTimeout(r, 20));
    }
    await first.engine.close();
    const total = await sqlite.log.events.streamVersion(streamId);
    const snapshot = (await sqlite.log.snapshots.load<StoredSnapshot>(streamId))!;
    expect(snapshot).toBeDefined();
    const plain = engineOn(sqlite, graphs, { snapshots: undefined });
    const truth = await plain.engine.get(TENANT, executionId);
    expect(truth.status).toBe('RUNNING');
    return { sqlite, graphs, executionId, streamId, total, snapshot, truth };
  }

  /** Replaces the stored snapshot, whatever its version. */
  async function put(sqlite: Sqlite, snapshot: Omit<Snapshot<unknown>, 'savedAt'>): Promise<void> {
    await sqlite.log.snapshots.remove(snapshot.key);
    await sqlite.log.snapshots.save(snapshot);
  }

  /** A copy of a stored snapshot whose review message says so if the engine ever shows it. */
  function tampered(stored: StoredSnapshot): StoredSnapshot {
    const copy = JSON.parse(JSON.stringify(stored)) as StoredSnapshot;
    const execs = copy.execution.fields.nodeExecs as Array<[string, { review?: { message?: string } }]>;
    const withReview = execs.find(([, e]) => e.review);
    if (withReview) withReview[1].review!.message = 'TAMPERED';
    copy.execution.fields.outputs = { forged: ['TAMPERED'] };
    return copy;
  }

  it('uses a matching snapshot (reads the tail only) and gives the same view as a full replay', async () => {
    const { sqlite, graphs, executionId, total, snapshot, truth } = await pausedExecution();
    const fresh = engineOn(sqlite, graphs);
    expect(await fresh.engine.get(TENANT, executionId)).toEqual(truth);
    expect(fresh.events.read).toBe(total - snapshot.version + 1);
    expect(fresh.warnings).toEqual([]);
  });

  it('ignores a snapshot of another schema, even a well-formed one, and replays the whole log', async () => {
    const { sqlite, graphs, executionId, streamId, total, snapshot, truth } = await pausedExecution();
    await put(sqlite, {
      key: streamId,
      version: snapshot.version,
      schema: 'execution-state/0',
      state: tampered(snapshot.state),
    });
    const fresh = engineOn(sqlite, graphs);
    const view = await fresh.engine.get(TENANT, executionId);
    expect(view).toEqual(truth);
    expect(JSON.stringify(view)).not.toContain('TAMPERED');
    expect(fresh.events.read).toBe(total);
    expect(fresh.warnings.join()).toMatch(/schema execution-state\/0/);
  });

  it('ignores a corrupt or unknown snapshot (bad shape, another execution, no anchor) and replays the whole log', async () => {
    const { sqlite, graphs, executionId, streamId, total, snapshot, truth } = await pausedExecution();
    const other = JSON.parse(JSON.stringify(snapshot.state)) as StoredSnapshot;
    (other.execution.fields.request as { executionId: string }).executionId = 'someone-else';
    const noAnchor = JSON.parse(JSON.stringify(snapshot.state)) as Partial<StoredSnapshot>;
    delete noAnchor.lastEventId;
    const badVersion = JSON.parse(JSON.stringify(snapshot.state)) as StoredSnapshot;
    badVersion.execution.fields.version = snapshot.version - 1;
    const cases: Array<[string, unknown, RegExp]> = [
      ['not an object', 'garbage', /no last event id/],
      [
        'a bad shape',
        {
          lastEventId: snapshot.state.lastEventId,
          execution: { fields: { status: 'WAT', version: snapshot.version } },
        },
        /not an execution snapshot/,
      ],
      ['another execution', other, /another execution/],
      ['no anchor', noAnchor, /no last event id/],
      ['a state at another version', badVersion, /its state is at/],
    ];
    for (const [what, state, reason] of cases) {
      await put(sqlite, { key: streamId, version: snapshot.version, schema: SNAPSHOT_SCHEMA, state });
      const fresh = engineOn(sqlite, graphs);
      expect([what, await fresh.engine.get(TENANT, executionId)]).toEqual([what, truth]);
      expect([what, fresh.events.read]).toEqual([what, total]);
      expect([what, fresh.warnings.join()]).toEqual([what, expect.stringMatching(reason)]);
      await fresh.engine.close();
    }
  });

  it("never trusts a snapshot over the log: one whose last event is not the log's event at its version is ignored", async () => {
    const { sqlite, graphs, executionId, streamId, total, snapshot, truth } = await pausedExecution();
    const forged = { ...tampered(snapshot.state), lastEventId: randomUUID() };
    await put(sqlite, { key: streamId, version: snapshot.version, schema: SNAPSHOT_SCHEMA, state: forged });
    const fresh = engineOn(sqlite, graphs);
    const view = await fresh.engine.get(TENANT, executionId);
    expect(view).toEqual(truth);
    expect(JSON.stringify(view)).not.toContain('TAMPERED');
    expect(fresh.events.read).toBe(total - snapshot.version + 1 + total); // the tail from the anchor, then the whole stream
    expect(fresh.warnings.join()).toMatch(/the snapshot ends with/);
  });

  it('ignores a snapshot newer than the log (a version beyond the stream)', async () => {
    const { sqlite, graphs, executionId, streamId, total, snapshot, truth } = await pausedExecution();
    const ahead = tampered(snapshot.state);
    ahead.execution.fields.version = total + 50;
    await sqlite.log.snapshots.save({ key: streamId, version: total + 50, schema: SNAPSHOT_SCHEMA, state: ahead });
    const fresh = engineOn(sqlite, graphs);
    const view = await fresh.engine.get(TENANT, executionId);
    expect(view).toEqual(truth);
    expect(JSON.stringify(view)).not.toContain('TAMPERED');
    expect(fresh.events.read).toBe(total);
    expect(fresh.warnings.join()).toMatch(/beyond the stream/);
  });

  it('a snapshot store that fails costs only a full replay; saves that fail do not fail commands', async () => {
    const { sqlite, graphs, executionId, total, truth } = await pausedExecution();
    const failing = {
      load: async () => Promise.reject(new Error('store down')),
      save: async () => Promise.reject(new Error('store down')),
      remove: async () => Promise.reject(new Error('store down')),
      close: async () => undefined,
    };
    const errors: string[] = [];
    const log = sqlite.reopen();
    const engine = createExecutionEngine({
      events: log.events,
      queue: log.queue,
      graphs,
      blocks: registry(),
      clock: { now: () => new Date() },
      newId: randomUUID,
      options: {
        snapshots: failing,
        snapshotEvery: 1,
        logger: { warn: () => {}, error: (_f, msg) => errors.push(msg) },
      },
    });
    cleanups.push(() => engine.close());
    expect(await engine.get(TENANT, executionId)).toEqual(truth);
    const rev = truth.nodeExecutions.find((n) => n.status === 'REVIEW')!;
    await engine.decideReview({ tenantId: TENANT, executionId, nodeExecId: rev.id, decision: 'approve', userId: USER });
    expect(await log.events.streamVersion(`execution-${executionId}`)).toBeGreaterThan(total);
    await engine.close();
    expect(errors.some((m) => /snapshot of .* failed/.test(m))).toBe(true);
  });
});
