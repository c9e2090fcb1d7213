import { B } from '../support/blocks';
import {
  AT,
  cancel,
  complete,
  fail,
  given,
  ofType,
  report,
  request,
  review,
  runs,
  start,
  types,
  yields,
} from '../support/decider-dsl';
import { graph } from '../support/graphs';
import type { ExecutionCommand } from '../../src/domain/execution/commands';

describe('ENGINE.md execution semantics, rules 6-10', () => {
  describe('rule 6 (failure)', () => {
    const g = graph(
      [
        ['bad', B.fail],
        ['good', B.echo, { value: 'ok' }],
        ['after', B.echo],
      ],
      [['good', 'out', 'after', 'value']],
    );

    it('a failing node does not stop other branches; the execution FAILS once nothing is active', () => {
      const h = given([request(g), start('bad#1'), start('good#1')]);
      const failed = h.when(fail('bad#1', { message: 'boom' })).events();
      expect(types(failed)).toEqual(['NodeOutputProduced', 'NodeExecutionFailed']);
      expect(failed[0]).toMatchObject({ data: { pin: 'error', value: 'boom' } });
      const rest = given([
        request(g),
        start('bad#1'),
        start('good#1'),
        fail('bad#1', { message: 'boom' }),
        runs('good#1', [['out', 'ok']]),
      ]);
      expect(rest.state.nodeExecs.get('after#1')!.status).toBe('QUEUED');
      rest
        .when(runs('after#1', [['out', 'ok']]))
        .then([
          { type: 'NodeTaskLeased' },
          { type: 'NodeExecutionStarted' },
          { type: 'NodeOutputProduced' },
          { type: 'NodeExecutionCompleted' },
          { type: 'ExecutionFailed', data: { code: 'NODE_FAILED', reason: 'node bad failed: boom' } },
        ]);
    });

    it('a failure whose error pin is linked is handled: the error value flows on and the execution COMPLETES', () => {
      const handled = graph(
        [
          ['bad', B.fail],
          ['catch', B.echo],
        ],
        [['bad', 'error', 'catch', 'value']],
      );
      const h = given([request(handled), start('bad#1')]).when(fail('bad#1', { message: 'boom' }));
      const events = h.events();
      expect(ofType(events, 'NodeExecutionFailed')[0].data.handled).toBe(true);
      expect(ofType(events, 'NodeExecutionQueued')[0].data).toMatchObject({
        nodeExecId: 'catch#1',
        input: { value: 'boom' },
      });
      const done = given([request(handled), start('bad#1'), fail('bad#1', { message: 'boom' })]).when(
        runs('catch#1', [['out', 'boom']]),
      );
      expect(done.state().status).toBe('COMPLETED');
    });

    it('yielding on the error pin fails the node like a throw', () => {
      const g2 = graph([['e', B.errorPin]]);
      given([request(g2), start('e#1')])
        .when(
          yields('e#1', [
            ['out', 'before'],
            ['error', 'bad input'],
          ]),
        )
        .then([
          { type: 'NodeOutputProduced', data: { pin: 'out', value: 'before' } },
          { type: 'NodeOutputProduced', data: { pin: 'error', value: 'bad input' } },
          { type: 'NodeExecutionFailed', data: { error: { message: 'bad input' } } },
          { type: 'ExecutionFailed' },
        ]);
    });
  });

  it('rule 7 (cancel): running and queued nodes are terminated, then the execution; later reports are refused', () => {
    const g = graph(
      [
        ['a', B.slow],
        ['b', B.slow],
        ['c', B.echo],
        ['d', B.echo],
      ],
      [['a', 'out', 'c', 'value']],
    );
    const past = [request(g), start('a#1')];
    given(past)
      .when(cancel('user asked'))
      .then([
        { type: 'ExecutionCancelRequested', data: { reason: 'user asked' } },
        { type: 'NodeExecutionTerminated', data: { nodeExecId: 'a#1' } },
        { type: 'NodeExecutionTerminated', data: { nodeExecId: 'b#1' } },
        { type: 'ExecutionTerminated', data: { reason: 'user asked' } },
      ]);
    given([...past, cancel()])
      .when(yields('a#1', [['out', 1]]))
      .thenThrows('INVALID_TRANSITION');
  });

  describe('rule 8 (human in the loop)', () => {
    const g = graph(
      [
        ['src', B.echo, { value: { draft: 'v1' } }],
        ['rev', B.review, { message: 'check it' }],
        ['ok', B.echo],
        ['no', B.echo],
      ],
      [
        ['src', 'out', 'rev', 'data'],
        ['rev', 'approved_data', 'ok', 'value'],
        ['rev', 'rejected', 'no', 'value'],
      ],
    );
    const past: ExecutionCommand[] = [request(g), runs('src#1', [['out', { draft: 'v1' }]])];

    it('a review block parks its node in REVIEW with the payload and message', () => {
      const h = given([request(g), start('src#1')]).when(
        report('src#1', { outputs: [{ pin: 'out', value: { draft: 'v1' } }], finished: { status: 'COMPLETED' } }),
      );
      expect(h.events()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            type: 'ReviewRequested',
            data: { nodeExecId: 'rev#1', payload: { draft: 'v1' }, message: 'check it', requestedAt: AT },
          }),
        ]),
      );
      expect(h.state().nodeExecs.get('rev#1')!.status).toBe('REVIEW');
      expect(h.state().status).toBe('RUNNING');
    });

    it('approve with edited data yields the edited data on approved_data', () => {
      const events = given(past)
        .when(review('rev#1', 'approve', { draft: 'v2' }))
        .events();
      expect(ofType(events, 'ReviewDecided')[0].data).toMatchObject({
        decision: 'approve',
        editedData: { draft: 'v2' },
        auto: false,
      });
      expect(ofType(events, 'NodeOutputProduced')[0].data).toMatchObject({
        pin: 'approved_data',
        value: { draft: 'v2' },
      });
      expect(ofType(events, 'NodeExecutionQueued')[0].data).toMatchObject({
        nodeExecId: 'ok#1',
        input: { value: { draft: 'v2' } },
      });
    });

    it('reject yields the payload on the rejected pin', () => {
      const events = given(past).when(review('rev#1', 'reject')).events();
      expect(ofType(events, 'NodeOutputProduced')[0].data).toMatchObject({ pin: 'rejected', value: { draft: 'v1' } });
      expect(ofType(events, 'NodeExecutionQueued')[0].data.nodeExecId).toBe('no#1');
    });

    it('deciding twice is rejected', () => {
      given([...past, review('rev#1', 'approve')])
        .when(review('rev#1', 'reject'))
        .thenThrows('INVALID_TRANSITION');
    });

    it('a graph policy can auto-approve reviews', () => {
      const events = given([request(g, {}, { autoApproveReviews: true }), start('src#1')])
        .when(runs('src#1', [['out', { draft: 'v1' }]]))
        .events();
      expect(ofType(events, 'ReviewDecided')[0].data).toMatchObject({ decision: 'approve', auto: true });
      expect(ofType(events, 'NodeExecutionCompleted').map((e) => e.data.nodeExecId)).toContain('rev#1');
    });
  });

  describe('rule 9 (sub-agents)', () => {
    const g = graph(
      [
        ['agent', B.agent, { graph_id: 'child-graph', inputs: { q: 1 } }],
        ['use', B.echo],
      ],
      [['agent', 'answer', 'use', 'value']],
    );
    const started: ExecutionCommand[] = [
      request(g),
      { type: 'StartSubExecution', data: { nodeExecId: 'agent#1', childExecutionId: 'child-1', at: AT } },
    ];

    it('the agent node starts a child execution of the graph named in its input', () => {
      given([request(g)])
        .when(started[1])
        .then([
          { type: 'NodeExecutionStarted', data: { nodeExecId: 'agent#1' } },
          {
            type: 'SubExecutionStarted',
            data: { nodeExecId: 'agent#1', childExecutionId: 'child-1', graphId: 'child-graph' },
          },
        ]);
    });

    it("the child's outputs are yielded on pins named after them", () => {
      const events = given(started)
        .when({
          type: 'FinishSubExecution',
          data: {
            nodeExecId: 'agent#1',
            childExecutionId: 'child-1',
            status: 'COMPLETED',
            outputs: [{ name: 'answer', value: 42 }],
            at: AT,
          },
        })
        .events();
      expect(ofType(events, 'NodeOutputProduced')[0].data).toMatchObject({ pin: 'answer', value: 42 });
      expect(ofType(events, 'NodeExecutionQueued')[0].data).toMatchObject({
        nodeExecId: 'use#1',
        input: { value: 42 },
      });
    });

    it("a child's failure fails the agent node", () => {
      given(started)
        .when({
          type: 'FinishSubExecution',
          data: {
            nodeExecId: 'agent#1',
            childExecutionId: 'child-1',
            status: 'FAILED',
            outputs: [],
            error: { message: 'child broke' },
            at: AT,
          },
        })
        .then([
          { type: 'NodeOutputProduced', data: { pin: 'error' } },
          { type: 'NodeExecutionFailed', data: { error: { message: 'child broke' } } },
          { type: 'ExecutionFailed' },
        ]);
    });

    it('a result from another child is refused', () => {
      given(started)
        .when({
          type: 'FinishSubExecution',
          data: { nodeExecId: 'agent#1', childExecutionId: 'other', status: 'COMPLETED', outputs: [], at: AT },
        })
        .thenThrows('INVALID_TRANSITION');
    });

    it('cancel terminates the agent node (the engine then cancels the child)', () => {
      const h = given(started).when(cancel());
      expect(h.state().nodeExecs.get('agent#1')).toMatchObject({ status: 'TERMINATED', childExecutionId: 'child-1' });
    });

    it('a runner may not run an agent node', () => {
      given([request(g)])
        .when(start('agent#1'))
        .thenThrows('INVALID_TRANSITION');
    });
  });

  it('rule 10 (outputs): execution.outputs[name] lists every value yielded by the output block', () => {
    const g = graph(
      [
        ['src', B.emit, { items: ['a', 'b'] }],
        ['out', B.output, { name: 'result' }],
      ],
      [['src', 'item', 'out', 'value']],
    );
    const past = [
      request(g),
      start('src#1'),
      yields('src#1', [
        ['item', 'a'],
        ['item', 'b'],
      ]),
      complete('src#1'),
      runs('out#1', [
        ['output', 'a'],
        ['name', 'result'],
      ]),
    ];
    const state = given(past)
      .when(
        runs('out#2', [
          ['output', 'b'],
          ['name', 'result'],
        ]),
      )
      .state();
    expect(state.outputs).toEqual({ result: ['a', 'b'] });
    expect(state.status).toBe('COMPLETED');
  });
});
