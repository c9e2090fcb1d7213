import type { GraphLink } from '@agentry/kernel';
import type { EventOf, NodeError, Usage } from './events';
import { OverlayMap } from './overlay-map';
import type { PlanNode } from './plan';

export type NodeStatus = 'INCOMPLETE' | 'QUEUED' | 'RUNNING' | 'REVIEW' | 'COMPLETED' | 'FAILED' | 'TERMINATED';
export type ExecutionStatus = 'NEW' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'TERMINATED';

export const ACTIVE_NODE_STATUSES: ReadonlySet<NodeStatus> = new Set(['QUEUED', 'RUNNING', 'REVIEW']);
export const TERMINAL_NODE_STATUSES: ReadonlySet<NodeStatus> = new Set(['COMPLETED', 'FAILED', 'TERMINATED']);
export const TERMINAL_EXECUTION_STATUSES: ReadonlySet<ExecutionStatus> = new Set(['COMPLETED', 'FAILED', 'TERMINATED']);

export interface ReviewState {
  payload: unknown;
  message?: string;
  decision?: 'approve' | 'reject';
  editedData?: unknown;
  decidedBy?: string;
  decidedAt?: string;
  auto?: boolean;
}

export interface NodeExecState {
  id: string;
  nodeId: string;
  blockId: string;
  status: NodeStatus;
  /** 0 until first queued. */
  attempt: number;
  /** Values received on input pins, by sink pin name as linked (dynamic names kept). */
  inputs: Record<string, unknown>;
  /** The merged input the node was queued with (defaults + static + received, dynamic pins folded). */
  input?: Record<string, unknown>;
  outputs: Record<string, unknown[]>;
  /** Outputs recorded for the current attempt (dedup of re-sent reports). */
  attemptOutputs: number;
  /**
   * Set when the previous attempt's lease expired: its outputs already flowed downstream, so the next attempt
   * continues the count and its re-produced leading outputs are dropped like re-sent ones (rule 13).
   */
  resumeOutputs?: boolean;
  error?: NodeError;
  errorHandled?: boolean;
  createdAt: string;
  queuedAt?: string;
  startedAt?: string;
  endedAt?: string;
  workerId?: string;
  /** Earliest dispatch (ms since epoch) of a scheduled retry. */
  notBefore?: number;
  childExecutionId?: string;
  review?: ReviewState;
}

/**
 * Execution state = fold of its events. `evolve` updates the top-level collections in place and replaces
 * node-execution records (never mutating nested values), so the decider can work on a cheap draft copy.
 */
export interface ExecutionState {
  status: ExecutionStatus;
  request?: EventOf<'ExecutionRequested'>['data'];
  /** Stream version the state reflects (number of events folded). */
  version: number;
  startedAt?: string;
  endedAt?: string;
  error?: { reason: string; code?: string };
  cancelReason?: string;
  nodes: Map<string, PlanNode>;
  linksFrom: Map<string, GraphLink[]>;
  linksTo: Map<string, GraphLink[]>;
  /** Nodes whose `error` pin is linked: their failures are handled. */
  errorLinked: Set<string>;
  nodeExecs: Map<string, NodeExecState>;
  /** How many executions each node has had (node execution ids are `<nodeId>#<n>`). */
  execCountByNode: Map<string, number>;
  /**
   * INCOMPLETE executions of each node, oldest first (rule 3 looks for the oldest one lacking an input): kept
   * apart so that input assembly does not scan every finished execution of a node that ran thousands of times.
   */
  incompleteByNode: Map<string, readonly string[]>;
  /** Last value seen on each static input of a node (rule 4). */
  staticInputs: Map<string, Record<string, unknown>>;
  outputs: Record<string, unknown[]>;
  usage: Required<Omit<Usage, 'model'>> & { nodeRuns: number };
  /** QUEUED + RUNNING + REVIEW node executions. */
  active: number;
  unhandledFailures: string[];
}

export function initialState(): ExecutionState {
  return {
    status: 'NEW',
    version: 0,
    nodes: new Map(),
    linksFrom: new Map(),
    linksTo: new Map(),
    errorLinked: new Set(),
    nodeExecs: new Map(),
    execCountByNode: new Map(),
    incompleteByNode: new Map(),
    staticInputs: new Map(),
    outputs: {},
    usage: { nodeRuns: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    active: 0,
    unhandledFailures: [],
  };
}

/** A copy the decider may evolve without touching the original: O(1), the maps are copy-on-write overlays. */
export function draftOf(state: ExecutionState): ExecutionState {
  return {
    ...state,
    nodeExecs: new OverlayMap(state.nodeExecs),
    execCountByNode: new OverlayMap(state.execCountByNode),
    incompleteByNode: new OverlayMap(state.incompleteByNode),
    staticInputs: new OverlayMap(state.staticInputs),
  };
}
