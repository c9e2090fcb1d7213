import type { EventEnvelope } from '@agentry/kernel';
import { B } from '../support/blocks';
import {
  AT,
  NOW,
  complete,
  decider,
  expireLease,
  fail,
  fork,
  given,
  history,
  makeDecider,
  ofType,
  report,
  request,
  runs,
  start,
  timeOut,
  types,
  yields,
} from '../support/decider-dsl';
import { graph, retry } from '../support/graphs';
import { rebuild } from '../../src/domain/execution/integrity';
import { fold } from '@agentry/kernel';
import type { ExecutionEvent } from '../../src/domain/execution/events';

const envelopes = (events: ExecutionEvent[], streamId = 'execution-exec-1'): EventEnvelope[] =>
  events.map((e, i) => ({
    id: `e${i}`,
    type: e.type,
    streamId,
    streamVersion: i + 1,
    globalPosition: i + 1,
    tenantId: 'tenant-1',
    occurredAt: AT,
    data: e.data,
  }));

describe('ENGINE.md execution semantics, rules 11-17', () => {
  describe('rule 11 (retries)', () => {
    const g = graph([
      [
        'f',
        B.flaky,
        { failUntil: 2 },
        { retry: retry(3, { initialIntervalMs: 100, backoffCoefficient: 2, maxIntervalMs: 150 }) },
      ],
    ]);

    it('a failed attempt under a retry policy is scheduled again with back-off, each attempt an event', () => {
      given([request(g), start('f#1')])
        .when(fail('f#1', { message: 'flaky' }))
        .then([
          {
            type: 'NodeRetryScheduled',
            data: { nodeExecId: 'f#1', attempt: 2, error: { message: 'flaky' }, notBefore: NOW + 100 },
          },
        ]);
      const second = [request(g), start('f#1'), fail('f#1', { message: 'flaky' }), start('f#1', 2)];
      given(second)
        .when(fail('f#1', { message: 'flaky' }, 2))
        .then([{ type: 'NodeRetryScheduled', data: { attempt: 3, notBefore: NOW + 150 } }]);
      const third = [...second, fail('f#1', { message: 'flaky' }, 2), start('f#1', 3)];
      given(third)
        .when(runs('f#1', [['out', 'ok']], 3))
        .thenTypes(['NodeOutputProduced', 'NodeExecutionCompleted', 'ExecutionCompleted']);
    });

    it('after maxAttempts the node fails', () => {
      const past = [
        request(g),
        start('f#1'),
        fail('f#1', { message: 'x' }),
        start('f#1', 2),
        fail('f#1', { message: 'x' }, 2),
        start('f#1', 3),
      ];
      expect(
        types(
          given(past)
            .when(fail('f#1', { message: 'x' }, 3))
            .events(),
        ),
      ).toEqual(['NodeOutputProduced', 'NodeExecutionFailed', 'ExecutionFailed']);
    });

    it('non-retryable errors (by code or flag) fail at once', () => {
      const g2 = graph([['f', B.flaky, { failUntil: 9 }, { retry: retry(5, { nonRetryableErrors: ['AUTH'] }) }]]);
      expect(
        types(
          given([request(g2), start('f#1')])
            .when(fail('f#1', { message: 'no', code: 'AUTH' }))
            .events(),
        ),
      ).toContain('NodeExecutionFailed');
      expect(
        types(
          given([request(g2), start('f#1')])
            .when(fail('f#1', { message: 'no', retryable: false }))
            .events(),
        ),
      ).toContain('NodeExecutionFailed');
    });

    it('the default retry policy does not apply to side-effecting blocks', () => {
      const d = makeDecider({ defaultRetry: retry(3) });
      const g2 = graph([
        ['f', B.fail],
        ['s', B.send],
      ]);
      const past = [request(g2), start('f#1'), start('s#1')];
      expect(
        types(
          given(past, d)
            .when(fail('f#1', { message: 'x' }))
            .events(),
        ),
      ).toEqual(['NodeRetryScheduled']);
      expect(
        types(
          given(past, d)
            .when(fail('s#1', { message: 'x' }))
            .events(),
        ),
      ).toEqual(['NodeOutputProduced', 'NodeExecutionFailed']);
    });
  });

  describe('rule 12 (timeouts and leases)', () => {
    const g = graph([['s', B.slow, {}, { timeoutMs: 1000 }]]);

    it('an expired lease re-dispatches the node as a new attempt', () => {
      given([request(g), start('s#1')])
        .when(expireLease('s#1'))
        .then([{ type: 'NodeLeaseExpired', data: { nodeExecId: 's#1', attempt: 1, nextAttempt: 2 } }]);
      const h = given([request(g), start('s#1'), expireLease('s#1')]);
      expect(h.state.nodeExecs.get('s#1')).toMatchObject({ status: 'QUEUED', attempt: 2 });
      h.when(start('s#1', 2, 'w2')).thenTypes(['NodeTaskLeased', 'NodeExecutionStarted']);
    });

    it('a task redelivered by the queue reports a higher attempt: the lost attempt is recorded, the new one starts', () => {
      given([request(g)])
        .when(start('s#1', 2, 'w2'))
        .then([
          { type: 'NodeLeaseExpired', data: { attempt: 1, nextAttempt: 2 } },
          { type: 'NodeTaskLeased', data: { attempt: 2, workerId: 'w2' } },
          { type: 'NodeExecutionStarted', data: { attempt: 2 } },
        ]);
    });

    it('outputs the lost attempt already delivered do not flow again when the next attempt re-produces them (rule 13)', () => {
      const past = [request(g), start('s#1'), report('s#1', { outputs: [{ pin: 'out', value: 1 }], outputSeq: 0 }), expireLease('s#1'), start('s#1', 2, 'w2')];
      // attempt 2 yields the same first value and then a new one: only the new one is recorded
      given(past)
        .when(report('s#1', { attempt: 2, workerId: 'w2', outputs: [{ pin: 'out', value: 1 }, { pin: 'out', value: 2 }], outputSeq: 0 }))
        .then([{ type: 'NodeOutputProduced', data: { pin: 'out', value: 2, attempt: 2 } }]);
    });

    it('the superseded runner is refused', () => {
      given([request(g), start('s#1'), expireLease('s#1'), start('s#1', 2, 'w2')])
        .when(yields('s#1', [['out', 1]], 1))
        .thenThrows('INVALID_TRANSITION');
      given([request(g), start('s#1', 1, 'w1')])
        .when(start('s#1', 1, 'w2'))
        .thenThrows('INVALID_TRANSITION');
    });

    it('a node past its timeout fails with TIMEOUT (retryable under a policy)', () => {
      given([request(g), start('s#1')])
        .when(timeOut('s#1'))
        .then([
          { type: 'NodeOutputProduced', data: { pin: 'error', value: 'timed out after 1000 ms' } },
          { type: 'NodeExecutionFailed', data: { error: { code: 'TIMEOUT' } } },
          { type: 'ExecutionFailed' },
        ]);
    });

    it('a runner lost again and again fails the node instead of looping forever', () => {
      const past = [
        request(g),
        start('s#1'),
        expireLease('s#1'),
        start('s#1', 2),
        expireLease('s#1', 2),
        start('s#1', 3),
      ];
      given(past)
        .when(expireLease('s#1', 3))
        .then([
          { type: 'NodeOutputProduced' },
          { type: 'NodeExecutionFailed', data: { error: { code: 'LEASE_EXPIRED' } } },
          { type: 'ExecutionFailed' },
        ]);
    });

    it('the per-execution deadline fails the execution', () => {
      given([request(g), start('s#1')])
        .when({ type: 'FailExecution', data: { reason: 'deadline exceeded', code: 'DEADLINE_EXCEEDED', at: AT } })
        .then([{ type: 'NodeExecutionTerminated' }, { type: 'ExecutionFailed', data: { code: 'DEADLINE_EXCEEDED' } }]);
    });
  });

  describe('rule 13 (exactly-once where it matters)', () => {
    const g = graph(
      [
        ['a', B.echo, { value: 1 }],
        ['b', B.echo],
      ],
      [['a', 'out', 'b', 'value']],
    );

    it('results are recorded in the same decision, before the downstream work they cause', () => {
      const events = given([request(g), start('a#1')])
        .when(yields('a#1', [['out', 1]]))
        .events();
      expect(types(events)).toEqual([
        'NodeOutputProduced',
        'NodeExecutionCreated',
        'NodeInputReceived',
        'NodeExecutionQueued',
      ]);
    });

    it('a replayed report of a completed node never re-runs it', () => {
      const past = [request(g), runs('a#1', [['out', 1]])];
      given(past).when(start('a#1')).thenThrows('INVALID_TRANSITION');
      given(past)
        .when(runs('a#1', [['out', 1]]))
        .thenThrows('INVALID_TRANSITION');
    });

    it('a report re-sent after a lost reply is not recorded twice (outputSeq), a gap is refused', () => {
      const past = [
        request(g),
        start('a#1'),
        report('a#1', {
          outputs: [
            { pin: 'out', value: 1 },
            { pin: 'out', value: 2 },
          ],
          outputSeq: 0,
        }),
      ];
      const again = given(past)
        .when(
          report('a#1', {
            outputs: [
              { pin: 'out', value: 2 },
              { pin: 'out', value: 3 },
            ],
            outputSeq: 1,
          }),
        )
        .events();
      expect(ofType(again, 'NodeOutputProduced').map((e) => e.data.value)).toEqual([3]);
      given(past)
        .when(report('a#1', { outputs: [{ pin: 'out', value: 9 }], outputSeq: 5 }))
        .thenThrows('INVALID_TRANSITION');
    });

    it('a duplicate "started" from the same runner is a no-op', () => {
      given([request(g), start('a#1')])
        .when(start('a#1'))
        .then([]);
    });
  });

  describe('rule 14 (rebuild from the log)', () => {
    const g = graph(
      [
        ['src', B.emit, { items: [1, 2] }],
        ['sink', B.echo],
      ],
      [['src', 'item', 'sink', 'value']],
    );
    const events = history([
      request(g),
      start('src#1'),
      yields('src#1', [
        ['item', 1],
        ['item', 2],
      ]),
      complete('src#1'),
      runs('sink#1', [['out', 1]]),
    ]);

    it('state is the fold of the events, and decisions on a rebuilt state are the same', () => {
      const rebuilt = rebuild('execution-exec-1', envelopes(events));
      expect(rebuilt.nodeExecs).toEqual(fold(decider, events).nodeExecs);
      expect(decider.decide(runs('sink#2', [['out', 2]]), rebuilt)).toEqual(
        decider.decide(runs('sink#2', [['out', 2]]), fold(decider, events)),
      );
    });

    it('decide never mutates the state it is given', () => {
      const state = fold(decider, events);
      const before = JSON.stringify([...state.nodeExecs], null, 0);
      decider.decide(runs('sink#2', [['out', 2]]), state);
      expect(JSON.stringify([...state.nodeExecs], null, 0)).toBe(before);
    });

    it('a corrupt or truncated event fails the rebuild with an error naming its position', () => {
      const bad = envelopes(events);
      bad[4] = { ...bad[4], data: null as unknown as object };
      expect(() => rebuild('execution-exec-1', bad)).toThrow(
        expect.objectContaining({ code: 'CORRUPT_EVENT', message: expect.stringContaining('stream version 5') }),
      );
      const gap = envelopes(events).filter((_, i) => i !== 3);
      expect(() => rebuild('execution-exec-1', gap)).toThrow(/stream version 4.*expected stream version 4, found 5/);
      const unknown = envelopes(events);
      unknown[2] = { ...unknown[2], type: 'Bogus' };
      expect(() => rebuild('execution-exec-1', unknown)).toThrow(/stream version 3.*unknown event type "Bogus"/);
      const dangling = envelopes(events);
      dangling[5] = { ...dangling[5], data: { ...(dangling[5].data as object), nodeExecId: 'ghost#1' } };
      expect(() => rebuild('execution-exec-1', dangling)).toThrow(/stream version 6.*does not apply/);
    });
  });

  it('rule 15 (large payloads by reference): a blob reference counts as present and travels on unchanged', () => {
    const g = graph(
      [
        ['a', B.echo, { value: 1 }],
        ['t', B.template, { format: '{{x}}' }],
      ],
      [['a', 'out', 't', 'format']],
    );
    const ref = { $blobRef: 'sha256:abc', size: 300_000 };
    const events = given([request(g), start('a#1')])
      .when(yields('a#1', [['out', ref]]))
      .events();
    expect(ofType(events, 'NodeExecutionQueued')[0].data.input).toEqual({ format: ref });
  });

  describe('rule 16 (budgets)', () => {
    it('the node-run limit fails the execution with a clear reason', () => {
      const g = graph(
        [
          ['src', B.emit, { items: [1, 2, 3] }],
          ['sink', B.echo],
        ],
        [['src', 'item', 'sink', 'value']],
      );
      const events = given([request(g, {}, { budget: { maxNodeRuns: 2 } }), start('src#1')])
        .when(
          yields('src#1', [
            ['item', 1],
            ['item', 2],
          ]),
        )
        .events();
      expect(ofType(events, 'ExecutionFailed')[0].data).toMatchObject({
        code: 'BUDGET_EXCEEDED',
        reason: 'budget exceeded: node runs limit of 2 reached',
      });
      expect(ofType(events, 'NodeExecutionTerminated').map((e) => e.data.nodeExecId)).toEqual(['src#1', 'sink#1']);
    });

    it('the token limit fails the execution once usage goes over it', () => {
      const g = graph([['u', B.usage, { tokens: 500 }]]);
      given([request(g, {}, { budget: { maxTokens: 100 } }), start('u#1')])
        .when(report('u#1', { usage: { inputTokens: 500 } }))
        .then([
          { type: 'NodeUsageRecorded' },
          { type: 'NodeExecutionTerminated' },
          {
            type: 'ExecutionFailed',
            data: { code: 'BUDGET_EXCEEDED', reason: 'budget exceeded: 500 LLM tokens used, limit 100' },
          },
        ]);
    });

    it('the cost limit too', () => {
      const g = graph([['u', B.usage, { tokens: 1 }]]);
      const events = given([request(g, {}, { budget: { maxCostUsd: 0.01 } }), start('u#1')])
        .when(report('u#1', { usage: { costUsd: 0.5 } }))
        .events();
      expect(ofType(events, 'ExecutionFailed')[0].data.reason).toMatch(/cost \$0\.5000, limit \$0\.01/);
    });
  });

  it('rule 17 (replay and fork): a fork re-runs one node with its recorded input and everything downstream', () => {
    const g = graph(
      [
        ['in', B.input, { name: 'q' }],
        ['a', B.echo],
        ['b', B.pair],
      ],
      [
        ['in', 'result', 'b', 'a'],
        ['a', 'out', 'b', 'b'],
      ],
    );
    const seed = {
      executionId: 'exec-1',
      nodeExecId: 'a#1',
      nodeId: 'a',
      input: { value: 'recorded' },
      staticInputs: { b: { a: 'Q' } },
    };
    const events = given([]).when(fork(g, seed)).events();
    expect(types(events)).toEqual([
      'ExecutionRequested',
      'ExecutionStarted',
      'NodeExecutionCreated',
      'NodeExecutionQueued',
    ]);
    expect(ofType(events, 'NodeExecutionQueued')[0].data).toMatchObject({
      nodeExecId: 'a#1',
      input: { value: 'recorded' },
    });
    // downstream uses the recorded static input of the source execution
    const next = given([fork(g, seed)])
      .when(runs('a#1', [['out', 'again']]))
      .events();
    expect(ofType(next, 'NodeExecutionQueued')[0].data.input).toEqual({ a: 'Q', b: 'again' });
  });
});
