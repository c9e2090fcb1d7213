import { applyNodeEvent, outputLines, stateFromExecution, type NodeRunState } from './executionState';
import type { NodeExecutionStatus } from '../api/types';

describe('executionState', () => {
  it('counts node executions and never moves one backwards', () => {
    const state = new Map<string, NodeRunState>();
    const per = new Map<string, NodeExecutionStatus>();
    applyNodeEvent(state, per, { nodeId: 'a', nodeExecId: 'x1', status: 'QUEUED' });
    applyNodeEvent(state, per, { nodeId: 'a', nodeExecId: 'x1', status: 'COMPLETED', outputs: { out: [1] } });
    applyNodeEvent(state, per, { nodeId: 'a', nodeExecId: 'x1', status: 'RUNNING' }); // late, ignored
    expect(state.get('a')).toMatchObject({ status: 'COMPLETED', count: 1, outputs: { out: [1] } });
    applyNodeEvent(state, per, { nodeId: 'a', nodeExecId: 'x2', status: 'RUNNING' });
    expect(state.get('a')).toMatchObject({ status: 'RUNNING', count: 2 });
    applyNodeEvent(state, per, { nodeId: 'a', nodeExecId: 'x2', status: 'FAILED', error: 'boom' });
    expect(state.get('a')).toMatchObject({ status: 'FAILED', count: 2, error: 'boom' });
  });

  it('rebuilds from a fetched execution and formats outputs', () => {
    const { state } = stateFromExecution({
      id: 'e',
      graphId: 'g',
      graphVersion: 1,
      status: 'COMPLETED',
      trigger: 'manual',
      inputs: {},
      outputs: {},
      nodeExecutions: [
        { id: 'n1', nodeId: 'a', blockId: 'b', status: 'COMPLETED', attempt: 1, input: {}, outputs: {} },
      ],
    });
    expect(state.get('a')?.count).toBe(1);
    expect(outputLines({ greeting: ['Hello world!'], n: [1, { a: 2 }] })).toEqual([
      'greeting: Hello world!',
      'n: 1',
      'n: {"a":2}',
    ]);
  });
  it('keeps per-status counts over a fan-out: the card shows running while any execution runs, then completed', () => {
    const state = new Map<string, NodeRunState>();
    const per = new Map<string, NodeExecutionStatus>();
    const n = 20_000;
    for (let i = 0; i < n; i++) applyNodeEvent(state, per, { nodeId: 'b', nodeExecId: `b#${i}`, status: 'QUEUED' });
    for (let i = 0; i < n - 1; i++)
      applyNodeEvent(state, per, { nodeId: 'b', nodeExecId: `b#${i}`, status: 'COMPLETED' });
    expect(state.get('b')).toMatchObject({ status: 'QUEUED', count: n, byStatus: { QUEUED: 1, COMPLETED: n - 1 } });
    applyNodeEvent(state, per, { nodeId: 'b', nodeExecId: `b#${n - 1}`, status: 'RUNNING' });
    expect(state.get('b')?.status).toBe('RUNNING');
    applyNodeEvent(state, per, { nodeId: 'b', nodeExecId: `b#${n - 1}`, status: 'COMPLETED' });
    expect(state.get('b')).toMatchObject({
      status: 'COMPLETED',
      count: n,
      byStatus: { QUEUED: 0, RUNNING: 0, COMPLETED: n },
    });
  });
});
