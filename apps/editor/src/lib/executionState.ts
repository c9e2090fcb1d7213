/** Live run state per node, folded from execution events. Pure reducer; the store adds batching. */
import type { Execution, NodeExecutionEventData, NodeExecutionStatus } from '../api/types';

export interface NodeRunState {
  status: NodeExecutionStatus;
  /** Number of node executions seen for this node. */
  count: number;
  execIds: string[];
  /** Outputs by pin, accumulated over this node's executions. */
  outputs: Record<string, unknown[]>;
  error?: string;
}

export type RunState = ReadonlyMap<string, NodeRunState>;

export const TERMINAL_NODE: ReadonlySet<NodeExecutionStatus> = new Set(['COMPLETED', 'FAILED', 'TERMINATED']);

const RANK: Record<NodeExecutionStatus, number> = {
  INCOMPLETE: 0,
  QUEUED: 1,
  RUNNING: 2,
  REVIEW: 3,
  COMPLETED: 4,
  FAILED: 4,
  TERMINATED: 4,
};

/**
 * Fold one node execution event. Per node execution a status only moves forward, so a replayed or
 * reordered event never turns a COMPLETED node back to RUNNING.
 */
export function applyNodeEvent(
  state: Map<string, NodeRunState>,
  perExec: Map<string, NodeExecutionStatus>,
  ev: NodeExecutionEventData,
): void {
  const prevExec = perExec.get(ev.nodeExecId);
  if (prevExec && RANK[prevExec] > RANK[ev.status]) return;
  perExec.set(ev.nodeExecId, ev.status);
  const prev = state.get(ev.nodeId);
  const isNew = !prev?.execIds.includes(ev.nodeExecId);
  const outputs = { ...(prev?.outputs ?? {}) };
  if (ev.outputs) for (const [pin, vals] of Object.entries(ev.outputs)) outputs[pin] = mergeOutputs(outputs[pin], vals);
  state.set(ev.nodeId, {
    status: aggregateStatus(prev, ev.nodeExecId, ev.status, perExec),
    count: (prev?.count ?? 0) + (isNew ? 1 : 0),
    execIds: isNew ? [...(prev?.execIds ?? []), ev.nodeExecId] : prev!.execIds,
    outputs,
    error: ev.error ?? prev?.error,
  });
}

function mergeOutputs(prev: unknown[] | undefined, next: unknown[]): unknown[] {
  // Events may carry a node execution's full output list or only the new values; keep the longer view.
  if (!prev) return next;
  return next.length >= prev.length ? next : prev;
}

/** The node shows its most "active" execution: anything running wins over finished ones. */
function aggregateStatus(
  prev: NodeRunState | undefined,
  execId: string,
  status: NodeExecutionStatus,
  perExec: Map<string, NodeExecutionStatus>,
): NodeExecutionStatus {
  const ids = prev?.execIds.includes(execId) ? prev.execIds : [...(prev?.execIds ?? []), execId];
  const statuses = ids.map((id) => perExec.get(id) ?? status);
  for (const s of ['REVIEW', 'RUNNING', 'QUEUED'] as const) if (statuses.includes(s)) return s;
  if (statuses.includes('FAILED')) return 'FAILED';
  if (statuses.includes('TERMINATED')) return 'TERMINATED';
  return status;
}

/** Rebuild node states from a fetched execution (history view, or catch-up after a reconnect). */
export function stateFromExecution(exec: Execution): {
  state: Map<string, NodeRunState>;
  perExec: Map<string, NodeExecutionStatus>;
} {
  const state = new Map<string, NodeRunState>();
  const perExec = new Map<string, NodeExecutionStatus>();
  for (const ne of exec.nodeExecutions ?? []) {
    applyNodeEvent(state, perExec, {
      nodeId: ne.nodeId,
      nodeExecId: ne.id,
      status: ne.status,
      outputs: ne.outputs,
      error: ne.error,
    });
  }
  return { state, perExec };
}

export function formatValue(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** Output panel lines like `greeting: Hello world!`. */
export function outputLines(outputs: Record<string, unknown[]> | undefined): string[] {
  if (!outputs) return [];
  return Object.entries(outputs).flatMap(([name, values]) => (values ?? []).map((v) => `${name}: ${formatValue(v)}`));
}
