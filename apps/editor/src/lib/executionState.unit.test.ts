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
});
