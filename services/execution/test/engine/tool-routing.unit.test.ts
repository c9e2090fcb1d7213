import type { GraphLink } from '@agentry/kernel';
import { catalogueBlocks } from '@agentry/blocks';
import {
  cleanupToolName,
  deriveToolDefinitions,
  parseToolPin,
  SMART_DECISION_MAKER_BLOCK_ID,
  withToolDefinitions,
  type ToolGraphNode,
} from '../../src/app/tool-routing';

const AGENT_EXECUTOR = 'e189baac-8c20-45a1-94a7-55177ea42565';
let seq = 0;
const link = (sourceId: string, sourceName: string, sinkId: string, sinkName: string): GraphLink => ({
  id: `l${++seq}`,
  sourceId,
  sourceName,
  sinkId,
  sinkName,
  isStatic: false,
});
const calculator: ToolGraphNode = {
  id: 'calc',
  blockId: 'calc-block',
  inputDefault: { operation: 'Add' },
  inputSchema: {
    type: 'object',
    properties: {
      operation: { type: 'string', enum: ['Add', 'Multiply'] },
      a: { type: 'number', description: 'Enter the first number (A)' },
      b: { type: 'number', description: 'Enter the second number (B)', advanced: false },
      round_result: { type: 'boolean', default: false },
    },
    required: ['operation', 'a', 'b'],
  },
};
const researcher: ToolGraphNode = {
  id: 'agent',
  blockId: AGENT_EXECUTOR,
  inputDefault: {
    graph_id: 'g-research',
    input_schema: {
      type: 'object',
      description: 'Researches a keyword',
      properties: {
        Keyword: { type: 'string', description: 'The keyword to research' },
        'Minimum Volume': { type: 'integer' },
      },
      required: ['Keyword'],
    },
  },
};
const sdm: ToolGraphNode = { id: 'sdm', blockId: SMART_DECISION_MAKER_BLOCK_ID, inputDefault: {} };
const describe_ = (id: string) =>
  id === 'calc-block' ? { name: 'CalculatorBlock', description: 'Performs a mathematical operation' } : undefined;

describe('tool routing: parsing pins', () => {
  it('splits tools_^_<tool>_~_<arg> pins and ignores the others', () => {
    expect(parseToolPin('tools_^_calculatorblock_~_a')).toEqual({ tool: 'calculatorblock', arg: 'a' });
    expect(parseToolPin('tools_^_get_related_search_keywords_~_max_keyword_difficulty')).toEqual({
      tool: 'get_related_search_keywords',
      arg: 'max_keyword_difficulty',
    });
    expect(parseToolPin('conversations')).toBeUndefined();
    expect(parseToolPin('tools')).toBeUndefined();
  });

  it("cleans tool names like AutoGPT's cleanup", () => {
    expect(cleanupToolName('FirecrawlCrawlBlock')).toBe('firecrawlcrawlblock');
    expect(cleanupToolName('Get Related Search Keywords!')).toBe('get_related_search_keywords_');
  });
});

describe('tool routing: deriving function signatures', () => {
  it('builds one function per linked tool node from its block input schema (given a graph, when derived)', () => {
    const tools = deriveToolDefinitions(
      {
        nodes: [sdm, calculator],
        links: [
          link('sdm', 'tools_^_calculatorblock_~_a', 'calc', 'a'),
          link('sdm', 'tools_^_calculatorblock_~_b', 'calc', 'b'),
          link('sdm', 'conversations', 'sdm', 'conversation_history'),
        ],
      },
      'sdm',
      describe_,
    );
    expect(tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'calculatorblock',
          description: 'Performs a mathematical operation',
          parameters: {
            type: 'object',
            properties: {
              a: { type: 'number', description: 'Enter the first number (A)' },
              b: { type: 'number', description: 'Enter the second number (B)' },
            },
            required: ['a', 'b'],
            additionalProperties: false,
          },
        },
      },
    ]);
  });

  it('describes a sub-agent tool by the input schema of the graph it runs, parameters as strings', () => {
    const [tool] = deriveToolDefinitions(
      {
        nodes: [sdm, researcher],
        links: [
          link('sdm', 'tools_^_get_related_search_keywords_~_keyword', 'agent', 'Keyword'),
          link('sdm', 'tools_^_get_related_search_keywords_~_minimum_volume', 'agent', 'Minimum Volume'),
        ],
      },
      'sdm',
    );
    expect(tool.function).toEqual({
      name: 'get_related_search_keywords',
      description: 'Researches a keyword',
      parameters: {
        type: 'object',
        properties: {
          keyword: { type: 'string', description: 'The keyword to research' },
          minimum_volume: { type: 'integer', description: 'The minimum_volume of the tool get_related_search_keywords' },
        },
        required: ['keyword'],
        additionalProperties: false,
      },
    });
  });

  it('keeps tools in link order, ignores links of other nodes and links to unknown nodes', () => {
    const tools = deriveToolDefinitions(
      {
        nodes: [sdm, calculator, researcher, { ...sdm, id: 'other-sdm' }],
        links: [
          link('sdm', 'tools_^_research_~_keyword', 'agent', 'Keyword'),
          link('other-sdm', 'tools_^_calculatorblock_~_a', 'calc', 'a'),
          link('sdm', 'tools_^_ghost_~_x', 'missing-node', 'x'),
          link('sdm', 'tools_^_calculatorblock_~_a', 'calc', 'a'),
        ],
      },
      'sdm',
    );
    expect(tools.map((t) => t.function.name)).toEqual(['research', 'calculatorblock']);
    expect(tools[1].function.description).toBe('Run the block calculatorblock');
  });

  it('leaves hand-written tool definitions and graphs without tools alone', () => {
    const graph = { nodes: [sdm, calculator], links: [link('sdm', 'tools_^_calculatorblock_~_a', 'calc', 'a')] };
    const manual = { prompt: 'p', tool_definitions: [{ type: 'function', function: { name: 'mine' } }] };
    expect(withToolDefinitions(manual, graph, 'sdm')).toBe(manual);
    const none = { prompt: 'p', tool_definitions: [] };
    expect(withToolDefinitions(none, { nodes: [sdm], links: [] }, 'sdm')).toBe(none);
    const filled = withToolDefinitions(none, graph, 'sdm');
    expect((filled.tool_definitions as Array<{ function: { name: string } }>)[0].function.name).toBe('calculatorblock');
    expect(none.tool_definitions).toEqual([]); // the input is not mutated
  });

  it('uses the id of the SmartDecisionMakerBlock of the block library', () => {
    expect(catalogueBlocks.find((b) => b.id === SMART_DECISION_MAKER_BLOCK_ID)?.name).toBe('SmartDecisionMakerBlock');
  });
});
