import type { BlockRegistry } from '@agentry/block-sdk';
import { DomainError, type GraphLink, type GraphNode, type GraphProblems } from '@agentry/kernel';
import type { GraphVersionContent } from './events';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ImportedGraph {
  /** The id the document carried (AutoGPT graph id or ours), used to wire sub-graphs. */
  sourceId?: string;
  sourceVersion?: number;
  content: GraphVersionContent;
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
