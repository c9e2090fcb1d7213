/** Wire types of the Agentry REST API and WebSocket, as the editor uses them. */

export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  secret?: boolean;
  advanced?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema | JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  [key: string]: unknown;
}

export type BlockKind = 'standard' | 'input' | 'output' | 'note' | 'agent' | 'review' | 'webhook';

export interface BlockDefinition {
  id: string;
  name: string;
  description: string;
  categories: string[];
  kind: BlockKind;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  staticOutput?: boolean;
  credentials?: { field: string; providers: string[]; types: string[] };
}

export interface GraphNode {
  id: string;
  blockId: string;
  inputDefault: Record<string, unknown>;
  metadata: { position: { x: number; y: number }; [key: string]: unknown };
}

export interface GraphLink {
  id?: string;
  sourceId: string;
  sourceName: string;
  sinkId: string;
  sinkName: string;
  isStatic: boolean;
}

export interface Graph {
  id: string;
  version: number;
  name: string;
  description: string;
  isActive?: boolean;
  nodes: GraphNode[];
  links: GraphLink[];
  createdAt?: string;
  updatedAt?: string;
}

export interface GraphSummary {
  id: string;
  version: number;
  name: string;
  description: string;
  isActive: boolean;
  createdAt: string;
  updatedAt: string;
  nodeCount: number;
}

export interface GraphVersionSummary {
  version: number;
  createdAt: string;
  isActive: boolean;
}

export type ExecutionStatus = 'QUEUED' | 'RUNNING' | 'REVIEW' | 'COMPLETED' | 'FAILED' | 'TERMINATED';
export type NodeExecutionStatus = 'INCOMPLETE' | ExecutionStatus;

export interface ExecutionSummary {
  id: string;
  graphId: string;
  graphVersion: number;
  status: ExecutionStatus;
  trigger: string;
  startedAt?: string;
  endedAt?: string;
}

export interface NodeExecution {
  id: string;
  nodeId: string;
  blockId: string;
  status: NodeExecutionStatus;
  attempt: number;
  input: Record<string, unknown>;
  outputs: Record<string, unknown[]>;
  error?: string;
  startedAt?: string;
  endedAt?: string;
}

export interface Execution extends ExecutionSummary {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown[]>;
  nodeExecutions: NodeExecution[];
  error?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface Me {
  id: string;
  email: string;
  tenantId: string;
  roles: string[];
  /** Store admins (the review queue) are the platform admins. */
  platformAdmin?: boolean;
}

export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: Record<string, Record<string, string>> | unknown;
}

export interface NodeExecutionEventData {
  executionId?: string;
  nodeId: string;
  nodeExecId: string;
  status: NodeExecutionStatus;
  outputs?: Record<string, unknown[]>;
  error?: string;
}

export interface GraphExecutionEventData {
  executionId?: string;
  id?: string;
  graphId?: string;
  status: ExecutionStatus;
  outputs?: Record<string, unknown[]>;
  error?: string;
}

export type ServerMessage =
  | { method: 'graph_execution_event'; position?: number | string; data: GraphExecutionEventData }
  | { method: 'node_execution_event'; position?: number | string; data: NodeExecutionEventData }
  | { method: 'notification'; position?: number | string; data: Record<string, unknown> }
  | { method: 'heartbeat'; data?: unknown }
  | { method: 'error'; data?: unknown };

/** GET /api/v1/credentials items: metadata only, a secret never comes back. */
export interface CredentialMeta {
  id: string;
  provider: string;
  type: string;
  title?: string;
  scopes?: string[];
  createdAt?: string;
  expiresAt?: string;
  status?: string;
}
