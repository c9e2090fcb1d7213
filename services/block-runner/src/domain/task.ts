import { isDomainError } from '@agentry/kernel';

/** A node task as the execution service enqueues it on 'node-tasks' (see services/execution README). */
export interface NodeTask {
  tenantId: string;
  userId?: string;
  executionId: string;
  nodeExecId: string;
  nodeId: string;
  graphId: string;
  graphVersion: number;
  blockId: string;
  attempt: number;
  input: Record<string, unknown>;
  timeoutMs?: number;
  credentialsRef?: unknown;
}

export interface TaskFailure {
  message: string;
  code?: string;
  retryable: boolean;
}

/**
 * A task redelivered by the queue (its previous lease expired: the runner died or hung) is a new attempt
 * of the same node execution; the engine records the lost one (rule 12).
 */
export function effectiveAttempt(task: Pick<NodeTask, 'attempt'>, deliveries: number): number {
  return task.attempt + Math.max(0, deliveries - 1);
}

/** What a thrown value means for the engine: its message, a stable code when known, and whether retrying may help. */
export function failureOf(err: unknown): TaskFailure {
  if (isDomainError(err)) return { message: err.message, code: err.code, retryable: err.retryable };
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    // An error may say it is not worth retrying (a missing file, a refused request): keep that.
    const retryable = (err as { retryable?: unknown }).retryable !== false;
    return { message: err.message || err.name, code: typeof code === 'string' ? code : undefined, retryable };
  }
  return { message: typeof err === 'string' ? err : JSON.stringify(err), retryable: true };
}

/** The value a block yielded on `error` becomes the failure message. */
export function failureOfErrorPin(value: unknown): TaskFailure {
  return {
    message: typeof value === 'string' ? value : value instanceof Error ? value.message : JSON.stringify(value),
    code: 'BLOCK_ERROR',
    retryable: true,
  };
}
