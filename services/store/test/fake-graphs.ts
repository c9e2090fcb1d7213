import { notFound, type Graph } from '@agentry/kernel';
import type { GraphPort } from '../src';

/** An in-memory graph service with the real one's tenant rule: another tenant's graph is NOT_FOUND. */
type Seed = Omit<Graph, 'id' | 'version' | 'tenantId' | 'ownerId' | 'isActive' | 'createdAt'>;
type FakeGraphs = GraphPort & { graphs: Map<string, Graph[]>; seed(tenantId: string, g: Seed): Graph };

export function fakeGraphs(): FakeGraphs {
  const graphs = new Map<string, Graph[]>();
  let n = 0;
  const latest = (tenantId: string, id: string) => {
    const versions = graphs.get(id);
    if (!versions || versions[0].tenantId !== tenantId) throw notFound('graph', id);
    return versions;
  };
  const port: FakeGraphs = {
    graphs,
    seed(tenantId: string, g: Seed): Graph {
      const graph: Graph = { ...g, id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, version: 1, tenantId, ownerId: 'u', isActive: true, createdAt: new Date(0).toISOString() };
      graphs.set(graph.id, [graph]);
      return graph;
    },
    async get(caller, graphId, version) {
      const versions = latest(caller.tenantId, graphId);
      const g = version ? versions.find((v) => v.version === version) : versions[versions.length - 1];
      if (!g) throw notFound('graph version', `${graphId}@${version}`);
      return g;
    },
    async create(caller, content, forkedFrom) {
      return port.seed(caller.tenantId, { ...content, forkedFrom });
    },
    async update(caller, graphId, _baseVersion, content) {
      const versions = latest(caller.tenantId, graphId);
      const g: Graph = { ...versions[versions.length - 1], ...content, version: versions.length + 1 };
      versions.push(g);
      return g;
    },
    async delete(caller, graphId) {
      latest(caller.tenantId, graphId);
      graphs.delete(graphId);
    },
  };
  return port;
}
