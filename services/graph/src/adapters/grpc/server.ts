import { implement, requireCaller, type GrpcServiceRegistration } from '@agentry/grpc';
import { DomainError } from '@agentry/kernel';
import { draftFromProto, graphToProto, graphV1 } from '@agentry/proto-ts';
import type { GraphApp } from '../../app/graph-app';
import { matchExecutorsToSubGraphs, parseGraphDocument } from '../../domain/graph/import';
import type { BlockRegistry } from '@agentry/block-sdk';
import type { Graph } from '@agentry/kernel';
import type { GraphVersionContent } from '../../domain/graph/events';
import type { ImportedGraph } from '../../domain/graph/import';

/** Sub-graph indices ordered so that a graph comes after every sub-graph its executor nodes run (cycles broken arbitrarily). */
function creationOrder(subGraphs: ImportedGraph[], matches: Map<string, number>): number[] {
  const order: number[] = [];
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (i: number) => {
    if (state.get(i)) return;
    state.set(i, 'visiting');
    for (const n of subGraphs[i].content.nodes) {
      const dep = matches.get(n.id);
      if (dep !== undefined && dep !== i) visit(dep);
    }
    state.set(i, 'done');
    order.push(i);
  };
  subGraphs.forEach((_, i) => visit(i));
  return order;
}

export function graphGrpcService(app: GraphApp, blocks: BlockRegistry): GrpcServiceRegistration {
  return {
    name: 'agentry.graph.v1.GraphService',
    definition: graphV1.GraphServiceService,
    implementation: implement('graph', graphV1.GraphServiceService, {
      async createGraph(req) {
        const caller = requireCaller(req.caller);
        const graph = await app.create(caller, draftFromProto(req.draft), req.forkedFrom?.id ? req.forkedFrom : undefined);
        return { graph: graphToProto(graph) };
      },
      async updateGraph(req) {
        const caller = requireCaller(req.caller);
        return { graph: graphToProto(await app.update(caller, req.graphId, req.baseVersion, draftFromProto(req.draft))) };
      },
      async getGraph(req) {
        const caller = requireCaller(req.caller);
        return { graph: graphToProto(app.get(caller.tenantId, req.graphId, req.version || undefined)) };
      },
      async listGraphs(req) {
        const caller = requireCaller(req.caller);
        if (req.sort && req.sort !== 'name' && req.sort !== 'updatedAt') {
          throw new DomainError('VALIDATION_FAILED', `unknown sort '${req.sort}'`, { errors: { sort: "must be 'name' or 'updatedAt'" } });
        }
        const page = await app.list(caller.tenantId, { query: req.query, sort: (req.sort || undefined) as 'name' | 'updatedAt' | undefined, cursor: req.page?.cursor || undefined, limit: req.page?.limit || undefined });
        return { items: page.items, page: { nextCursor: page.nextCursor ?? '' } };
      },
      async listGraphVersions(req) {
        const caller = requireCaller(req.caller);
        return { items: app.versions(caller.tenantId, req.graphId) };
      },
      async deleteGraph(req) {
        const caller = requireCaller(req.caller);
        await app.delete(caller, req.graphId);
        return {};
      },
      async validateGraph(req) {
        requireCaller(req.caller);
        return { problems: app.validate(draftFromProto(req.draft)) };
      },
      async importGraph(req) {
        const caller = requireCaller(req.caller);
        const parsed = parseGraphDocument(req.document, blocks);
        const matches = matchExecutorsToSubGraphs([...parsed.subGraphs, parsed.graph], parsed.subGraphs);
        const created = new Map<number, Graph>();
        const remap = (content: GraphVersionContent): GraphVersionContent => ({
          ...content,
          nodes: content.nodes.map((n) => {
            const index = matches.get(n.id);
            const target = index === undefined ? undefined : created.get(index);
            return target ? { ...n, inputDefault: { ...n.inputDefault, graph_id: target.id, graph_version: target.version } } : n;
          }),
        });
        // Leaves first, so every executor node can point at the graph created here for its sub-graph.
        for (const index of creationOrder(parsed.subGraphs, matches)) created.set(index, await app.create(caller, remap(parsed.subGraphs[index].content)));
        const graph = await app.create(caller, remap(parsed.graph.content));
        return { graph: graphToProto(graph), subGraphs: [...created.values()].map((g) => graphToProto(g)) };
      },
    }),
  };
}
