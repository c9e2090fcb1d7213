import { connect } from '@agentry/grpc';
import { draftToProto, graphFromProto, graphV1 } from '@agentry/proto-ts';
import type { GraphPort } from '../../app/ports';

/** The graph service over gRPC, always with the caller's own context (so tenant scoping is the graph service's). */
export function graphServiceClient(address: string): GraphPort & { close(): void } {
  const client = connect(graphV1.GraphServiceClient, address);
  const toDraft = (c: Parameters<GraphPort['create']>[1]) => draftToProto({ name: c.name, description: c.description, nodes: c.nodes, links: c.links });
  return {
    async get(caller, graphId, version) {
      const { graph } = await client.getGraph({ caller, graphId, version });
      return graphFromProto(graph!);
    },
    async create(caller, content, forkedFrom) {
      const { graph } = await client.createGraph({ caller, draft: toDraft(content), forkedFrom });
      return graphFromProto(graph!);
    },
    async update(caller, graphId, baseVersion, content) {
      const { graph } = await client.updateGraph({ caller, graphId, baseVersion, draft: toDraft(content) });
      return graphFromProto(graph!);
    },
    async delete(caller, graphId) {
      await client.deleteGraph({ caller, graphId });
    },
    close: () => client.close(),
  };
}
