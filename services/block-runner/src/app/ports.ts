import type { BlockUsage, ResolvedCredentials } from '@agentry/block-sdk';

export interface NodeProgressReport {
  tenantId: string;
  executionId: string;
  nodeExecId: string;
  attempt: number;
  workerId: string;
  started?: boolean;
  /** In yield order; every yield reaches the engine exactly in the order the block produced it. */
  outputs?: Array<{ pin: string; value: unknown }>;
  /** Outputs of this attempt sent before `outputs[0]`: lets the engine drop a batch it already recorded. */
  outputSeq?: number;
  finished?: { status: 'COMPLETED' | 'FAILED'; error?: { message: string; code?: string; retryable?: boolean } };
  usage?: BlockUsage;
}

/** Port to the execution service (in-process: engine.reportNodeProgress; distributed: gRPC). A report with only ids is a heartbeat. */
export interface ExecutionReporter {
  reportNodeProgress(report: NodeProgressReport): Promise<{ cancelled: boolean }>;
}

/** Port to the integration service: secrets for one node execution, never logged. */
export interface CredentialResolver {
  /** `need`: what the block's credentials requirement asks of the credential (OAuth2 scopes), checked by the integration service. */
  resolve(tenantId: string, ref: unknown, purpose: string, need?: { scopes: string[]; blockName: string }): Promise<ResolvedCredentials>;
}

/** pino-compatible logger (fields first). */
export interface WorkerLogger {
  debug(fields: Record<string, unknown>, msg: string): void;
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}
