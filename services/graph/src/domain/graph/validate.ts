import { isSchemaAssignable, resolvePin, validateAgainst, type BlockDefinition, type BlockRegistry, type JsonSchema } from '@agentry/block-sdk';
import type { GraphProblems } from '@agentry/kernel';
import type { GraphVersionContent } from './events';

function add(problems: GraphProblems, nodeId: string, field: string, message: string): void {
  (problems[nodeId] ??= {})[field] = problems[nodeId]?.[field] ? `${problems[nodeId][field]}; ${message}` : message;
}

/**
 * Every problem at once, as { [nodeId]: { [field]: message } } (ENGINE.md "Validation"); '' holds graph-level problems.
 * Pure: the block registry is passed in.
 */
export function validateGraph(content: GraphVersionContent, blocks: BlockRegistry): GraphProblems {
  const problems: GraphProblems = {};
  if (!content.name || !content.name.trim()) add(problems, '', 'name', 'a graph needs a name');
  const nodes = new Map<string, { block?: BlockDefinition; inputDefault: Record<string, unknown> }>();
  for (const node of content.nodes) {
    if (!node.id) {
      add(problems, '', 'nodes', 'every node needs an id');
      continue;
    }
    if (nodes.has(node.id)) add(problems, node.id, 'id', `duplicate node id ${node.id}`);
    const block = blocks.get(node.blockId);
    if (!block) add(problems, node.id, 'blockId', `unknown block ${node.blockId}`);
    nodes.set(node.id, { block, inputDefault: node.inputDefault ?? {} });
  }

  const linkedInputs = new Map<string, Set<string>>();
  for (const link of content.links) {
    const source = nodes.get(link.sourceId);
    const sink = nodes.get(link.sinkId);
    const linkLabel = `link ${link.sourceId}.${link.sourceName} -> ${link.sinkId}.${link.sinkName}`;
    if (!source) add(problems, link.sourceId || '', 'links', `${linkLabel}: source node does not exist`);
    if (!sink) add(problems, link.sinkId || '', 'links', `${linkLabel}: sink node does not exist`);
    if (!source?.block || !sink?.block) continue;
    const out = resolvePin(source.block.outputSchema, link.sourceName);
    const inp = resolvePin(sink.block.inputSchema, link.sinkName);
    // Sub-agent executors expose the child graph's inputs/outputs as pins; they are checked when the child is known.
    const dynamicIo = source.block.kind === 'agent' || sink.block.kind === 'agent';
    if (!out && !(dynamicIo && source.block.kind === 'agent')) add(problems, link.sourceId, link.sourceName, `${source.block.name} has no output pin '${link.sourceName}'`);
    if (!inp && !(dynamicIo && sink.block.kind === 'agent')) add(problems, link.sinkId, link.sinkName, `${sink.block.name} has no input pin '${link.sinkName}'`);
    if (out && inp) {
      const fit = isSchemaAssignable(out.schema, inp.schema);
      if (!fit.ok) add(problems, link.sinkId, link.sinkName, `type mismatch: ${link.sourceName} of ${source.block.name} cannot feed ${link.sinkName}${fit.reason ? ` (${fit.reason})` : ''}`);
    }
    const base = inp?.base ?? link.sinkName;
    if (!linkedInputs.has(link.sinkId)) linkedInputs.set(link.sinkId, new Set());
    linkedInputs.get(link.sinkId)!.add(base);
  }

  for (const node of content.nodes) {
    const entry = nodes.get(node.id);
    const block = entry?.block;
    if (!block || block.kind === 'note') continue;
    const props = block.inputSchema.properties ?? {};
    const linked = linkedInputs.get(node.id) ?? new Set<string>();
    // Defaults must satisfy the pin's schema (fields the block does not know are ignored: AutoGPT exports keep stale keys).
    for (const [field, value] of Object.entries(entry.inputDefault)) {
      const schema = props[field] as JsonSchema | undefined;
      if (!schema || value === null || value === undefined) continue;
      const result = validateAgainst({ type: 'object', properties: { [field]: schema } }, { [field]: value });
      if (!result.ok) add(problems, node.id, field, Object.values(result.errors)[0] ?? 'invalid value');
    }
    for (const field of block.inputSchema.required ?? []) {
      if (block.credentials && field === block.credentials.field) continue;
      if (block.kind === 'input' && field === 'value') continue;
      const hasDefault = entry.inputDefault[field] !== undefined && entry.inputDefault[field] !== null && entry.inputDefault[field] !== '';
      const hasSchemaDefault = (props[field] as JsonSchema | undefined)?.default !== undefined;
      if (!hasDefault && !hasSchemaDefault && !linked.has(field)) add(problems, node.id, field, `required input '${field}' is neither set nor linked`);
    }
  }
  return problems;
}
