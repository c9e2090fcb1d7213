import type { EventEnvelope, Graph } from '@agentry/kernel';
import { rebuild, rebuildFrom } from '../../src/domain/execution/integrity';
import {
  decodeValue,
  encodeValue,
  fromSnapshotState,
  SNAPSHOT_SCHEMA,
  toSnapshotState,
} from '../../src/domain/execution/snapshot';
import { draftOf, initialState, type ExecutionState } from '../../src/domain/execution/state';
import { B } from '../support/blocks';
import { graph, retry, TENANT, USER } from '../support/graphs';
import { startHarness, type Harness } from '../support/harness';
import { MemoryEventStore } from '../support/memory-event-log';

/** What a SnapshotStore does to a state: JSON out, JSON in. */
const throughJson = (state: ExecutionState): ExecutionState =>
  fromSnapshotState(JSON.parse(JSON.stringify(toSnapshotState(state))));

/**
 * For every k: the fold of the first k events survives a snapshot round trip unchanged, and folding events k+1..n
 * onto the restored snapshot gives exactly the full fold (rule 14: a snapshot is a shortcut to the same state).
 */
function checkEveryPrefix(streamId: string, events: readonly EventEnvelope[]): void {
  const full = rebuild(streamId, events);
  // A strict, order-sensitive fingerprint of every stored field (undefined kept); the derived plan indexes are
  // compared by toStrictEqual on a sample of k (deep comparisons of big states are what make this test slow).
  const fingerprint = (s: ExecutionState) => JSON.stringify(toSnapshotState(s));
  const fullPrint = fingerprint(full);
  const sample = Math.max(1, Math.floor(events.length / 40));
  let state = initialState();
  for (let k = 1; k <= events.length; k++) {
    state = rebuildFrom(streamId, state, [events[k - 1]]);
    const print = fingerprint(state);
    const restored = fromSnapshotState(JSON.parse(print));
    const deep = k % sample === 0 || k < 4 || k === events.length;
    if (deep) expect(restored).toStrictEqual(state);
    const continued = rebuildFrom(streamId, restored, events.slice(k)); // evolves `restored` in place
    if (deep) expect(continued).toStrictEqual(full);
    else expect(fingerprint(continued)).toBe(fullPrint);
  }
  expect(throughJson(full)).toStrictEqual(full);
}

describe('execution snapshots: fromSnapshotState(toSnapshotState(s)) = s, and snapshot + tail = full fold', () => {
  let h: Harness;
  let store: MemoryEventStore;
  beforeEach(() => {
    store = new MemoryEventStore();
    h = startHarness({ store, workers: 2, leaseMs: 300 });
  });
  afterEach(() => h.stop());

  const checkAllStreams = () => {
    const streams = [...store.streams.entries()].filter(([id]) => id.startsWith('execution-'));
    expect(streams.length).toBeGreaterThan(0);
    for (const [streamId, events] of streams) checkEveryPrefix(streamId, events);
    return streams;
  };

  it('dataflow graphs: zip, static backfill, a loop, dynamic pins, outputs without a value', async () => {
    const graphs: Array<[Graph, Record<string, unknown>]> = [
      [
        graph(
          [
            ['src', B.emit, { items: ['x1', 'x2'] }],
            ['pair', B.pair],
            ['out', B.output, { name: 'pairs' }],
          ],
          [
            ['src', 'item', 'pair', 'a'],
            ['src', 'key', 'pair', 'b'],
            ['pair', 'pair', 'out', 'value'],
          ],
        ),
        {},
      ],
      [
        graph(
          [
            ['in', B.input, { name: 'greeting' }],
            ['src', B.emit, { items: ['ann', 'bob', 'cy'] }],
            ['tpl', B.template, { format: '{{g}}, {{who}}' }],
            ['out', B.output, { name: 'lines' }],
          ],
          [
            ['in', 'result', 'tpl', 'values_#_g'],
            ['src', 'item', 'tpl', 'values_#_who'],
            ['tpl', 'output', 'out', 'value'],
          ],
        ),
        { greeting: 'hi' },
      ],
      [
        graph(
          [
            ['start', B.input, { name: 'n' }],
            ['dec', B.decrement],
            ['out', B.output, { name: 'done' }],
          ],
          [
            ['start', 'result', 'dec', 'n'],
            ['dec', 'next', 'dec', 'n'],
            ['dec', 'done', 'out', 'value'],
          ],
        ),
        { n: 4 },
      ],
      [
        graph(
          [
            ['d', B.dict],
            ['tpl', B.template, { format: '{{a}}-{{x}}' }],
            ['u', B.usage, { tokens: 42 }],
            ['empty', B.output, { name: 'nothing' }], // yields `undefined` on its output pin
          ],
          [
            ['d', 'obj_#_a', 'tpl', 'values_#_a'],
            ['d', 'list_$_1', 'tpl', 'values_#_x'],
          ],
        ),
        {},
      ],
    ];
    for (const [g, inputs] of graphs) expect((await h.run(g, inputs)).status).toBe('COMPLETED');
    expect(checkAllStreams()).toHaveLength(graphs.length);
  });

  it('control flow: retries, handled and unhandled failures, a review, a cancel, sub-agents and a fork', async () => {
    const flaky = await h.run(
      graph([
        ['f', B.flaky, { failUntil: 2 }, { retry: retry(3) }],
        ['out', B.output, { name: 'r' }],
      ]),
    );
    expect(flaky.status).toBe('COMPLETED');
    const failing = await h.run(
      graph(
        [
          ['bad', B.errorPin, { message: 'bad input' }],
          ['handler', B.echo],
          ['boom', B.fail, { message: 'unhandled' }],
        ],
        [['bad', 'error', 'handler', 'value']],
      ),
    );
    expect(failing.status).toBe('FAILED');

    const reviewId = await h.start(
      graph(
        [
          ['draft', B.echo, { value: { text: 'v1', $u: 1, $o: [undefined] } }],
          ['rev', B.review, { message: 'ok?' }],
          ['sent', B.output, { name: 'sent' }],
        ],
        [
          ['draft', 'out', 'rev', 'data'],
          ['rev', 'approved_data', 'sent', 'value'],
        ],
      ),
    );
    const waiting = await h.waitFor(reviewId, (v) => v.nodeExecutions.some((n) => n.status === 'REVIEW'), 'a review');
    const rev = waiting.nodeExecutions.find((n) => n.status === 'REVIEW')!;
    await h.engine.decideReview({
      tenantId: TENANT,
      executionId: reviewId,
      nodeExecId: rev.id,
      decision: 'approve',
      editedData: { text: 'v2' },
      userId: USER,
    });
    expect((await h.settled(reviewId)).status).toBe('COMPLETED');

    const slowId = await h.start(graph([['s', B.slow, { tag: 'snapshot-cancel' }]]));
    await h.waitFor(slowId, (v) => v.nodeExecutions[0]?.status === 'RUNNING', 'the block to run');
    await h.engine.cancel(TENANT, slowId, 'enough');
    expect((await h.settled(slowId)).status).toBe('TERMINATED');

    const child = graph(
      [
        ['q', B.input, { name: 'q' }],
        ['tpl', B.template, { format: 'answer to {{q}}' }],
        ['out', B.output, { name: 'answer' }],
      ],
      [
        ['q', 'result', 'tpl', 'values_#_q'],
        ['tpl', 'output', 'out', 'value'],
      ],
    );
    h.graphs.add(child);
    const parent = await h.run(
      graph(
        [
          ['agent', B.agent, { graph_id: child.id, graph_version: 1, inputs: { q: 'life' } }],
          ['out', B.output, { name: 'final' }],
        ],
        [['agent', 'answer', 'out', 'value']],
      ),
    );
    expect(parent.status).toBe('COMPLETED');

    const source = await h.run(
      graph(
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
      ),
      { who: 'hey' },
    );
    const tpl = source.nodeExecutions.find((n) => n.nodeId === 'tpl')!;
    const { executionId: forked } = await h.engine.fork(TENANT, source.id, tpl.id);
    expect((await h.settled(forked)).status).toBe('COMPLETED');

    expect(checkAllStreams().length).toBeGreaterThanOrEqual(8);
  });

  it('a fan-out of 60 items (hundreds of events, growing maps)', async () => {
    const view = await h.run(
      graph(
        [
          ['many', B.many, { count: 60 }],
          ['each', B.echo],
          ['out', B.output, { name: 'all' }],
        ],
        [
          ['many', 'item', 'each', 'value'],
          ['each', 'out', 'out', 'value'],
        ],
      ),
    );
    expect(view.status).toBe('COMPLETED');
    const [[, events]] = checkAllStreams();
    expect(events.length).toBeGreaterThan(240);
  });
});

describe('snapshot encoding', () => {
  it('keeps undefined, null and marker-like objects apart', () => {
    const values: unknown[] = [
      undefined,
      null,
      [undefined, null, 1, 'x'],
      { a: undefined, b: null, c: [undefined] },
      { $u: 1 },
      { $o: { $u: 1 } },
      { $u: undefined, $o: undefined },
      { nested: { $o: [{ $u: 2 }], deep: [[undefined]] } },
      {},
      [],
      '',
      0,
      false,
    ];
    for (const value of values)
      expect(decodeValue(JSON.parse(JSON.stringify([encodeValue(value)]))[0])).toStrictEqual(value);
  });

  it('reads maps through entries(), so a draft (overlay maps) is saved like the state it shows', async () => {
    const store = new MemoryEventStore();
    const h = startHarness({ store });
    try {
      const view = await h.run(graph([['a', B.echo, { value: 1 }]]));
      const [events] = [...store.streams.values()];
      const state = rebuild(`execution-${view.id}`, events);
      const draft = draftOf(state);
      draft.nodeExecs.set('a#1', { ...draft.nodeExecs.get('a#1')!, workerId: 'changed in the draft' });
      const restored = throughJson(draft);
      expect(restored.nodeExecs.get('a#1')!.workerId).toBe('changed in the draft');
      expect(restored.nodeExecs).toBeInstanceOf(Map);
      expect(state.nodeExecs.get('a#1')!.workerId).not.toBe('changed in the draft');
    } finally {
      await h.stop();
    }
  });

  it('rejects what is not a snapshot of this schema', () => {
    expect(SNAPSHOT_SCHEMA).toMatch(/^execution-state\/\d+$/);
    for (const bad of [
      null,
      42,
      [],
      {},
      { fields: {} },
      { fields: { status: 'WAT', version: 1 } },
      { fields: { status: 'RUNNING', version: 0 } },
    ])
      expect(() => fromSnapshotState(bad)).toThrow(/not an execution snapshot/);
    const ok = toSnapshotState(rebuildFrom('execution-x', initialState(), []));
    expect(() => fromSnapshotState(ok)).toThrow(/not an execution snapshot/); // a NEW state (version 0) is never saved
  });
});
