import { B, observed } from '../support/blocks';
import { graph, retry, TENANT, USER } from '../support/graphs';
import { startHarness, type Harness } from '../support/harness';

describe('engine control flow (engine + block worker, in process)', () => {
  let h: Harness;
  beforeEach(() => (h = startHarness({ leaseMs: 300, workers: 2 })));
  afterEach(() => h.stop());

  const childGraph = () =>
    graph(
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

  it('sub-agent: the agent node runs a child execution and yields its outputs on pins named after them', async () => {
    const child = childGraph();
    h.graphs.add(child);
    const parent = graph(
      [
        ['agent', B.agent, { graph_id: child.id, graph_version: 1, inputs: { q: 'life' } }],
        ['out', B.output, { name: 'final' }],
      ],
      [['agent', 'answer', 'out', 'value']],
    );
    const view = await h.run(parent);
    expect(view.status).toBe('COMPLETED');
    expect(view.outputs.final).toEqual(['answer to life']);
    const childId = view.nodeExecutions.find((n) => n.nodeId === 'agent')!.childExecutionId!;
    const childView = await h.engine.get(TENANT, childId);
    expect(childView).toMatchObject({
      status: 'COMPLETED',
      trigger: 'subagent',
      parentExecutionId: view.id,
      outputs: { answer: ['answer to life'] },
    });
  });

  it('sub-agent: a child failure fails the agent node', async () => {
    const child = graph([['bad', B.fail, { message: 'child exploded' }]]);
    h.graphs.add(child);
    const parent = graph([['agent', B.agent, { graph_id: child.id }]]);
    const view = await h.run(parent);
    expect(view.status).toBe('FAILED');
    expect(view.nodeExecutions[0].error!.message).toMatch(/child exploded/);
  });

  it('cancel cascades into a running sub-agent: the child is terminated and its running block gets the AbortSignal', async () => {
    const child = graph([['wait', B.slow, { tag: 'cascade-child' }]]);
    h.graphs.add(child);
    const parent = graph([
      ['agent', B.agent, { graph_id: child.id }],
      ['sibling', B.slow, { tag: 'cascade-sibling' }],
    ]);
    const id = await h.start(parent);
    const running = await h.waitFor(
      id,
      (v) => v.nodeExecutions.some((n) => n.nodeId === 'agent' && n.childExecutionId !== undefined),
      'the child to start',
    );
    const childId = running.nodeExecutions.find((n) => n.nodeId === 'agent')!.childExecutionId!;
    await h.waitFor(childId, (v) => v.nodeExecutions.some((n) => n.status === 'RUNNING'), 'the child block to run');
    await h.engine.cancel(TENANT, id, 'stop everything');
    const parentView = await h.settled(id);
    expect(parentView.status).toBe('TERMINATED');
    expect(parentView.error).toEqual({ message: 'stop everything', code: 'TERMINATED' });
    const childView = await h.settled(childId);
    expect(childView.status).toBe('TERMINATED');
    expect(childView.nodeExecutions[0].status).toBe('TERMINATED');
    await waitUntil(() => observed.aborted.includes('cascade-child') && observed.aborted.includes('cascade-sibling'));
    await expect(h.engine.cancel(TENANT, id)).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
  });

  describe('human review', () => {
    const reviewGraph = () =>
      graph(
        [
          ['draft', B.echo, { value: { text: 'v1' } }],
          ['rev', B.review, { message: 'ok to send?' }],
          ['sent', B.output, { name: 'sent' }],
          ['dropped', B.output, { name: 'dropped' }],
        ],
        [
          ['draft', 'out', 'rev', 'data'],
          ['rev', 'approved_data', 'sent', 'value'],
          ['rev', 'rejected', 'dropped', 'value'],
        ],
      );

    it('approved with edited data: downstream gets the edited data', async () => {
      const id = await h.start(reviewGraph());
      const waiting = await h.waitFor(
        id,
        (v) => v.nodeExecutions.some((n) => n.status === 'REVIEW'),
        'a pending review',
      );
      const rev = waiting.nodeExecutions.find((n) => n.status === 'REVIEW')!;
      expect(rev.review).toMatchObject({ payload: { text: 'v1' }, message: 'ok to send?' });
      await h.engine.decideReview({
        tenantId: TENANT,
        executionId: id,
        nodeExecId: rev.id,
        decision: 'approve',
        editedData: { text: 'v2' },
        userId: USER,
      });
      const view = await h.settled(id);
      expect(view.status).toBe('COMPLETED');
      expect(view.outputs).toEqual({ sent: [{ text: 'v2' }] });
      expect(view.nodeExecutions.find((n) => n.id === rev.id)!.review).toMatchObject({
        decision: 'approve',
        decidedBy: USER,
        editedData: { text: 'v2' },
      });
    });

    it('rejected: the payload goes out on the rejected pin', async () => {
      const id = await h.start(reviewGraph());
      const waiting = await h.waitFor(
        id,
        (v) => v.nodeExecutions.some((n) => n.status === 'REVIEW'),
        'a pending review',
      );
      const rev = waiting.nodeExecutions.find((n) => n.status === 'REVIEW')!;
      await h.engine.decideReview({
        tenantId: TENANT,
        executionId: id,
        nodeExecId: rev.id,
        decision: 'reject',
        userId: USER,
        message: 'no',
      });
      const view = await h.settled(id);
      expect(view.outputs).toEqual({ dropped: [{ text: 'v1' }] });
      await expect(
        h.engine.decideReview({
          tenantId: TENANT,
          executionId: id,
          nodeExecId: rev.id,
          decision: 'approve',
          userId: USER,
        }),
      ).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    });
  });

  it('a retry policy: failing twice then succeeding, each attempt recorded, each with its own idempotency key', async () => {
    const g = graph(
      [
        ['f', B.flaky, { failUntil: 2 }, { retry: retry(3) }],
        ['out', B.output, { name: 'r' }],
      ],
      [['f', 'out', 'out', 'value']],
    );
    const view = await h.run(g);
    expect(view.status).toBe('COMPLETED');
    expect(view.outputs.r).toEqual(['ok on attempt 3']);
    const log = await h.engine.events(TENANT, view.id);
    expect(
      log.filter((e) => e.type === 'NodeRetryScheduled').map((e) => (e.data as { attempt: number }).attempt),
    ).toEqual([2, 3]);
    const keys = observed.attempts.filter((a) => a.idempotencyKey.startsWith(view.id)).map((a) => a.idempotencyKey);
    expect(keys).toEqual([`${view.id}/f#1/1`, `${view.id}/f#1/2`, `${view.id}/f#1/3`]);
  });

  it('a per-node timeout aborts the block and fails the node with TIMEOUT', async () => {
    const g = graph([['s', B.slow, { tag: 'timeout-node' }, { timeoutMs: 100 }]]);
    const view = await h.run(g);
    expect(view.status).toBe('FAILED');
    expect(view.nodeExecutions[0].error).toMatchObject({ code: 'TIMEOUT', message: 'timed out after 100 ms' });
    expect(observed.aborted).toContain('timeout-node');
  });

  it('a budget stops an execution with a clear reason', async () => {
    const g = graph(
      [
        ['u', B.usage, { tokens: 5000 }],
        ['next', B.echo],
        ['out', B.output, { name: 'x' }],
      ],
      [
        ['u', 'out', 'next', 'value'],
        ['next', 'out', 'out', 'value'],
      ],
    );
    const view = await h.run(g, {}, { budget: { maxTokens: 1000 } });
    expect(view.status).toBe('FAILED');
    expect(view.error).toEqual({
      code: 'BUDGET_EXCEEDED',
      message: 'budget exceeded: 5000 LLM tokens used, limit 1000',
    });
    expect(view.outputs).toEqual({});

    const loop = graph(
      [
        ['start', B.input, { name: 'n' }],
        ['dec', B.decrement],
      ],
      [
        ['start', 'result', 'dec', 'n'],
        ['dec', 'next', 'dec', 'n'],
      ],
    );
    const runaway = await h.run(loop, { n: 1_000_000 }, { budget: { maxNodeRuns: 10 } });
    expect(runaway.status).toBe('FAILED');
    expect(runaway.error).toEqual({
      code: 'BUDGET_EXCEEDED',
      message: 'budget exceeded: node runs limit of 10 reached',
    });
    expect(runaway.usage.nodeRuns).toBe(10);
  });
});

describe('per-tenant budget (rule 16)', () => {
  it('a tenant over its token budget has its running execution failed and new ones refused', async () => {
    const h = startHarness({
      options: {
        tenantBudget: (tenantId) => (tenantId === TENANT ? { maxTokens: 1000 } : undefined),
        logger: { warn: () => {}, error: () => {} },
      },
    });
    try {
      const g = graph(
        [
          ['u', B.usage, { tokens: 1500 }],
          ['later', B.slow, { tag: 'tenant-budget' }],
        ],
        [['u', 'out', 'later', 'value']],
      );
      const view = await h.run(g);
      expect(view).toMatchObject({
        status: 'FAILED',
        error: { code: 'BUDGET_EXCEEDED', message: 'tenant budget exceeded: 1500 LLM tokens, limit 1000' },
      });
      await expect(h.start(g)).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    } finally {
      await h.stop();
    }
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
