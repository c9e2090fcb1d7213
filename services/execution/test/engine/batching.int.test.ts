import type { EventStore } from '@agentry/event-log';
import { inlinePureBlocks } from '../../src/app/engine';
import { B } from '../support/blocks';
import { graph, TENANT } from '../support/graphs';
import { startHarness, type Harness } from '../support/harness';
import { tempSqliteLog } from '../support/sqlite';

/** The real SQLite store, counting appends (= commits requested) per stream. */
function countingAppends(store: EventStore) {
  const appends = new Map<string, number>();
  const counted: EventStore = Object.create(store);
  counted.append = (streamId, events, options) => {
    appends.set(streamId, (appends.get(streamId) ?? 0) + 1);
    return store.append(streamId, events, options);
  };
  return { store: counted, appendsTo: (executionId: string) => appends.get(`execution-${executionId}`) ?? 0 };
}

describe('engine batching: one append per batch of decisions', () => {
  let h: Harness;
  let dispose: () => Promise<void>;
  let appendsTo: (executionId: string) => number;
  const quiet = { warn: () => {}, error: () => {} };

  const start = (inline: boolean) => {
    const sqlite = tempSqliteLog();
    dispose = sqlite.dispose;
    const counting = countingAppends(sqlite.log.events);
    appendsTo = counting.appendsTo;
    h = startHarness({
      store: counting.store,
      queue: sqlite.log.queue,
      workers: 0,
      options: { logger: quiet, ...(inline ? { inlineBlocks: inlinePureBlocks } : {}) },
    });
  };
  afterEach(async () => {
    await h.stop();
    await dispose();
  });

  it('runs a chain of pure blocks within the decision that queued it: the whole execution is ONE append, with every event a runner would cause', async () => {
    start(true);
    const n = 20;
    const nodes = Array.from(
      { length: n },
      (_, i) => [`n${i}`, B.echo, i === 0 ? { value: 'v' } : {}] as [string, string, Record<string, unknown>],
    );
    const links = nodes
      .slice(1)
      .map((_, i) => [`n${i}`, 'out', `n${i + 1}`, 'value'] as [string, string, string, string]);
    const view = await h.run(graph(nodes, links));
    expect(view.status).toBe('COMPLETED');
    expect(view.nodeExecutions).toHaveLength(n);
    expect(view.nodeExecutions.every((e) => e.status === 'COMPLETED' && e.outputs.out?.[0] === 'v')).toBe(true);
    expect(appendsTo(view.id)).toBe(1);
    const log = await h.engine.events(TENANT, view.id);
    for (const type of ['NodeExecutionQueued', 'NodeExecutionStarted', 'NodeOutputProduced', 'NodeExecutionCompleted'])
      expect(log.filter((e) => e.type === type)).toHaveLength(n);
    expect(log.map((e) => e.streamVersion)).toEqual(log.map((_, i) => i + 1));
  });

  it('stops the chain at a side-effecting block: it is dispatched to the queue only after the append', async () => {
    start(true);
    const g = graph(
      [
        ['a', B.echo, { value: 'x' }],
        ['s', B.send],
      ],
      [['a', 'out', 's', 'to']],
    );
    const id = await h.start(g);
    await h.waitFor(id, (v) => v.nodeExecutions.some((e) => e.nodeId === 's' && e.status === 'QUEUED'), 'send queued');
    expect(appendsTo(id)).toBe(1);
    const deadline = Date.now() + 5000;
    while ((await h.queue.depth('node-tasks')) === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    expect(await h.queue.depth('node-tasks')).toBe(1);
    await h.engine.cancel(TENANT, id);
  });

  it('decides reports of one execution that arrive together in one append, each answered on its own', async () => {
    start(false);
    const g = graph([
      ['a', B.echo, { value: 1 }],
      ['b', B.echo, { value: 2 }],
      ['c', B.echo, { value: 3 }],
      ['d', B.echo, { value: 4 }],
    ]);
    const id = await h.start(g);
    const before = appendsTo(id);
    const report = (nodeExecId: string, attempt: number) =>
      h.engine.reportNodeProgress({
        tenantId: TENANT,
        executionId: id,
        nodeExecId,
        attempt,
        workerId: 'w',
        started: true,
        outputs: [{ pin: 'out', value: nodeExecId }],
        finished: { status: 'COMPLETED' },
      });
    const answers = await Promise.all([report('a#1', 1), report('b#1', 1), report('c#1', 1), report('a#1', 0)]);
    expect(answers).toEqual([{ cancelled: false }, { cancelled: false }, { cancelled: false }, { cancelled: true }]);
    expect(appendsTo(id) - before).toBe(1);
    const view = await h.engine.get(TENANT, id);
    expect(view.nodeExecutions.map((e) => [e.status, e.outputs.out])).toEqual([
      ['COMPLETED', ['a#1']],
      ['COMPLETED', ['b#1']],
      ['COMPLETED', ['c#1']],
      ['QUEUED', undefined],
    ]);
    await h.engine.cancel(TENANT, id);
  });

  it('rejects a bad report of a batch alone: the others are recorded', async () => {
    start(false);
    const id = await h.start(graph([['a', B.echo, { value: 1 }]]));
    const good = h.engine.reportNodeProgress({
      tenantId: TENANT,
      executionId: id,
      nodeExecId: 'a#1',
      attempt: 1,
      workerId: 'w',
      started: true,
    });
    const unknown = h.engine.reportNodeProgress({
      tenantId: TENANT,
      executionId: id,
      nodeExecId: 'zz#1',
      attempt: 1,
      workerId: 'w',
      started: true,
    });
    const otherTenant = h.engine.reportNodeProgress({
      tenantId: 'tenant-2',
      executionId: id,
      nodeExecId: 'a#1',
      attempt: 1,
      workerId: 'w',
      started: true,
    });
    await expect(good).resolves.toEqual({ cancelled: false });
    await expect(unknown).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(otherTenant).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await h.engine.get(TENANT, id)).nodeExecutions[0].status).toBe('RUNNING');
    await h.engine.cancel(TENANT, id);
  });
});

describe('engine batching within what one append may carry (JetStream, Kafka: maxEventsPerAppend)', () => {
  it('reports a large inline fan-out in chunks and keeps every append within the limit', async () => {
    const sqlite = tempSqliteLog();
    const sizes: number[] = [];
    const limited: EventStore = Object.create(sqlite.log.events, { maxEventsPerAppend: { value: 200 } });
    limited.append = (streamId, events, options) => {
      if (streamId.startsWith('execution-')) sizes.push(events.length);
      return sqlite.log.events.append(streamId, events, options);
    };
    const h = startHarness({
      store: limited,
      queue: sqlite.log.queue,
      workers: 0,
      options: { inlineBlocks: inlinePureBlocks, logger: { warn: () => {}, error: () => {} } },
    });
    try {
      const g = graph(
        [
          ['many', B.many, { count: 300 }],
          ['each', B.echo],
        ],
        [['many', 'item', 'each', 'value']],
      );
      const view = await h.run(g);
      expect(view.status).toBe('COMPLETED');
      const each = view.nodeExecutions.filter((n) => n.nodeId === 'each');
      expect(each.map((n) => n.outputs.out[0])).toEqual(Array.from({ length: 300 }, (_, i) => i));
      expect(view.nodeExecutions.find((n) => n.nodeId === 'many')!.outputs.item).toHaveLength(300);
      expect(sizes.length).toBeGreaterThan(1);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(200);
    } finally {
      await h.stop();
      await sqlite.dispose();
    }
  });
});
