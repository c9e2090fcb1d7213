/** The graph model shared by the graph and execution services (ENGINE.md "Graph"). */
export interface RetryPolicy {
  maxAttempts: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maxIntervalMs: number;
  nonRetryableErrors: string[];
}

export interface GraphNode {
  id: string;
  blockId: string;
  inputDefault: Record<string, unknown>;
  metadata: { position?: { x: number; y: number }; customizedName?: string; [key: string]: unknown };
  retry?: RetryPolicy;
  timeoutMs?: number;
}

export interface GraphLink {
  id: string;
  sourceId: string;
  sourceName: string;
  sinkId: string;
  sinkName: string;
  isStatic: boolean;
}

export interface Graph {
  id: string;
  version: number;
  tenantId: string;
  ownerId: string;
  name: string;
  description: string;
  isActive: boolean;
  forkedFrom?: { id: string; version: number };
  nodes: GraphNode[];
  links: GraphLink[];
  createdAt: string;
}

/** Problems found by validation: { [nodeId]: { [field]: message } }; '' as nodeId for graph-level problems. */
export type GraphProblems = Record<string, Record<string, string>>;
