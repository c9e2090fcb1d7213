import { copySelection, flowToGraph, graphInputNames, graphToFlow, pasteClipboard } from './graphDoc';

const graph = {
  nodes: [
    { id: 'in', blockId: 'input', inputDefault: { name: 'who' }, metadata: { position: { x: 0, y: 0 }, color: 'red' } },
    {
      id: 'fmt',
      blockId: 'format',
      inputDefault: { format: 'Hello {name}!' },
      metadata: { position: { x: 300, y: 10 } },
    },
  ],
  links: [{ id: 'l1', sourceId: 'in', sourceName: 'result', sinkId: 'fmt', sinkName: 'values_#_name', isStatic: true }],
};

describe('graphDoc', () => {
  it('round-trips the API graph through the canvas model', () => {
    const doc = graphToFlow(graph);
    expect(doc.nodes[1].data.dynamicKeys).toEqual({ values: ['name'] });
    expect(doc.edges[0]).toMatchObject({
      id: 'l1',
      source: 'in',
      sourceHandle: 'result',
      target: 'fmt',
      targetHandle: 'values_#_name',
    });
    expect(doc.edges[0].style).toEqual({ strokeDasharray: '6 4' });
    expect(flowToGraph(doc)).toEqual(graph);
  });

  it('pastes selected nodes with fresh ids and their inner links', () => {
    const doc = graphToFlow(graph);
    doc.nodes = doc.nodes.map((n) => ({ ...n, selected: true }));
    const clip = copySelection(doc)!;
    let i = 0;
    const next = pasteClipboard(doc, clip, () => `new${++i}`);
    expect(next.nodes.map((n) => [n.id, n.selected])).toEqual([
      ['in', false],
      ['fmt', false],
      ['new1', true],
      ['new2', true],
    ]);
    expect(next.nodes[2].position).toEqual({ x: 40, y: 40 });
    expect(next.edges[1]).toMatchObject({
      source: 'new1',
      target: 'new2',
      targetHandle: 'values_#_name',
      data: { isStatic: true },
    });
  });

  it('lists graph inputs by their name default', () => {
    expect(graphInputNames(graphToFlow(graph), (b) => b === 'input')).toEqual([
      { nodeId: 'in', name: 'who', value: undefined },
    ]);
  });
});
