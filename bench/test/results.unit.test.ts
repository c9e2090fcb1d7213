import { fmt, markdownTable, ratio, svgChart, textTable, validateResults, type BenchResults } from '../lib/results';
import { BEGIN, END, generatedSection } from '../lib/docs';

const sample = (): BenchResults => ({
  schema: 1,
  startedAt: '2026-01-01T00:00:00.000Z',
  durationS: 1,
  quick: true,
  scenarios: ['chain'],
  machine: { cpus: 2, cpuModel: 'cpu', memGiB: 4, node: '20.0.0', os: 'Linux' },
  versions: { agentry: '0.1.0' },
  metrics: [
    { id: 'chain.perNodeMs', scenario: 'chain', label: 'Per-node overhead', unit: 'ms', better: 'lower', values: { agentry: 0.5, n8n: 2, 'node-red': 0.01 }, limit: { value: 0.1, what: 'grpc call' } },
    { id: 'throughput.execPerS', scenario: 'throughput', label: 'Executions', unit: 'executions/s', better: 'higher', values: { agentry: 1234.5 } },
  ],
  limits: { sqlite: { value: 100000, unit: 'events/s', what: 'raw' } },
  skipped: [{ target: 'n8n', reason: 'not installed' }],
  notes: ['a note'],
});

describe('bench results', () => {
  it('accepts a well-formed results file and names what is wrong with a bad one', () => {
    expect(validateResults(sample())).toEqual([]);
    const bad = { ...sample(), schema: 2, metrics: [{ id: 'x', label: 'x', unit: 'ms', better: 'up', values: { nobody: 1, agentry: Number.NaN } }] };
    const errs = validateResults(bad).join('\n');
    expect(errs).toMatch(/schema/);
    expect(errs).toMatch(/better/);
    expect(errs).toMatch(/unknown target nobody/);
    expect(errs).toMatch(/agentry is not a finite number/);
  });

  it('formats figures and ratios', () => {
    expect(fmt(undefined)).toBe('—');
    expect(fmt(12345.6)).toBe('12,346');
    expect(fmt(0.0123)).toBe('0.012');
    expect(ratio(1, 4)).toBe('0.25×');
    expect(ratio(50, 2)).toBe('25×');
    expect(ratio(1, undefined)).toBe('—');
  });

  it('prints one table row per metric with Agentry/peer and Agentry/limit ratios', () => {
    const md = markdownTable(sample()).split('\n');
    expect(md).toHaveLength(4);
    expect(md[2]).toContain('| 0.50 |');
    expect(md[2]).toContain('0.25×'); // agentry / n8n
    expect(md[2]).toContain('5.0×'); // agentry / limit
    expect(textTable(sample()).split('\n')).toHaveLength(4);
  });

  it('draws an SVG with a bar per value and a generated docs section between markers', () => {
    const svg = svgChart(sample());
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect x=/g)).toHaveLength(5);
    const section = generatedSection(sample(), 'bench/results/x.json');
    expect(section.startsWith(BEGIN)).toBe(true);
    expect(section.endsWith(END)).toBe(true);
    expect(section).toContain('n8n: not installed');
  });
});
