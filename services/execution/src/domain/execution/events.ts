import type { ExecutionPlan } from './plan';

export type Trigger = 'manual' | 'schedule' | 'webhook' | 'api' | 'subagent';

/** Per-execution limits (rule 16). Omitted fields are unlimited. */
export interface ExecutionBudget {
  /** Node attempts dispatched (retries and re-dispatches count). */
  maxNodeRuns?: number;
  maxTokens?: number;
  maxCostUsd?: number;
  /** Wall-clock deadline from the start, enforced by the engine's tick. */
  maxDurationMs?: number;
}

export interface NodeError {
  message: string;
  code?: string;
  retryable?: boolean;
}

export interface Usage {
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
}

/** Re-run from one node with its recorded input (rule 17). */
export interface ForkSeed {
  executionId: string;
  nodeExecId: string;
  nodeId: string;
  input: Record<string, unknown>;
  staticInputs: Record<string, Record<string, unknown>>;
}

export type ExecutionEvent =
  | {
      type: 'ExecutionRequested';
      data: {
        executionId: string;
        tenantId: string;
        userId: string;
        graphId: string;
        graphVersion: number;
        inputs: Record<string, unknown>;
        trigger: Trigger;
        parentExecutionId?: string;
        parentNodeExecId?: string;
        budget: ExecutionBudget;
        autoApproveReviews: boolean;
        plan: ExecutionPlan;
        forkOf?: ForkSeed;
        requestedAt: string;
      };
    }
  | { type: 'ExecutionStarted'; data: { startedAt: string } }
  | { type: 'NodeExecutionCreated'; data: { nodeExecId: string; nodeId: string; blockId: string; createdAt: string } }
  /** An input pin value for one node execution; `isStatic` values are also kept to backfill later executions (rule 4). */
  | {
      type: 'NodeInputReceived';
      data: { nodeExecId: string; name: string; value: unknown; isStatic: boolean; fromNodeExecId?: string };
    }
  | {
      type: 'NodeExecutionQueued';
      data: { nodeExecId: string; attempt: number; input: Record<string, unknown>; queuedAt: string };
    }
  | { type: 'NodeTaskLeased'; data: { nodeExecId: string; attempt: number; workerId: string; leasedAt: string } }
  | { type: 'NodeExecutionStarted'; data: { nodeExecId: string; attempt: number; startedAt: string } }
  | {
      type: 'NodeOutputProduced';
      data: { nodeExecId: string; attempt: number; pin: string; value: unknown; producedAt: string };
    }
  | { type: 'NodeUsageRecorded'; data: { nodeExecId: string; attempt: number; usage: Usage } }
  | { type: 'NodeExecutionCompleted'; data: { nodeExecId: string; attempt: number; endedAt: string } }
  /** `handled`: the node's `error` pin is linked, so the failure does not fail the execution (rule 6). */
  | {
      type: 'NodeExecutionFailed';
      data: { nodeExecId: string; attempt: number; error: NodeError; handled: boolean; endedAt: string };
    }
  /** Back to QUEUED as `attempt`, not before `notBefore` (ms since epoch). */
  | {
      type: 'NodeRetryScheduled';
      data: { nodeExecId: string; attempt: number; error: NodeError; notBefore: number; scheduledAt: string };
    }
  /** The runner holding `attempt` is gone (lease expired or taken over): back to QUEUED as `nextAttempt` (rule 12). */
  | { type: 'NodeLeaseExpired'; data: { nodeExecId: string; attempt: number; nextAttempt: number; expiredAt: string } }
  | { type: 'NodeExecutionTerminated'; data: { nodeExecId: string; reason: string; endedAt: string } }
  | { type: 'ReviewRequested'; data: { nodeExecId: string; payload: unknown; message?: string; requestedAt: string } }
  | {
      type: 'ReviewDecided';
      data: {
        nodeExecId: string;
        decision: 'approve' | 'reject';
        editedData?: unknown;
        userId: string;
        message?: string;
        auto: boolean;
        decidedAt: string;
      };
    }
  | {
      type: 'SubExecutionStarted';
      data: { nodeExecId: string; childExecutionId: string; graphId: string; graphVersion?: number; startedAt: string };
    }
  | { type: 'ExecutionCancelRequested'; data: { reason: string; requestedAt: string } }
  | { type: 'ExecutionCompleted'; data: { endedAt: string } }
  | { type: 'ExecutionFailed'; data: { reason: string; code?: string; endedAt: string } }
  | { type: 'ExecutionTerminated'; data: { reason: string; endedAt: string } };

export type ExecutionEventType = ExecutionEvent['type'];
export type EventOf<T extends ExecutionEventType> = Extract<ExecutionEvent, { type: T }>;

export const EXECUTION_EVENT_TYPES: readonly ExecutionEventType[] = [
  'ExecutionRequested',
  'ExecutionStarted',
  'NodeExecutionCreated',
  'NodeInputReceived',
  'NodeExecutionQueued',
  'NodeTaskLeased',
  'NodeExecutionStarted',
  'NodeOutputProduced',
  'NodeUsageRecorded',
  'NodeExecutionCompleted',
  'NodeExecutionFailed',
  'NodeRetryScheduled',
  'NodeLeaseExpired',
  'NodeExecutionTerminated',
  'ReviewRequested',
  'ReviewDecided',
  'SubExecutionStarted',
  'ExecutionCancelRequested',
  'ExecutionCompleted',
  'ExecutionFailed',
  'ExecutionTerminated',
];
