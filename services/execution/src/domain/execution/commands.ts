import type { ExecutionBudget, ForkSeed, NodeError, Trigger, Usage } from './events';
import type { ExecutionPlan } from './plan';

/** Every command carries its time (`at`, ISO-8601) and any new ids: the decider has no clock and no randomness. */
export type ExecutionCommand =
  | {
      type: 'RequestExecution';
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
        budget?: ExecutionBudget;
        autoApproveReviews?: boolean;
        plan: ExecutionPlan;
        forkOf?: ForkSeed;
        at: string;
      };
    }
  /**
   * What a block-runner reports about one attempt, in one command so that all its events land in one append:
   * `started`, then outputs in yield order, usage, and at most one `finished`.
   */
  | {
      type: 'ReportNodeProgress';
      data: {
        nodeExecId: string;
        attempt: number;
        workerId: string;
        started?: boolean;
        outputs?: Array<{ pin: string; value: unknown }>;
        /**
         * How many outputs of this attempt the runner sent before `outputs[0]`. When given, outputs the
         * engine already recorded are skipped, so a report re-sent after a lost reply is not recorded twice.
         */
        outputSeq?: number;
        usage?: Usage;
        finished?: { status: 'COMPLETED' | 'FAILED'; error?: NodeError };
        /** ms since epoch, the base for retry back-off. */
        nowMs: number;
        at: string;
      };
    }
  /** The engine lost contact with the runner of `attempt` (no heartbeat within the lease). */
  | { type: 'ExpireNodeLease'; data: { nodeExecId: string; attempt: number; at: string } }
  /** Server-side timeout of a node attempt (rule 12). */
  | { type: 'TimeOutNodeExecution'; data: { nodeExecId: string; attempt: number; nowMs: number; at: string } }
  | {
      type: 'DecideReview';
      data: {
        nodeExecId: string;
        decision: 'approve' | 'reject';
        editedData?: unknown;
        userId: string;
        message?: string;
        at: string;
      };
    }
  | { type: 'StartSubExecution'; data: { nodeExecId: string; childExecutionId: string; at: string } }
  | {
      type: 'FinishSubExecution';
      data: {
        nodeExecId: string;
        childExecutionId: string;
        status: 'COMPLETED' | 'FAILED' | 'TERMINATED';
        outputs: Array<{ name: string; value: unknown }>;
        error?: NodeError;
        at: string;
      };
    }
  | { type: 'CancelExecution'; data: { reason?: string; at: string } }
  /** The engine ends an execution for a reason of its own (deadline). */
  | { type: 'FailExecution'; data: { reason: string; code: string; at: string } };

export type ExecutionCommandType = ExecutionCommand['type'];
