/** Live run state per node, folded from execution events. Pure reducer; the store adds batching. */
import type { Execution, NodeExecutionEventData, NodeExecutionStatus } from '../api/types';

export interface NodeRunState {
  status: NodeExecutionStatus;
  /** Number of node executions seen for this node. */
  count: number;
  /** This node's executions per status: the card's status is derived from it in O(1) per event. */
  byStatus: Readonly<Partial<Record<NodeExecutionStatus, number>>>;
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
 * Fold one node execution event in O(1) (a fan-out sends thousands per node). Per node execution a status only
 * moves forward, so a replayed or reordered event never turns a COMPLETED node back to RUNNING. `perExec` holds
 * every node execution seen, so it also tells whether this one is new.
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
  const byStatus: Partial<Record<NodeExecutionStatus, number>> = { ...(prev?.byStatus ?? {}) };
  if (prevExec) byStatus[prevExec] = Math.max(0, (byStatus[prevExec] ?? 0) - 1);
  byStatus[ev.status] = (byStatus[ev.status] ?? 0) + 1;
  const outputs = { ...(prev?.outputs ?? {}) };
  if (ev.outputs) for (const [pin, vals] of Object.entries(ev.outputs)) outputs[pin] = mergeOutputs(outputs[pin], vals);
  state.set(ev.nodeId, {
    status: aggregateStatus(byStatus, ev.status),
    count: (prev?.count ?? 0) + (prevExec === undefined ? 1 : 0),
    byStatus,
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
  byStatus: Partial<Record<NodeExecutionStatus, number>>,
  latest: NodeExecutionStatus,
): NodeExecutionStatus {
  for (const s of ['REVIEW', 'RUNNING', 'QUEUED', 'FAILED', 'TERMINATED'] as const)
    if ((byStatus[s] ?? 0) > 0) return s;
  return latest;
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
