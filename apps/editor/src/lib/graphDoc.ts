/** Conversion between the API's graph document and the canvas' nodes/edges, plus clipboard helpers. Pure. */
import type { Edge, Node } from '@xyflow/react';
import type { GraphLink, GraphNode } from '../api/types';
import { dynamicKeysFromPins } from './pins';

export interface BlockNodeData extends Record<string, unknown> {
  blockId: string;
  inputs: Record<string, unknown>;
  /** Dict input name → keys that have a `<name>_#_<key>` handle. */
  dynamicKeys: Record<string, string[]>;
  /** Metadata other than position, kept so a save round-trips it. */
  extraMetadata?: Record<string, unknown>;
}

export interface LinkData extends Record<string, unknown> {
  isStatic: boolean;
}

export type BlockFlowNode = Node<BlockNodeData, 'block'>;
export type LinkEdge = Edge<LinkData>;

export interface FlowDoc {
  nodes: BlockFlowNode[];
  edges: LinkEdge[];
}

export function linkEdgeId(l: Pick<GraphLink, 'sourceId' | 'sourceName' | 'sinkId' | 'sinkName'>): string {
  return `${l.sourceId}:${l.sourceName}->${l.sinkId}:${l.sinkName}`;
}

export function makeEdge(link: GraphLink): LinkEdge {
  return {
    id: link.id ?? linkEdgeId(link),
    source: link.sourceId,
    sourceHandle: link.sourceName,
    target: link.sinkId,
    targetHandle: link.sinkName,
    data: { isStatic: link.isStatic },
    className: link.isStatic ? 'edge-static' : undefined,
    style: link.isStatic ? { strokeDasharray: '6 4' } : undefined,
  };
}

export function graphToFlow(graph: { nodes: GraphNode[]; links: GraphLink[] }): FlowDoc {
  const sinkPins = new Map<string, string[]>();
  for (const l of graph.links) (sinkPins.get(l.sinkId) ?? sinkPins.set(l.sinkId, []).get(l.sinkId)!).push(l.sinkName);
  const nodes: BlockFlowNode[] = graph.nodes.map((n) => {
    const { position, ...extraMetadata } = n.metadata ?? { position: { x: 0, y: 0 } };
    const inputs = { ...(n.inputDefault ?? {}) };
    const keys = dynamicKeysFromPins([...(sinkPins.get(n.id) ?? []), ...Object.keys(inputs)]);
    return {
      id: n.id,
      type: 'block',
      position: { x: position?.x ?? 0, y: position?.y ?? 0 },
      data: { blockId: n.blockId, inputs, dynamicKeys: keys, extraMetadata },
    };
  });
  return { nodes, edges: graph.links.map(makeEdge) };
}

export function flowToGraph(doc: FlowDoc): { nodes: GraphNode[]; links: GraphLink[] } {
  return {
    nodes: doc.nodes.map((n) => ({
      id: n.id,
      blockId: n.data.blockId,
      inputDefault: stripUndefined(n.data.inputs),
      metadata: {
        ...(n.data.extraMetadata ?? {}),
        position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
      },
    })),
    links: doc.edges.map((e) => ({
      id: e.id,
      sourceId: e.source,
      sourceName: e.sourceHandle ?? '',
      sinkId: e.target,
      sinkName: e.targetHandle ?? '',
      isStatic: Boolean(e.data?.isStatic),
    })),
  };
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

export interface Clipboard {
  nodes: BlockFlowNode[];
  edges: LinkEdge[];
}

/** Selected nodes and the edges among them. */
export function copySelection(doc: FlowDoc): Clipboard | null {
  const nodes = doc.nodes.filter((n) => n.selected);
  if (!nodes.length) return null;
  const ids = new Set(nodes.map((n) => n.id));
  const edges = doc.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  return { nodes: structuredCloneSafe(nodes), edges: structuredCloneSafe(edges) };
}

/** Fresh ids, shifted positions; pasted nodes become the selection. */
export function pasteClipboard(doc: FlowDoc, clip: Clipboard, newId: () => string, offset = 40): FlowDoc {
  const idMap = new Map(clip.nodes.map((n) => [n.id, newId()]));
  const pasted: BlockFlowNode[] = clip.nodes.map((n) => ({
    ...n,
    id: idMap.get(n.id)!,
    position: { x: n.position.x + offset, y: n.position.y + offset },
    selected: true,
    data: structuredCloneSafe(n.data),
  }));
  const pastedEdges = clip.edges.map((e) => {
    const link = {
      sourceId: idMap.get(e.source)!,
      sourceName: e.sourceHandle ?? '',
      sinkId: idMap.get(e.target)!,
      sinkName: e.targetHandle ?? '',
      isStatic: Boolean(e.data?.isStatic),
    };
    return makeEdge(link);
  });
  return {
    nodes: [...doc.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...pasted],
    edges: [...doc.edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...pastedEdges],
  };
}

function structuredCloneSafe<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Graph input names, from the `name` default of the graph's input blocks. */
export function graphInputNames(
  doc: FlowDoc,
  isInputBlock: (blockId: string) => boolean,
): Array<{ nodeId: string; name: string; value: unknown }> {
  return doc.nodes
    .filter((n) => isInputBlock(n.data.blockId))
    .map((n) => ({ nodeId: n.id, name: String(n.data.inputs.name ?? ''), value: n.data.inputs.value }))
    .filter((i) => i.name);
}
