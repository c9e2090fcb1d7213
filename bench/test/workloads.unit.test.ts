import { agentryEditorGraph, chainPosition, EDITOR_NODES, n8nEditorWorkflow } from '../lib/workloads';
import { markdownTable, type BenchResults } from '../lib/results';

describe('editor scenario workloads', () => {
  it('gives n8n the same 1,000-node, 1,500-link graph as Agentry: same names, positions and links', () => {
    const a = agentryEditorGraph(EDITOR_NODES, 'bench editor 1000');
    const w = n8nEditorWorkflow();
    expect(w.nodes).toHaveLength(1000);
    expect(w.nodes.map((n) => n.name)).toEqual(a.nodes.map((n) => n.id));
    expect(new Set(w.nodes.map((n) => n.id)).size).toBe(1000);
    expect(w.nodes.map((n) => ({ x: n.position[0], y: n.position[1] }))).toEqual(
      a.nodes.map((n) => n.metadata.position),
    );
    expect(w.nodes.every((n) => n.type === 'n8n-nodes-base.noOp')).toBe(true);
    const links = Object.entries(w.connections).flatMap(([from, c]) =>
      c.main.flat().map((to) => `${from}->${to.node}`),
    );
    expect([...links].sort()).toEqual(a.links.map((l) => `${l.sourceId}->${l.sinkId}`).sort());
    expect(links).toHaveLength(1500);
    expect(new Set(links).size).toBe(1500);
    expect(w.name).toBe(a.name);
    expect(w.active).toBe(false);
  });

  it('lays nodes out in rows of 40', () => {
    expect(chainPosition(0)).toEqual({ x: 0, y: 0 });
    expect(chainPosition(41)).toEqual({ x: 220, y: 160 });
    expect(chainPosition(999)).toEqual({ x: 39 * 220, y: 24 * 160 });
  });

  it('prints the n8n editor figure and the Agentry / n8n ratio, and a dash where n8n has no fit-all figure', () => {
    const r = {
      schema: 1,
      startedAt: '2026-01-01T00:00:00.000Z',
      durationS: 1,
      quick: false,
      scenarios: ['editor'],
      machine: { cpus: 2, cpuModel: 'cpu', memGiB: 4, node: '20.0.0', os: 'Linux' },
      versions: { agentry: '0.1.0' },
      metrics: [
        {
          id: 'editor.openMs',
          scenario: 'editor',
          label: 'Editor: open',
          unit: 'ms',
          better: 'lower',
          values: { agentry: 1000, n8n: 40000 },
        },
        {
          id: 'editor.fitAllMs',
          scenario: 'editor',
          label: 'Editor: fit all',
          unit: 'ms',
          better: 'lower',
          values: { agentry: 500 },
        },
      ],
      limits: {},
      skipped: [],
      notes: [],
    } satisfies BenchResults;
    const [, , open, fit] = markdownTable(r).split('\n');
    expect(open).toContain('| 40,000 |');
    expect(open).toContain('| 0.025× |');
    expect(fit.split(' | ')[4]).toBe('—'); // n8n column
  });
});
