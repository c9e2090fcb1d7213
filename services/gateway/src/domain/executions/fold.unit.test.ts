import { differences, foldExecution, type FoldedEvent } from './fold';

let position = 0;
const e = (type: string, data: Record<string, unknown> = {}): FoldedEvent => ({
  type,
  globalPosition: ++position,
  data,
});

describe('foldExecution', () => {
  const run = [
    e('ExecutionRequested', { graphId: 'g' }),
    e('ExecutionStarted'),
    e('NodeExecutionCreated', { nodeExecId: 'n1', nodeId: 'in' }),
    e('NodeExecutionQueued', { nodeExecId: 'n1', attempt: 1 }),
    e('NodeExecutionStarted', { nodeExecId: 'n1', attempt: 1 }),
    e('NodeExecutionCompleted', { nodeExecId: 'n1', attempt: 1 }),
    e('NodeUsageRecorded', { nodeExecId: 'n1', attempt: 1 }),
    e('NodeExecutionCreated', { nodeExecId: 'n2', nodeId: 'out' }),
    e('NodeExecutionFailed', { nodeExecId: 'n2', attempt: 1 }),
    e('ExecutionFailed', { reason: 'boom' }),
    e('ExecutionCancelRequested'),
  ];

  it('folds run and node statuses; a late event neither reopens a finished node nor a finished run', () => {
    expect(foldExecution(run)).toEqual({
      status: 'FAILED',
      events: run.length,
      lastPosition: run[run.length - 1].globalPosition,
      nodes: [
        { nodeExecId: 'n1', nodeId: 'in', status: 'COMPLETED' },
        { nodeExecId: 'n2', nodeId: 'out', status: 'FAILED' },
      ],
    });
  });

  it('shows a running execution with a node waiting for review as REVIEW', () => {
    const waiting = [
      e('ExecutionRequested'),
      e('ExecutionStarted'),
      e('NodeExecutionCreated', { nodeExecId: 'r', nodeId: 'review' }),
      e('ReviewRequested', { nodeExecId: 'r' }),
    ];
    expect(foldExecution(waiting).status).toBe('REVIEW');
  });

  it('lists every disagreement with a reported state, and none when they agree', () => {
    const folded = foldExecution(run);
    const agreeing = {
      status: 'FAILED',
      nodeExecutions: [
        { id: 'n1', nodeId: 'in', status: 'COMPLETED' },
        { id: 'n2', nodeId: 'out', status: 'FAILED' },
      ],
    };
    expect(differences(folded, agreeing)).toEqual([]);
    expect(
      differences(folded, {
        status: 'COMPLETED',
        nodeExecutions: [
          { id: 'n1', nodeId: 'in', status: 'RUNNING' },
          { id: 'n9', nodeId: 'x', status: 'QUEUED' },
        ],
      }),
    ).toEqual([
      'status: replayed FAILED, reported COMPLETED',
      'node execution n1: replayed in COMPLETED, reported in RUNNING',
      'node execution n2 (out): replayed FAILED, not reported',
      'node execution n9 (x): reported QUEUED, not in the events',
    ]);
  });
});
