import { implement, requireCaller, type GrpcServiceRegistration } from '@agentry/grpc';
import { DomainError } from '@agentry/kernel';
import { draftFromProto, graphToProto, graphV1 } from '@agentry/proto-ts';
import type { GraphApp } from '../../app/graph-app';
import { parseGraphDocument } from '../../domain/graph/import';
import type { BlockRegistry } from '@agentry/block-sdk';

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
        const page = app.list(caller.tenantId, { query: req.query, sort: (req.sort || undefined) as 'name' | 'updatedAt' | undefined, cursor: req.page?.cursor || undefined, limit: req.page?.limit || undefined });
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
        // Sub-graphs first, so executor nodes can point at the graphs created here.
        const created = [];
        for (const sub of parsed.subGraphs) created.push(await app.create(caller, sub.content));
        const graph = await app.create(caller, parsed.graph.content);
        return { graph: graphToProto(graph), subGraphs: created.map((g) => graphToProto(g)) };
      },
    }),
  };
}
