import type { GraphLink } from '@agentry/kernel';

/**
 * SmartDecisionMaker tool routing, as AutoGPT's `_create_function_signature` does it: every node linked from one
 * of the decision maker's `tools_^_<tool>_~_<arg>` pins acts as a tool; its linked sink fields are the tool's
 * parameters, described by the sink block's input schema (or, for a sub-agent, by the input schema of the graph
 * it runs). The LLM's tool calls come back out on exactly those pins, so the engine routes each argument along
 * the link it came from.
 */

export const SMART_DECISION_MAKER_BLOCK_ID = '3b191d9f-356f-482d-8238-ba04b6d18381';
const AGENT_EXECUTOR_BLOCK_ID = 'e189baac-8c20-45a1-94a7-55177ea42565';

const TOOL_PIN = /^tools_\^_(.+?)_~_(.+)$/;

/** `tools_^_<tool>_~_<arg>` → its parts; undefined for any other pin. */
export function parseToolPin(pin: string): { tool: string; arg: string } | undefined {
  const m = TOOL_PIN.exec(pin);
  return m ? { tool: m[1], arg: m[2] } : undefined;
}

/** AutoGPT's tool-name cleanup: anything outside [a-zA-Z0-9_-] becomes `_`, lower-cased. */
export const cleanupToolName = (s: string): string => s.replace(/[^a-zA-Z0-9_-]/g, '_').toLowerCase();

type Schema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

/** What the derivation needs of a node: its block, defaults (sub-agents keep the target's schema there) and schema. */
export interface ToolGraphNode {
  id: string;
  blockId: string;
  inputDefault: Record<string, unknown>;
  inputSchema?: Schema;
}

/** Name and description of a block (from the registry), for the tool's description. */
export type DescribeBlock = (blockId: string) => { name: string; description: string } | undefined;

/** An OpenAI-style function definition, the shape SmartDecisionMakerBlock's `tool_definitions` takes. */
export interface ToolDefinition {
  type: 'function';
  function: {
    name: string;
    description: string;
    parameters: { type: 'object'; properties: Record<string, Record<string, unknown>>; required: string[]; additionalProperties: false };
  };
}

/** Schema keywords of the editor, not of JSON Schema: an LLM has no use for them. */
const EDITOR_KEYWORDS = new Set(['advanced', 'secret', 'placeholder', 'hidden']);

function parameterSchema(field: unknown, arg: string, toolName: string): Record<string, unknown> {
  const schema: Record<string, unknown> = {};
  if (field && typeof field === 'object')
    for (const [k, v] of Object.entries(field as Record<string, unknown>)) if (!EDITOR_KEYWORDS.has(k)) schema[k] = v;
  if (!schema.description) schema.description = `The ${arg} of the tool ${toolName}`;
  return schema;
}

/**
 * The tool definitions of the SmartDecisionMaker node `sdmNodeId`: one function per tool name found on its
 * `tools_^_` links, in link order. Pure: the graph (nodes and links) and a block lookup in, definitions out.
 */
export function deriveToolDefinitions(
  graph: { nodes: Iterable<ToolGraphNode>; links: Iterable<GraphLink> },
  sdmNodeId: string,
  describeBlock: DescribeBlock = () => undefined,
): ToolDefinition[] {
  const nodes = new Map<string, ToolGraphNode>();
  for (const n of graph.nodes) nodes.set(n.id, n);
  const tools = new Map<string, { sink: ToolGraphNode; links: Array<{ arg: string; sinkName: string }> }>();
  for (const link of graph.links) {
    if (link.sourceId !== sdmNodeId) continue;
    const pin = parseToolPin(link.sourceName);
    const sink = nodes.get(link.sinkId);
    if (!pin || !sink) continue;
    const tool = tools.get(pin.tool) ?? { sink, links: [] };
    tool.links.push({ arg: pin.arg, sinkName: link.sinkName });
    tools.set(pin.tool, tool);
  }
  return [...tools].map(([name, { sink, links }]) => {
    const agent = sink.blockId === AGENT_EXECUTOR_BLOCK_ID;
    // A sub-agent's parameters are the inputs of the graph it runs, kept in its defaults.
    const schema = (agent ? sink.inputDefault.input_schema : sink.inputSchema) as Schema | undefined;
    const block = describeBlock(sink.blockId);
    const description = agent
      ? String((schema as { description?: unknown } | undefined)?.description ?? `Run the agent ${name}`)
      : (block?.description ?? `Run the block ${block?.name ?? name}`);
    const properties: Record<string, Record<string, unknown>> = {};
    const required: string[] = [];
    for (const { arg, sinkName } of links) {
      if (properties[arg]) continue;
      const field = schema?.properties?.[sinkName];
      properties[arg] = agent
        ? { type: 'string', ...parameterSchema(field, arg, name) }
        : parameterSchema(field, arg, name);
      if (schema?.required?.includes(sinkName)) required.push(arg);
    }
    return {
      type: 'function' as const,
      function: { name, description, parameters: { type: 'object' as const, properties, required, additionalProperties: false as const } },
    };
  });
}

/**
 * The SmartDecisionMaker's input with `tool_definitions` filled from the graph, unless the graph author set them
 * by hand (a non-empty list) or no tool is linked.
 */
export function withToolDefinitions(
  input: Record<string, unknown>,
  graph: { nodes: Iterable<ToolGraphNode>; links: Iterable<GraphLink> },
  sdmNodeId: string,
  describeBlock?: DescribeBlock,
): Record<string, unknown> {
  if (Array.isArray(input.tool_definitions) && input.tool_definitions.length > 0) return input;
  const tools = deriveToolDefinitions(graph, sdmNodeId, describeBlock);
  return tools.length ? { ...input, tool_definitions: tools } : input;
}
