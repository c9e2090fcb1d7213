import type { Graph, GraphLink, GraphNode } from '@agentry/kernel';
import * as graphV1 from './gen/agentry/graph/v1/graph';
export interface GraphContent {
  name: string;
  description: string;
  nodes: GraphNode[];
  links: GraphLink[];
}

export function nodeFromProto(n: graphV1.Node): GraphNode {
  const node: GraphNode = { id: n.id, blockId: n.blockId, inputDefault: n.inputDefault ?? {}, metadata: (n.metadata ?? {}) as GraphNode['metadata'] };
  if (n.retry && n.retry.maxAttempts > 0) node.retry = { ...n.retry };
  if (n.timeoutMs > 0) node.timeoutMs = n.timeoutMs;
  return node;
}

export function linkFromProto(l: graphV1.Link, index: number): GraphLink {
  return { id: l.id || `link-${index + 1}`, sourceId: l.sourceId, sourceName: l.sourceName, sinkId: l.sinkId, sinkName: l.sinkName, isStatic: l.isStatic };
}

export function draftFromProto(d: graphV1.GraphDraft | undefined): GraphContent {
  return { name: d?.name ?? '', description: d?.description ?? '', nodes: (d?.nodes ?? []).map(nodeFromProto), links: (d?.links ?? []).map(linkFromProto) };
}

export function graphToProto(g: Graph, updatedAt?: string): graphV1.Graph {
  return {
    id: g.id,
    version: g.version,
    tenantId: g.tenantId,
    ownerId: g.ownerId,
    name: g.name,
    description: g.description,
    isActive: g.isActive,
    forkedFrom: g.forkedFrom,
    nodes: g.nodes.map((n) => ({
      id: n.id,
      blockId: n.blockId,
      inputDefault: n.inputDefault,
      metadata: n.metadata,
      retry: n.retry,
      timeoutMs: n.timeoutMs ?? 0,
    })),
    links: g.links,
    createdAt: g.createdAt,
    updatedAt: updatedAt ?? g.createdAt,
  };
}

export function graphFromProto(g: graphV1.Graph): Graph {
  return {
    id: g.id,
    version: g.version,
    tenantId: g.tenantId,
    ownerId: g.ownerId,
    name: g.name,
    description: g.description,
    isActive: g.isActive,
    forkedFrom: g.forkedFrom && g.forkedFrom.id ? g.forkedFrom : undefined,
    nodes: g.nodes.map(nodeFromProto),
    links: g.links.map(linkFromProto),
    createdAt: g.createdAt,
  };
}

/** A draft as the REST layer receives it → the contract message. */
export function draftToProto(d: {
  name: string;
  description: string;
  nodes: Array<Omit<GraphNode, 'metadata'> & { metadata: Record<string, unknown> }>;
  links: Array<Omit<GraphLink, 'id'> & { id?: string }>;
}): graphV1.GraphDraft {
  return {
    name: d.name,
    description: d.description,
    nodes: d.nodes.map((n) => ({ id: n.id, blockId: n.blockId, inputDefault: n.inputDefault, metadata: n.metadata, retry: n.retry, timeoutMs: n.timeoutMs ?? 0 })),
    links: d.links.map((l) => ({ id: l.id ?? '', sourceId: l.sourceId, sourceName: l.sourceName, sinkId: l.sinkId, sinkName: l.sinkName, isStatic: l.isStatic })),
  };
}
