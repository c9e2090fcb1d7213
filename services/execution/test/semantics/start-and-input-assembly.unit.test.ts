import { B } from '../support/blocks';
import {
  AT,
  complete,
  given,
  history,
  ofType,
  report,
  request,
  review,
  runs,
  start,
  yields,
} from '../support/decider-dsl';
import { graph } from '../support/graphs';

describe('ENGINE.md execution semantics, rules 1-5', () => {
  it('rule 1 (start): input nodes receive inputs[name]; nodes without inbound links are queued with their defaults; linked nodes wait', () => {
    const g = graph(
      [
        ['in', B.input, { name: 'topic' }],
        ['const', B.echo, { value: 42 }],
        ['sink', B.pair],
      ],
      [
        ['in', 'result', 'sink', 'a'],
        ['const', 'out', 'sink', 'b'],
      ],
    );
    given([])
      .when(request(g, { topic: 'cats' }))
      .then([
        { type: 'ExecutionRequested', data: { graphId: g.id, inputs: { topic: 'cats' }, trigger: 'manual' } },
        { type: 'ExecutionStarted', data: { startedAt: AT } },
        { type: 'NodeExecutionCreated', data: { nodeExecId: 'in#1', nodeId: 'in' } },
        { type: 'NodeInputReceived', data: { nodeExecId: 'in#1', name: 'value', value: 'cats' } },
        {
          type: 'NodeExecutionQueued',
          data: { nodeExecId: 'in#1', attempt: 1, input: { name: 'topic', value: 'cats' } },
        },
        { type: 'NodeExecutionCreated', data: { nodeExecId: 'const#1', nodeId: 'const' } },
        { type: 'NodeExecutionQueued', data: { nodeExecId: 'const#1', attempt: 1, input: { value: 42 } } },
      ]);
  });

  it('rule 1 (start): a graph with nothing runnable completes at once', () => {
    const g = graph([['sink', B.pair]], []);
    given([])
      .when(request(g))
      .thenTypes(['ExecutionRequested', 'ExecutionStarted', 'NodeExecutionCreated', 'ExecutionCompleted']);
  });

  describe('rule 2 (node execution records): INCOMPLETE -> QUEUED -> RUNNING -> (REVIEW) -> COMPLETED | FAILED | TERMINATED, nothing else', () => {
    const g = graph([['a', B.echo, { value: 1 }]]);

    it('walks the legal path', () => {
      const events = history([request(g), start('a#1'), yields('a#1', [['out', 1]]), complete('a#1')]);
      expect(events.map((e) => e.type)).toEqual([
        'ExecutionRequested',
        'ExecutionStarted',
        'NodeExecutionCreated',
        'NodeExecutionQueued',
        'NodeTaskLeased',
        'NodeExecutionStarted',
        'NodeOutputProduced',
        'NodeExecutionCompleted',
        'ExecutionCompleted',
      ]);
    });

    it('rejects completing a node twice', () => {
      const g2 = graph([
        ['a', B.echo, { value: 1 }],
        ['b', B.slow],
      ]);
      given([request(g2), start('b#1'), runs('a#1', [['out', 1]])])
        .when(complete('a#1'))
        .thenThrows('INVALID_TRANSITION');
    });

    it('rejects outputs from a node that was never started', () => {
      given([request(g)])
        .when(yields('a#1', [['out', 1]]))
        .thenThrows('INVALID_TRANSITION');
    });

    it('rejects a report for a node execution that does not exist', () => {
      given([request(g)])
        .when(start('nope#1'))
        .thenThrows('NOT_FOUND');
    });

    it('rejects approving a review that does not exist', () => {
      const g2 = graph([['a', B.slow]]);
      given([request(g2), start('a#1')])
        .when(review('a#1', 'approve'))
        .thenThrows('INVALID_TRANSITION');
      given([request(g2), start('a#1')])
        .when(review('zzz#1', 'approve'))
        .thenThrows('NOT_FOUND');
    });

    it('rejects cancelling a finished execution, and any command on it', () => {
      const done = [request(g), runs('a#1', [['out', 1]])];
      given(done)
        .when({ type: 'CancelExecution', data: { at: AT } })
        .thenThrows('INVALID_TRANSITION');
      given(done).when(start('a#1')).thenThrows('INVALID_TRANSITION');
    });

    it('rejects requesting the same execution twice', () => {
      given([request(g)])
        .when(request(g))
        .thenThrows('ALREADY_EXISTS');
    });
  });

  it('rule 3 (input assembly): two yields on one pin pair up in order with two yields on another pin (zip)', () => {
    const g = graph(
      [
        ['src', B.emit, { items: ['x1', 'x2'] }],
        ['sink', B.pair],
      ],
      [
        ['src', 'item', 'sink', 'a'],
        ['src', 'key', 'sink', 'b'],
      ],
    );
    const events = given([request(g), start('src#1')])
      .when(
        yields('src#1', [
          ['item', 'x1'],
          ['item', 'x2'],
          ['key', 0],
          ['key', 1],
        ]),
      )
      .events();
    const queued = ofType(events, 'NodeExecutionQueued').map((e) => [e.data.nodeExecId, e.data.input]);
    expect(queued).toEqual([
      ['sink#1', { a: 'x1', b: 0 }],
      ['sink#2', { a: 'x2', b: 1 }],
    ]);
  });

  it('rule 3 (input assembly): a value goes to the OLDEST incomplete execution lacking that pin', () => {
    const g = graph(
      [
        ['p', B.emit, { items: [] }],
        ['q', B.emit, { items: [] }],
        ['sink', B.pair],
      ],
      [
        ['p', 'item', 'sink', 'a'],
        ['q', 'item', 'sink', 'b'],
      ],
    );
    const past = [
      request(g),
      start('p#1'),
      yields('p#1', [
        ['item', 'a1'],
        ['item', 'a2'],
        ['item', 'a3'],
      ]),
      start('q#1'),
    ];
    const events = given(past)
      .when(yields('q#1', [['item', 'b1']]))
      .events();
    expect(ofType(events, 'NodeInputReceived').map((e) => e.data.nodeExecId)).toEqual(['sink#1']);
    expect(ofType(events, 'NodeExecutionQueued')[0].data).toMatchObject({
      nodeExecId: 'sink#1',
      input: { a: 'a1', b: 'b1' },
    });
  });

  it('rule 4 (static links): the last value backfills every later execution; a node missing only static inputs waits for them once', () => {
    const g = graph(
      [
        ['cfg', B.echo, { value: 'C' }],
        ['data', B.emit, { items: [] }],
        ['sink', B.pair],
      ],
      [
        ['cfg', 'out', 'sink', 'a', true],
        ['data', 'item', 'sink', 'b'],
      ],
    );
    // data yields first: the sink waits for its static input
    const past = [
      request(g),
      start('data#1'),
      yields('data#1', [
        ['item', 1],
        ['item', 2],
      ]),
    ];
    const h = given(past);
    expect([...h.state.nodeExecs.values()].filter((e) => e.nodeId === 'sink').map((e) => e.status)).toEqual([
      'INCOMPLETE',
      'INCOMPLETE',
    ]);
    // the static value arrives once and completes both waiting executions
    const events = h.when(runs('cfg#1', [['out', 'C']])).events();
    expect(ofType(events, 'NodeExecutionQueued').map((e) => e.data.input)).toEqual([
      { a: 'C', b: 1 },
      { a: 'C', b: 2 },
    ]);
    // later executions are backfilled from the kept value
    const later = given([...past, runs('cfg#1', [['out', 'C']])])
      .when(yields('data#1', [['item', 3]]))
      .events();
    expect(ofType(later, 'NodeExecutionQueued').map((e) => e.data.input)).toEqual([{ a: 'C', b: 3 }]);
  });

  it('rule 4 (static links): a block with staticOutput makes all its links static (graph inputs feed every loop round)', () => {
    const g = graph(
      [
        ['in', B.input, { name: 'who' }],
        ['data', B.emit, { items: [] }],
        ['sink', B.pair],
      ],
      [
        ['in', 'result', 'sink', 'a'],
        ['data', 'item', 'sink', 'b'],
      ],
    );
    const past = [request(g, { who: 'W' }), runs('in#1', [['result', 'W']]), start('data#1')];
    const events = given(past)
      .when(
        yields('data#1', [
          ['item', 1],
          ['item', 2],
        ]),
      )
      .events();
    expect(ofType(events, 'NodeExecutionQueued').map((e) => e.data.input)).toEqual([
      { a: 'W', b: 1 },
      { a: 'W', b: 2 },
    ]);
  });

  describe('rule 5 (runnable)', () => {
    it('a node missing a required input stays INCOMPLETE and does not block completion', () => {
      const g = graph(
        [
          ['a', B.echo, { value: 1 }],
          ['t', B.template],
        ],
        [['a', 'out', 't', 'values_#_x']],
      );
      const h = given([request(g), start('a#1')]).when(
        report('a#1', { outputs: [{ pin: 'out', value: 1 }], finished: { status: 'COMPLETED' } }),
      );
      const events = h.events();
      expect(events.map((e) => e.type)).toEqual([
        'NodeOutputProduced',
        'NodeExecutionCreated',
        'NodeInputReceived',
        'NodeExecutionCompleted',
        'ExecutionCompleted',
      ]);
      expect(h.state().nodeExecs.get('t#1')!.status).toBe('INCOMPLETE');
    });

    it('a merged input that fails the block input schema is not runnable', () => {
      const g = graph(
        [
          ['a', B.echo, { value: 'not a number' }],
          ['d', B.decrement],
        ],
        [['a', 'out', 'd', 'n']],
      );
      const h = given([request(g), start('a#1')]).when(runs('a#1', [['out', 'not a number']]));
      expect(h.state().nodeExecs.get('d#1')!.status).toBe('INCOMPLETE');
      expect(h.state().status).toBe('COMPLETED');
    });

    it('required inputs may be satisfied by defaults; linked inputs must all be present', () => {
      const g = graph(
        [
          ['a', B.echo, { value: 'A' }],
          ['p', B.pair, { b: 'default b' }],
        ],
        [['a', 'out', 'p', 'a']],
      );
      const events = given([request(g), start('a#1')])
        .when(yields('a#1', [['out', 'A']]))
        .events();
      expect(ofType(events, 'NodeExecutionQueued')[0].data.input).toEqual({ a: 'A', b: 'default b' });
    });
  });
});
