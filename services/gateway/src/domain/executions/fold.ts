/**
 * What a client sees of an execution, folded from its events alone (pure): the status after each event type, per
 * node execution and for the whole run. The WebSocket labels live events with it; the admin replay re-folds a whole
 * stream with it and compares the result with the state the execution service reports.
 */

/** Status a node execution shows after each event type (node events carry nodeExecId; the node id comes from NodeExecutionCreated). */
export const NODE_STATUS: Readonly<Record<string, string>> = {
  NodeExecutionCreated: 'INCOMPLETE',
  NodeInputReceived: 'INCOMPLETE',
  NodeExecutionQueued: 'QUEUED',
  NodeRetryScheduled: 'QUEUED',
  NodeLeaseExpired: 'QUEUED',
  NodeTaskLeased: 'RUNNING',
  NodeExecutionStarted: 'RUNNING',
  NodeOutputProduced: 'RUNNING',
  NodeUsageRecorded: 'RUNNING',
  NodeExecutionCompleted: 'COMPLETED',
  NodeExecutionFailed: 'FAILED',
  NodeExecutionTerminated: 'TERMINATED',
  ReviewRequested: 'REVIEW',
  ReviewDecided: 'RUNNING',
  SubExecutionStarted: 'RUNNING',
};

export const EXECUTION_STATUS: Readonly<Record<string, string>> = {
  ExecutionRequested: 'QUEUED',
  ExecutionStarted: 'RUNNING',
  ExecutionCancelRequested: 'RUNNING',
  ExecutionCompleted: 'COMPLETED',
  ExecutionFailed: 'FAILED',
  ExecutionTerminated: 'TERMINATED',
};

const FINAL = new Set(['COMPLETED', 'FAILED', 'TERMINATED']);

export interface FoldedEvent {
  type: string;
  globalPosition: number;
  data?: unknown;
}

export interface FoldedNode {
  nodeExecId: string;
  nodeId: string;
  status: string;
}

export interface FoldedExecution {
  status: string;
  events: number;
  lastPosition: number;
  nodes: FoldedNode[];
}

export function foldExecution(events: readonly FoldedEvent[]): FoldedExecution {
  let status = 'QUEUED';
  const nodes = new Map<string, FoldedNode>();
  let lastPosition = 0;
  for (const e of events) {
    lastPosition = Math.max(lastPosition, e.globalPosition);
    const d = (e.data && typeof e.data === 'object' ? e.data : {}) as { nodeExecId?: unknown; nodeId?: unknown };
    const nodeStatus = NODE_STATUS[e.type];
    if (nodeStatus && typeof d.nodeExecId === 'string') {
      const node = nodes.get(d.nodeExecId) ?? { nodeExecId: d.nodeExecId, nodeId: '', status: nodeStatus };
      if (typeof d.nodeId === 'string') node.nodeId = d.nodeId;
      // A late event (usage recorded after completion) does not reopen a finished node.
      if (!FINAL.has(node.status) || FINAL.has(nodeStatus)) node.status = nodeStatus;
      nodes.set(d.nodeExecId, node);
    }
    const runStatus = EXECUTION_STATUS[e.type];
    if (runStatus && !FINAL.has(status)) status = runStatus;
  }
  const folded = [...nodes.values()];
  if (status === 'RUNNING' && folded.some((n) => n.status === 'REVIEW')) status = 'REVIEW';
  return {
    status,
    events: events.length,
    lastPosition,
    nodes: folded.sort((a, b) => a.nodeExecId.localeCompare(b.nodeExecId)),
  };
}

/** Where a folded execution and a reported state disagree, as readable lines (empty: they agree). */
export function differences(
  folded: FoldedExecution,
  reported: { status: string; nodeExecutions: ReadonlyArray<{ id: string; nodeId: string; status: string }> },
): string[] {
  const out: string[] = [];
  if (folded.status !== reported.status) out.push(`status: replayed ${folded.status}, reported ${reported.status}`);
  const reportedNodes = new Map(reported.nodeExecutions.map((n) => [n.id, n]));
  for (const n of folded.nodes) {
    const r = reportedNodes.get(n.nodeExecId);
    if (!r) out.push(`node execution ${n.nodeExecId} (${n.nodeId}): replayed ${n.status}, not reported`);
    else if (r.status !== n.status || r.nodeId !== n.nodeId)
      out.push(`node execution ${n.nodeExecId}: replayed ${n.nodeId} ${n.status}, reported ${r.nodeId} ${r.status}`);
    reportedNodes.delete(n.nodeExecId);
  }
  for (const r of reportedNodes.values())
    out.push(`node execution ${r.id} (${r.nodeId}): reported ${r.status}, not in the events`);
  return out;
}
