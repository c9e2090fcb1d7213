import type { Graph } from '@agentry/kernel';
import type { BlobRef } from '../domain/blob-ref';

/** Reads graph versions (the graph service owns them). Throws DomainError NOT_FOUND. */
export interface GraphReader {
  get(tenantId: string, graphId: string, version?: number): Promise<Graph>;
}

/** Content store for large values (rule 15). Implementations: adapters/blob/{memory,fs}. */
export interface BlobStore {
  put(tenantId: string, value: unknown): Promise<BlobRef>;
  /** Throws DomainError NOT_FOUND for an unknown reference. */
  get(ref: BlobRef): Promise<unknown>;
}

/** Payload of a task on the 'node-tasks' queue: all a stateless block-runner needs. Task id: `${executionId}/${nodeExecId}/${attempt}`. */
export interface NodeTaskPayload {
  tenantId: string;
  userId: string;
  executionId: string;
  nodeExecId: string;
  nodeId: string;
  graphId: string;
  graphVersion: number;
  blockId: string;
  attempt: number;
  /** Merged input: defaults + static + linked values, dynamic pins folded, blob references resolved. */
  input: Record<string, unknown>;
  timeoutMs?: number;
  /** The credentials meta the node's credentials field holds ({ id, provider, type, title }). */
  credentialsRef?: unknown;
}

/** pino-compatible (fields first, message second), so the service's logger plugs in as is. */
export interface EngineLogger {
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

export const nodeTaskId = (executionId: string, nodeExecId: string, attempt: number) =>
  `${executionId}/${nodeExecId}/${attempt}`;
