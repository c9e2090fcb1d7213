import type { ExecutionBudget, NodeError, Trigger } from './events';
import type { ExecutionState, NodeStatus, ReviewState } from './state';

export type ExecutionViewStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'TERMINATED';

export interface NodeExecutionView {
  id: string;
  nodeId: string;
  blockId: string;
  status: NodeStatus;
  attempt: number;
  /** Merged input as queued (undefined while INCOMPLETE). */
  input?: Record<string, unknown>;
  /** Values received so far on input pins (useful for INCOMPLETE executions). */
  receivedInputs: Record<string, unknown>;
  outputs: Record<string, unknown[]>;
  error?: NodeError;
  queuedAt?: string;
  startedAt?: string;
  endedAt?: string;
  workerId?: string;
  childExecutionId?: string;
  review?: ReviewState;
}

export interface ExecutionView {
  id: string;
  tenantId: string;
  userId: string;
  graphId: string;
  graphVersion: number;
  status: ExecutionViewStatus;
  trigger: Trigger;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown[]>;
  nodeExecutions: NodeExecutionView[];
  error?: { message: string; code?: string };
  requestedAt: string;
  startedAt?: string;
  endedAt?: string;
  parentExecutionId?: string;
  parentNodeExecId?: string;
  budget: ExecutionBudget;
  usage: ExecutionState['usage'];
}

export interface ExecutionSummary {
  id: string;
  tenantId: string;
  userId: string;
  graphId: string;
  graphVersion: number;
  status: ExecutionViewStatus;
  trigger: Trigger;
  requestedAt: string;
  startedAt?: string;
  endedAt?: string;
  parentExecutionId?: string;
  error?: { message: string; code?: string };
}

export function toView(state: ExecutionState): ExecutionView {
  const r = state.request!;
  return {
    id: r.executionId,
    tenantId: r.tenantId,
    userId: r.userId,
    graphId: r.graphId,
    graphVersion: r.graphVersion,
    status: state.status === 'NEW' ? 'RUNNING' : state.status,
    trigger: r.trigger,
    inputs: r.inputs,
    outputs: state.outputs,
    nodeExecutions: [...state.nodeExecs.values()].map((e) => ({
      id: e.id,
      nodeId: e.nodeId,
      blockId: e.blockId,
      status: e.status,
      attempt: e.attempt,
      input: e.input,
      receivedInputs: e.inputs,
      outputs: e.outputs,
      error: e.error,
      queuedAt: e.queuedAt,
      startedAt: e.startedAt,
      endedAt: e.endedAt,
      workerId: e.workerId,
      childExecutionId: e.childExecutionId,
      review: e.review,
    })),
    error: state.error ? { message: state.error.reason, code: state.error.code } : undefined,
    requestedAt: r.requestedAt,
    startedAt: state.startedAt,
    endedAt: state.endedAt,
    parentExecutionId: r.parentExecutionId,
    parentNodeExecId: r.parentNodeExecId,
    budget: r.budget,
    usage: state.usage,
  };
}
