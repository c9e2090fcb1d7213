import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@agentry/kernel';
import { createBlockWorker } from '@agentry/svc-block-runner/src/app/worker';
import { createExecutionEngine } from '../../src/app/engine';
import { B, observed, registry } from '../support/blocks';
import { graph, MemoryGraphs, TENANT, USER } from '../support/graphs';
import { startHarness, type Harness } from '../support/harness';
import { MemoryEventStore, MemoryWorkQueue } from '../support/memory-event-log';
import { tempSqliteLog } from '../support/sqlite';

const quiet = { warn: () => {}, error: () => {} };

describe('engine at scale, across restarts and failures', () => {
  const harnesses: Harness[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.stop();
    for (const c of cleanups.splice(0)) await c();
  });
  const harness = (...args: Parameters<typeof startHarness>) => {
    const h = startHarness(...args);
    harnesses.push(h);
    return h;
  };

  it('a node yielding 1,000 values fans out 1,000 downstream executions', async () => {
    const h = harness({ concurrency: 32 });
    const g = graph(
      [
        ['many', B.many, { count: 1000 }],
        ['each', B.echo],
      ],
      [['many', 'item', 'each', 'value']],
    );
    const view = await h.run(g);
    expect(view.status).toBe('COMPLETED');
    const each = view.nodeExecutions.filter((n) => n.nodeId === 'each');
    expect(each).toHaveLength(1000);
    expect(each.every((n) => n.status === 'COMPLETED')).toBe(true);
    expect(each.map((n) => n.outputs.out[0])).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('rule 14: a new engine on the same log continues an unfinished execution (including work whose enqueue was lost)', async () => {
    const sqlite = tempSqliteLog();
    cleanups.push(sqlite.dispose);
    const graphs = new MemoryGraphs();
    const g = graph(
      [
        ['a', B.echo, { value: 'A' }],
        ['b', B.template, { format: '{{v}}!' }],
        ['out', B.output, { name: 'result' }],
      ],
      [
        ['a', 'out', 'b', 'values_#_v'],
        ['b', 'output', 'out', 'value'],
      ],
    );
    graphs.add(g);
    const first = createExecutionEngine({
      events: sqlite.log.events,
      queue: sqlite.log.queue,
      graphs,
      blocks: registry(),
      clock: { now: () => new Date() },
      newId: randomUUID,
      options: { logger: quiet },
    });
    const { executionId } = await first.requestExecution({
      tenantId: TENANT,
      userId: USER,
      graphId: g.id,
      inputs: {},
      trigger: 'api',
    });
    // a runner does node a by hand, through the first engine
    const [task] = await sqlite.log.queue.lease('node-tasks', { workerId: 'w0', leaseMs: 10_000 });
    const ids = { tenantId: TENANT, executionId, nodeExecId: 'a#1', attempt: 1, workerId: 'w0' };
    await first.reportNodeProgress({
      ...ids,
      started: true,
      outputs: [{ pin: 'out', value: 'A' }],
      finished: { status: 'COMPLETED' },
    });
    await sqlite.log.queue.ack(task);
    // the process dies right after appending b's queueing but before the task reached the queue
    await sqlite.log.queue.remove('node-tasks', `${executionId}/b#1/1`);
    await first.close();

    const log2 = sqlite.reopen();
    const h = harness({ store: log2.events, queue: log2.queue, graphs });
    await h.engine.recover();
    const view = await h.settled(executionId);
    expect(view.status).toBe('COMPLETED');
    expect(view.outputs.result).toEqual(['A!']);
    expect(view.nodeExecutions.find((n) => n.nodeId === 'a')!.attempt).toBe(1); // a completed node never re-runs
    const listed = await h.engine.list(TENANT, { graphId: g.id });
    expect(listed.items.map((s) => [s.id, s.status])).toEqual([[executionId, 'COMPLETED']]);
  });

  it('rule 12: an expired lease (runner took the task and died) is re-dispatched as attempt 2', async () => {
    const h = harness({ workers: 0 });
    const id = await h.start(graph([['a', B.echo, { value: 1 }]]));
    const [doomed] = await h.queue.lease('node-tasks', { workerId: 'doomed', leaseMs: 50 });
    expect(doomed.payload).toMatchObject({ executionId: id, nodeExecId: 'a#1', attempt: 1, input: { value: 1 } });
    const worker = createBlockWorker({
      queue: h.queue,
      blocks: registry(),
      reporter: h.engine,
      workerId: 'survivor',
      leaseMs: 1000,
      pollMs: 10,
    });
    worker.start();
    cleanups.push(() => worker.stop());
    const view = await h.settled(id);
    expect(view.status).toBe('COMPLETED');
    expect(view.nodeExecutions[0]).toMatchObject({ attempt: 2, workerId: 'survivor' });
    const log = await h.engine.events(TENANT, id);
    expect(log.find((e) => e.type === 'NodeLeaseExpired')!.data).toMatchObject({
      nodeExecId: 'a#1',
      attempt: 1,
      nextAttempt: 2,
    });
  });

  it('rule 12: a runner that started and went silent loses the node on tick; the attempt is re-dispatched', async () => {
    let offset = 0;
    const h = harness({
      workers: 0,
      clock: { now: () => new Date(Date.now() + offset) },
      options: { leaseTimeoutMs: 1000, logger: quiet },
    });
    const id = await h.start(graph([['a', B.echo, { value: 1 }]]));
    const [task] = await h.queue.lease('node-tasks', { workerId: 'silent', leaseMs: 60_000 });
    await h.engine.reportNodeProgress({
      tenantId: TENANT,
      executionId: id,
      nodeExecId: 'a#1',
      attempt: 1,
      workerId: 'silent',
      started: true,
    });
    offset = 5000;
    await h.engine.tick();
    expect(await h.queue.depth('node-tasks')).toBe(1); // the old task was removed, the new attempt enqueued
    const worker = createBlockWorker({
      queue: h.queue,
      blocks: registry(),
      reporter: h.engine,
      workerId: 'fresh',
      leaseMs: 1000,
      pollMs: 10,
    });
    worker.start();
    cleanups.push(() => worker.stop());
    const view = await h.settled(id);
    expect(view.nodeExecutions[0]).toMatchObject({ status: 'COMPLETED', attempt: 2, workerId: 'fresh' });
    // the silent runner coming back is told to stop
    await expect(
      h.engine.reportNodeProgress({
        tenantId: TENANT,
        executionId: id,
        nodeExecId: 'a#1',
        attempt: 1,
        workerId: 'silent',
        outputs: [{ pin: 'out', value: 1 }],
      }),
    ).resolves.toEqual({ cancelled: true });
    void task;
  });

  it('rule 12: the per-execution deadline fails the execution on tick and aborts its running blocks', async () => {
    let offset = 0;
    const h = harness({ leaseMs: 150, clock: { now: () => new Date(Date.now() + offset) } });
    const id = await h.start(graph([['s', B.slow, { tag: 'deadline' }]]), {}, { budget: { maxDurationMs: 60_000 } });
    await h.waitFor(id, (v) => v.nodeExecutions[0].status === 'RUNNING', 'the block to run');
    offset = 61_000;
    await h.engine.tick();
    const view = await h.settled(id);
    expect(view).toMatchObject({
      status: 'FAILED',
      error: { code: 'DEADLINE_EXCEEDED', message: 'deadline exceeded: the execution ran longer than 60000 ms' },
    });
    await waitUntil(() => observed.aborted.includes('deadline'));
  });

  it('a corrupt event fails the rebuild of that execution with its position; other executions keep working', async () => {
    const store = new MemoryEventStore();
    let poisoned = '';
    const reader = Object.assign(Object.create(store) as MemoryEventStore, {
      readStream: async (streamId: string): Promise<EventEnvelope[]> => {
        const events = await store.readStream(streamId);
        if (streamId !== poisoned) return events;
        return events.map((e) =>
          e.streamVersion === 3 ? { ...e, type: 'NodeExecutionCreated', data: '{"truncated' as unknown as object } : e,
        );
      },
    });
    const queue = new MemoryWorkQueue();
    const graphs = new MemoryGraphs();
    const g = graph([['a', B.echo, { value: 1 }]]);
    graphs.add(g);
    const writer = startHarness({ store, queue, graphs });
    harnesses.push(writer);
    const bad = await writer.run(g);
    const good = await writer.run(g);
    poisoned = `execution-${bad.id}`;
    await writer.stop(); // one engine per execution at a time: its cache is not shared
    // a fresh engine (empty cache) must rebuild from the log
    const fresh = harness({ store: reader, queue, graphs, workers: 1 });
    await expect(fresh.engine.get(TENANT, bad.id)).rejects.toMatchObject({
      code: 'CORRUPT_EVENT',
      message: expect.stringMatching(
        new RegExp(
          `execution-${bad.id}.*stream version 3, global position \\d+: NodeExecutionCreated has no data object`,
        ),
      ),
    });
    await expect(fresh.engine.get(TENANT, good.id)).resolves.toMatchObject({ status: 'COMPLETED' });
    await fresh.engine.recover();
    await expect(fresh.run(g)).resolves.toMatchObject({ status: 'COMPLETED' });
  });

  it('rule 17: fork re-runs one node with its recorded input (and what follows), leaving the source untouched', async () => {
    const h = harness();
    const g = graph(
      [
        ['in', B.input, { name: 'who' }],
        ['src', B.emit, { items: ['a', 'b'] }],
        ['tpl', B.template, { format: '{{g}} {{x}}' }],
        ['out', B.output, { name: 'r' }],
      ],
      [
        ['in', 'result', 'tpl', 'values_#_g'],
        ['src', 'item', 'tpl', 'values_#_x'],
        ['tpl', 'output', 'out', 'value'],
      ],
    );
    const source = await h.run(g, { who: 'hey' });
    const second = source.nodeExecutions.find(
      (n) => n.nodeId === 'tpl' && n.input?.values && (n.input.values as { x: string }).x === 'b',
    )!;
    const { executionId } = await h.engine.fork(TENANT, source.id, second.id);
    const forked = await h.settled(executionId);
    expect(forked.status).toBe('COMPLETED');
    expect(forked.outputs.r).toEqual(['hey b']);
    expect(forked.nodeExecutions.map((n) => n.nodeId)).toEqual(['tpl', 'out']);
  });

  it('tenants are isolated: another tenant gets NOT_FOUND for get, cancel, events and list', async () => {
    const h = harness();
    const view = await h.run(graph([['a', B.echo, { value: 1 }]]));
    await expect(h.engine.get('other', view.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.engine.cancel('other', view.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.engine.events('other', view.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await h.engine.list('other')).items).toEqual([]);
    const page1 = await h.engine.list(TENANT, { limit: 1 });
    expect(page1.items).toHaveLength(1);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
