import { createRegistry } from '@agentry/blocks';
import { validateGraph } from './validate';

const blocks = createRegistry();
const INPUT = 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b';
const TEMPLATE = 'db7d8f02-2f44-4c55-ab7a-eae0941f0c30';
const OUTPUT = '363ae599-353e-4804-937e-b2ee3cef3da4';
const CALCULATOR = 'b1ab9b19-67a6-406d-abf5-2dba76d00c79';
const node = (id: string, blockId: string, inputDefault: Record<string, unknown> = {}) => ({ id, blockId, inputDefault, metadata: {} });
const link = (sourceId: string, sourceName: string, sinkId: string, sinkName: string) => ({ id: `${sourceId}-${sinkId}`, sourceId, sourceName, sinkId, sinkName, isStatic: false });

describe('graph validation', () => {
  it('accepts the greeting graph, dynamic dict pin included', () => {
    const problems = validateGraph(
      {
        name: 'ok',
        description: '',
        nodes: [node('in', INPUT, { name: 'topic' }), node('fill', TEMPLATE, { format: 'Hi {{ topic }}' }), node('out', OUTPUT, { name: 'greeting' })],
        links: [link('in', 'result', 'fill', 'values_#_topic'), link('fill', 'output', 'out', 'value')],
      },
      blocks,
    );
    expect(problems).toEqual({});
  });

  it('reports every problem at once by node and field', () => {
    const problems = validateGraph(
      {
        name: '',
        description: '',
        nodes: [node('ghost', 'no-such-block'), node('fill', TEMPLATE, {}), node('calc', CALCULATOR, { operation: 'Teleport', a: 1, b: 1 }), node('out', OUTPUT, {})],
        links: [link('fill', 'nope', 'out', 'value'), link('fill', 'output', 'calc', 'round_result'), link('missing', 'x', 'out', 'value')],
      },
      blocks,
    );
    expect(problems[''].name).toMatch(/name/);
    expect(problems.ghost.blockId).toMatch(/unknown block/);
    expect(problems.fill.nope).toMatch(/no output pin/);
    expect(problems.fill.format).toMatch(/required/);
    expect(problems.calc.operation).toBeDefined();
    expect(problems.calc.round_result).toMatch(/type mismatch/);
    expect(problems.missing.links).toMatch(/source node does not exist/);
    expect(problems.out.name).toMatch(/required/);
  });
});
