import { DomainError, type Graph, type GraphLink, type RetryPolicy } from '@agentry/kernel';

/** How the engine treats a node's block (mirrors block-sdk's BlockKind; kept local so the domain depends on the kernel only). */
export type NodeKind = 'standard' | 'input' | 'output' | 'note' | 'agent' | 'review' | 'webhook';

export type Schema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

/** What the engine needs to know about a node: the graph node joined with its block's metadata. */
export interface PlanNode {
  id: string;
  blockId: string;
  kind: NodeKind;
  inputDefault: Record<string, unknown>;
  /** Every link leaving this node is static (block.staticOutput). */
  staticOutput: boolean;
  sideEffects: boolean;
  inputSchema: Schema;
  /** Pin of an output-kind block whose yields are the graph's outputs (`output` for AgentOutputBlock). */
  outputPin?: string;
  /** Input field holding the credentials reference, when the block needs credentials. */
  credentialsField?: string;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

/**
 * The graph version an execution runs, frozen into ExecutionRequested: a stream is self-contained,
 * so rebuilding an execution never depends on the graph service or on the block registry.
 */
export interface ExecutionPlan {
  nodes: PlanNode[];
  links: GraphLink[];
}

export interface BlockInfo {
  kind: NodeKind;
  inputSchema: Schema;
  outputSchema: Schema;
  staticOutput?: boolean;
  sideEffects?: boolean;
  credentials?: { field: string };
}

/** Joins a graph with block metadata; unknown blocks fail with VALIDATION_FAILED naming the nodes. */
export function buildPlan(
  graph: Pick<Graph, 'nodes' | 'links'>,
  blockInfo: (blockId: string) => BlockInfo | undefined,
): ExecutionPlan {
  const problems: Record<string, Record<string, string>> = {};
  const nodes: PlanNode[] = [];
  for (const node of graph.nodes) {
    const block = blockInfo(node.blockId);
    if (!block) {
      problems[node.id] = { blockId: `unknown block ${node.blockId}` };
      continue;
    }
    const outputProps = Object.keys(block.outputSchema.properties ?? {});
    nodes.push({
      id: node.id,
      blockId: node.blockId,
      kind: block.kind,
      inputDefault: node.inputDefault ?? {},
      staticOutput: block.staticOutput === true,
      sideEffects: block.sideEffects === true,
      inputSchema: block.inputSchema,
      outputPin:
        block.kind === 'output'
          ? outputProps.includes('output')
            ? 'output'
            : outputProps.find((p) => p !== 'error')
          : undefined,
      credentialsField: block.credentials?.field,
      retry: node.retry,
      timeoutMs: node.timeoutMs,
    });
  }
  if (Object.keys(problems).length > 0)
    throw new DomainError('VALIDATION_FAILED', 'graph refers to unknown blocks', { problems });
  const ids = new Set(nodes.map((n) => n.id));
  return { nodes, links: graph.links.filter((l) => ids.has(l.sourceId) && ids.has(l.sinkId)) };
}
