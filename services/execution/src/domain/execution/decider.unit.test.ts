import { fold } from '@agentry/kernel';
import { createExecutionDecider, requiredFieldsOnly } from './decider';
import type { ExecutionCommand } from './commands';
import type { ExecutionEvent } from './events';
import type { ExecutionPlan } from './plan';

/** Decider basics with a hand-written plan (the conformance suite in test/semantics covers ENGINE.md rule by rule). */
const AT = '2026-01-01T00:00:00.000Z';
const schema = (required: string[] = []) => ({ type: 'object', properties: {}, required });
const plan: ExecutionPlan = {
  nodes: [
    {
      id: 'a',
      blockId: 'echo',
      kind: 'standard',
      inputDefault: { value: 1 },
      staticOutput: false,
      sideEffects: false,
      inputSchema: schema(['value']),
    },
    {
      id: 'b',
      blockId: 'echo',
      kind: 'standard',
      inputDefault: {},
      staticOutput: false,
      sideEffects: false,
      inputSchema: schema(['value']),
    },
  ],
  links: [{ id: 'l1', sourceId: 'a', sourceName: 'out', sinkId: 'b', sinkName: 'value', isStatic: false }],
};
const decider = createExecutionDecider({ validateInput: requiredFieldsOnly });
const requestCmd: ExecutionCommand = {
  type: 'RequestExecution',
  data: {
    executionId: 'x',
    tenantId: 't',
    userId: 'u',
    graphId: 'g',
    graphVersion: 1,
    inputs: {},
    trigger: 'api',
    plan,
    at: AT,
  },
};
const report = (
  nodeExecId: string,
  data: Partial<Extract<ExecutionCommand, { type: 'ReportNodeProgress' }>['data']>,
): ExecutionCommand => ({
  type: 'ReportNodeProgress',
  data: { nodeExecId, attempt: 1, workerId: 'w', nowMs: 0, at: AT, ...data },
});

function given(events: ExecutionEvent[]) {
  const state = fold(decider, events);
  return {
    when: (command: ExecutionCommand) => ({
      then: (expected: Array<{ type: ExecutionEvent['type']; data?: Record<string, unknown> }>) =>
        expect(decider.decide(command, state)).toMatchObject(expected),
      thenThrows: (code: string) =>
        expect(() => decider.decide(command, state)).toThrow(expect.objectContaining({ code })),
    }),
  };
}

describe('execution decider', () => {
  const requested = decider.decide(requestCmd, decider.initialState());
  const started = [...requested, ...decider.decide(report('a#1', { started: true }), fold(decider, requested))];

  it('starts an execution: requested, started, root node created and queued with its defaults', () => {
    given([])
      .when(requestCmd)
      .then([
        {
          type: 'ExecutionRequested',
          data: { executionId: 'x', trigger: 'api', budget: {}, autoApproveReviews: false },
        },
        { type: 'ExecutionStarted' },
        { type: 'NodeExecutionCreated', data: { nodeExecId: 'a#1', nodeId: 'a' } },
        { type: 'NodeExecutionQueued', data: { nodeExecId: 'a#1', attempt: 1, input: { value: 1 } } },
      ]);
  });

  it('a report with outputs and the end of the node produces everything in one decision', () => {
    given(started)
      .when(report('a#1', { outputs: [{ pin: 'out', value: 7 }], finished: { status: 'COMPLETED' } }))
      .then([
        { type: 'NodeOutputProduced', data: { nodeExecId: 'a#1', pin: 'out', value: 7 } },
        { type: 'NodeExecutionCreated', data: { nodeExecId: 'b#1' } },
        { type: 'NodeInputReceived', data: { nodeExecId: 'b#1', name: 'value', value: 7, fromNodeExecId: 'a#1' } },
        { type: 'NodeExecutionQueued', data: { nodeExecId: 'b#1', input: { value: 7 } } },
        { type: 'NodeExecutionCompleted', data: { nodeExecId: 'a#1' } },
      ]);
  });

  it('illegal commands throw and produce nothing', () => {
    given([])
      .when(report('a#1', { started: true }))
      .thenThrows('NOT_FOUND');
    given(requested)
      .when(report('a#1', { finished: { status: 'COMPLETED' } }))
      .thenThrows('INVALID_TRANSITION');
    given(started)
      .when(report('a#1', { attempt: 0, finished: { status: 'COMPLETED' } }))
      .thenThrows('INVALID_TRANSITION');
    given(started)
      .when({ type: 'DecideReview', data: { nodeExecId: 'a#1', decision: 'approve', userId: 'u', at: AT } })
      .thenThrows('INVALID_TRANSITION');
  });

  it('evolve keeps counters consistent with node statuses', () => {
    const state = fold(decider, started);
    expect(state.active).toBe(1);
    expect(state.usage.nodeRuns).toBe(1);
    expect(state.version).toBe(started.length);
  });
});
