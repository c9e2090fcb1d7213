import { DomainError, type Graph, type GraphLink, type GraphNode, type RetryPolicy } from '@agentry/kernel';
import type { GraphReader } from '../../src/app/ports';

export const TENANT = 'tenant-1';
export const USER = 'user-1';

export type NodeSpec = [
  id: string,
  blockId: string,
  inputDefault?: Record<string, unknown>,
  extra?: { retry?: RetryPolicy; timeoutMs?: number },
];
export type LinkSpec = [sourceId: string, sourceName: string, sinkId: string, sinkName: string, isStatic?: boolean];

let seq = 0;
export function graph(nodes: NodeSpec[], links: LinkSpec[] = [], id = `graph-${++seq}`, tenantId = TENANT): Graph {
  return {
    id,
    version: 1,
    tenantId,
    ownerId: USER,
    name: id,
    description: '',
    isActive: true,
    createdAt: '2026-01-01T00:00:00.000Z',
    nodes: nodes.map(([nid, blockId, inputDefault, extra]): GraphNode => ({
      id: nid,
      blockId,
      inputDefault: inputDefault ?? {},
      metadata: {},
      ...extra,
    })),
    links: links.map(([sourceId, sourceName, sinkId, sinkName, isStatic], i): GraphLink => ({
      id: `l${i}`,
      sourceId,
      sourceName,
      sinkId,
      sinkName,
      isStatic: isStatic ?? false,
    })),
  };
}

export class MemoryGraphs implements GraphReader {
  private readonly graphs = new Map<string, Graph[]>();

  add(...graphs: Graph[]): this {
    for (const g of graphs) this.graphs.set(g.id, [...(this.graphs.get(g.id) ?? []), g]);
    return this;
  }

  async get(tenantId: string, graphId: string, version?: number): Promise<Graph> {
    const versions = (this.graphs.get(graphId) ?? []).filter((g) => g.tenantId === tenantId);
    const found = version
      ? versions.find((g) => g.version === version)
      : (versions.find((g) => g.isActive) ?? versions[versions.length - 1]);
    if (!found) throw new DomainError('NOT_FOUND', `graph ${graphId} not found`, { what: 'graph', id: graphId });
    return found;
  }
}

export const retry = (maxAttempts: number, extra: Partial<RetryPolicy> = {}): RetryPolicy => ({
  maxAttempts,
  initialIntervalMs: 1,
  backoffCoefficient: 2,
  maxIntervalMs: 10,
  nonRetryableErrors: [],
  ...extra,
});
