import type { BlockRegistry } from '@agentry/block-sdk';
import { DomainError, type GraphLink, type GraphNode, type GraphProblems } from '@agentry/kernel';
import type { GraphVersionContent } from './events';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ImportedGraph {
  /** The id the document carried (AutoGPT graph id or ours), used to wire sub-graphs. */
  sourceId?: string;
  sourceVersion?: number;
  /** AutoGPT's input/output schemas of the graph, used to recognise which sub-graph an executor node runs. */
  ioSignature?: string;
  content: GraphVersionContent;
}

export const AGENT_EXECUTOR_BLOCK_ID = 'e189baac-8c20-45a1-94a7-55177ea42565';

/** Stable text of a graph's input and output property names (AutoGPT copies them into executor nodes). */
function signatureOf(inputSchema: unknown, outputSchema: unknown): string {
  const names = (schema: unknown) => (isObject(schema) && isObject(schema.properties) ? Object.keys(schema.properties).sort() : []);
  return JSON.stringify([names(inputSchema), names(outputSchema)]);
}

/**
 * AutoGPT exports point executor nodes at a graph id that is NOT the embedded sub-graph's id (FORMAT.md):
 * an executor runs the sub-graph with the same version and the same input/output names.
 * Returns, per executor node id, the index of the sub-graph it runs (or undefined when none matches).
 */
export function matchExecutorsToSubGraphs(graphs: ImportedGraph[], subGraphs: ImportedGraph[]): Map<string, number> {
  const matches = new Map<string, number>();
  for (const g of graphs) {
    for (const node of g.content.nodes) {
      if (node.blockId !== AGENT_EXECUTOR_BLOCK_ID) continue;
      const d = node.inputDefault;
      const sig = signatureOf(d.input_schema, d.output_schema);
      const byId = subGraphs.findIndex((s) => s.sourceId === d.graph_id);
      const bySignature = subGraphs.findIndex((s) => s.sourceVersion === d.graph_version && s.ioSignature === sig);
      const index = byId >= 0 ? byId : bySignature;
      if (index >= 0) matches.set(node.id, index);
    }
  }
  return matches;
}

export interface ImportResult {
  graph: ImportedGraph;
  subGraphs: ImportedGraph[];
  format: 'agentry' | 'autogpt';
}

/**
 * Reads an Agentry graph or an AutoGPT agent export (snake_case, block_id, input_default, is_static…).
 * Every block it cannot map is reported at once; nothing is created from a document with problems.
 */
export function parseGraphDocument(doc: unknown, blocks: BlockRegistry): ImportResult {
  if (!isObject(doc)) throw new DomainError('VALIDATION_FAILED', 'the document is not a JSON object', { errors: { '': { document: 'expected a JSON object' } } });
  const autogpt = Array.isArray(doc.nodes) && (doc.nodes as unknown[]).some((n) => isObject(n) && 'block_id' in n);
  const read = autogpt ? readAutoGpt : readAgentry;
  const graph = read(doc);
  const subGraphs = autogpt && Array.isArray(doc.sub_graphs) ? (doc.sub_graphs as unknown[]).filter(isObject).map(readAutoGpt) : [];
  const problems: GraphProblems = {};
  for (const g of [graph, ...subGraphs]) {
    for (const node of g.content.nodes) {
      if (!blocks.get(node.blockId)) (problems[node.id] ??= {}).blockId = `unknown block ${node.blockId}${g === graph ? '' : ` (in sub-graph ${g.content.name})`}`;
    }
  }
  if (Object.keys(problems).length) {
    throw new DomainError('VALIDATION_FAILED', `the document uses ${Object.keys(problems).length} node(s) whose block Agentry does not have`, { errors: problems });
  }
  return { graph, subGraphs, format: autogpt ? 'autogpt' : 'agentry' };
}

function readAutoGpt(doc: Json): ImportedGraph {
  const nodes: GraphNode[] = (Array.isArray(doc.nodes) ? doc.nodes : []).filter(isObject).map((n) => {
    const metadata = isObject(n.metadata) ? { ...n.metadata } : {};
    if (typeof metadata.customized_name === 'string') {
      metadata.customizedName = metadata.customized_name;
      delete metadata.customized_name;
    }
    return { id: String(n.id), blockId: String(n.block_id), inputDefault: isObject(n.input_default) ? n.input_default : {}, metadata };
  });
  const links: GraphLink[] = (Array.isArray(doc.links) ? doc.links : []).filter(isObject).map((l, i) => ({
    id: typeof l.id === 'string' ? l.id : `link-${i + 1}`,
    sourceId: String(l.source_id),
    sourceName: String(l.source_name),
    sinkId: String(l.sink_id),
    sinkName: String(l.sink_name),
    isStatic: l.is_static === true,
  }));
  return {
    sourceId: typeof doc.id === 'string' ? doc.id : undefined,
    sourceVersion: typeof doc.version === 'number' ? doc.version : undefined,
    ioSignature: signatureOf(doc.input_schema, doc.output_schema),
    content: { name: String(doc.name ?? 'Imported agent'), description: String(doc.description ?? ''), nodes, links },
  };
}

function readAgentry(doc: Json): ImportedGraph {
  const nodes: GraphNode[] = (Array.isArray(doc.nodes) ? doc.nodes : []).filter(isObject).map((n) => ({
    id: String(n.id),
    blockId: String(n.blockId),
    inputDefault: isObject(n.inputDefault) ? n.inputDefault : {},
    metadata: isObject(n.metadata) ? n.metadata : {},
    ...(isObject(n.retry) ? { retry: n.retry as unknown as GraphNode['retry'] } : {}),
    ...(typeof n.timeoutMs === 'number' ? { timeoutMs: n.timeoutMs } : {}),
  }));
  const links: GraphLink[] = (Array.isArray(doc.links) ? doc.links : []).filter(isObject).map((l, i) => ({
    id: typeof l.id === 'string' ? l.id : `link-${i + 1}`,
    sourceId: String(l.sourceId),
    sourceName: String(l.sourceName),
    sinkId: String(l.sinkId),
    sinkName: String(l.sinkName),
    isStatic: l.isStatic === true,
  }));
  return {
    sourceId: typeof doc.id === 'string' ? doc.id : undefined,
    sourceVersion: typeof doc.version === 'number' ? doc.version : undefined,
    content: { name: String(doc.name ?? 'Imported graph'), description: String(doc.description ?? ''), nodes, links },
  };
}
