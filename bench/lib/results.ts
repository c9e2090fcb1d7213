/** The results file (bench/results/<timestamp>.json): small, stable, diff-friendly. */

export const TARGETS = ['agentry', 'agentry-jetstream', 'node-red', 'n8n'] as const;
export type Target = (typeof TARGETS)[number];
export const TARGET_LABEL: Record<Target, string> = { agentry: 'Agentry', 'agentry-jetstream': 'Agentry (JetStream)', 'node-red': 'Node-RED', n8n: 'n8n' };

export interface Metric {
  /** Stable id, e.g. 'chain.perNodeMs'. */
  id: string;
  scenario: string;
  label: string;
  unit: string;
  better: 'lower' | 'higher';
  values: Partial<Record<Target, number>>;
  /** What the machine allows for this figure, measured in the same run (and which limit it is). */
  limit?: { value: number; what: string };
}

export interface BenchResults {
  schema: 1;
  startedAt: string;
  durationS: number;
  quick: boolean;
  scenarios: string[];
  machine: { cpus: number; cpuModel: string; memGiB: number; node: string; os: string };
  versions: Record<string, string>;
  metrics: Metric[];
  /** Raw limits of the machine (one entry per limit measured). */
  limits: Record<string, { value: number; unit: string; what: string }>;
  /** Targets or scenarios that did not run, and why. */
  skipped: Array<{ target: string; scenario?: string; reason: string }>;
  /** Extra facts per scenario (counts, bounds hit), small. */
  notes: string[];
  /** Top self-time of the Agentry process under load (from --cpu-prof), when profiled. */
  profile?: { file: string; totalMs: number; idlePct: number; top: Array<{ fn: string; where: string; selfMs: number; pct: number }>; byArea: Array<{ area: string; pct: number }> };
}

export function validateResults(r: unknown): string[] {
  const errs: string[] = [];
  const o = r as BenchResults;
  if (!o || typeof o !== 'object') return ['not an object'];
  if (o.schema !== 1) errs.push('schema must be 1');
  if (typeof o.startedAt !== 'string' || Number.isNaN(Date.parse(o.startedAt))) errs.push('startedAt must be an ISO date');
  if (!Array.isArray(o.metrics)) errs.push('metrics must be an array');
  for (const m of o.metrics ?? []) {
    if (!m.id || !m.label || !m.unit) errs.push(`metric ${m.id ?? '?'} lacks id/label/unit`);
    if (m.better !== 'lower' && m.better !== 'higher') errs.push(`metric ${m.id}: better must be lower|higher`);
    for (const [k, v] of Object.entries(m.values ?? {})) {
      if (!(TARGETS as readonly string[]).includes(k)) errs.push(`metric ${m.id}: unknown target ${k}`);
      if (typeof v !== 'number' || !Number.isFinite(v)) errs.push(`metric ${m.id}: value of ${k} is not a finite number`);
    }
    if (m.limit && (typeof m.limit.value !== 'number' || !m.limit.what)) errs.push(`metric ${m.id}: bad limit`);
  }
  if (!Array.isArray(o.skipped)) errs.push('skipped must be an array');
  return errs;
}

/** 3 significant digits, thousands separated; '—' for missing. */
export function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US');
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(2);
  if (abs === 0) return '0';
  return x.toPrecision(2);
}

export function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return '—';
  const r = a / b;
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toPrecision(2)}×`;
}

const HEAD = ['Metric', 'Agentry', 'Agentry (JetStream)', 'Node-RED', 'n8n', 'Machine limit', 'Agentry / Node-RED', 'Agentry / n8n', 'Agentry / limit'];

/** Rows of the comparison table: absolute figures, then ratios Agentry/peer and Agentry/limit. */
export function tableRows(r: BenchResults): string[][] {
  return r.metrics.map((m) => {
    const v = m.values;
    return [
      `${m.label} (${m.unit}, ${m.better} is better)`,
      fmt(v.agentry),
      fmt(v['agentry-jetstream']),
      fmt(v['node-red']),
      fmt(v.n8n),
      m.limit ? `${fmt(m.limit.value)} (${m.limit.what})` : '—',
      ratio(v.agentry, v['node-red']),
      ratio(v.agentry, v.n8n),
      m.limit ? ratio(v.agentry, m.limit.value) : '—',
    ];
  });
}

export function markdownTable(r: BenchResults): string {
  const rows = tableRows(r);
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${HEAD.join(' | ')} |`, `| ${HEAD.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`, ...rows.map((row) => `| ${row.map(esc).join(' | ')} |`)].join('\n');
}

/** Fixed-width table for the terminal. */
export function textTable(r: BenchResults): string {
  const rows = [HEAD, ...tableRows(r)];
  const widths = HEAD.map((_, i) => Math.min(i === 0 ? 60 : 34, Math.max(...rows.map((row) => row[i].length))));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.slice(0, widths[i]).padEnd(widths[i]) : c.slice(0, widths[i]).padStart(widths[i]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const COLORS: Record<Target, string> = { agentry: '#2563eb', 'agentry-jetstream': '#60a5fa', 'node-red': '#b91c1c', n8n: '#ea580c' };

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * One horizontal bar group per metric, each group scaled to its own maximum (so units never mix); the
 * figure is printed at the end of each bar. Pure function of the results: no fonts or network needed.
 */
export function svgChart(r: BenchResults): string {
  const metrics = r.metrics.filter((m) => Object.keys(m.values).length > 0);
  const width = 860;
  const left = 300;
  const barH = 14;
  const gap = 4;
  const groupPad = 18;
  let y = 50;
  const parts: string[] = [];
  for (const m of metrics) {
    const entries = TARGETS.filter((t) => m.values[t] !== undefined).map((t) => [t, m.values[t]!] as const);
    const bars: Array<[string, number, string]> = entries.map(([t, v]) => [TARGET_LABEL[t], v, COLORS[t]]);
    if (m.limit) bars.push([`limit: ${m.limit.what}`, m.limit.value, '#9ca3af']);
    const max = Math.max(...bars.map((b) => b[1]), 1e-9);
    parts.push(`<text x="10" y="${y + 11}" font-size="12" font-weight="bold">${xmlEscape(m.label)}</text>`);
    parts.push(`<text x="10" y="${y + 25}" font-size="10" fill="#555">${xmlEscape(`${m.unit}, ${m.better} is better`)}</text>`);
    for (const [name, v, color] of bars) {
      const w = Math.max(1, ((width - left - 120) * v) / max);
      parts.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${color}"><title>${xmlEscape(`${name}: ${fmt(v)} ${m.unit}`)}</title></rect>`);
      parts.push(`<text x="${(left + w + 4).toFixed(1)}" y="${y + 11}" font-size="10">${xmlEscape(`${fmt(v)} ${name.startsWith('limit') ? `(${name})` : name}`)}</text>`);
      y += barH + gap;
    }
    y = Math.max(y, y) + groupPad;
  }
  const height = y + 10;
  const title = `Agentry vs Node-RED vs n8n, ${r.startedAt.slice(0, 10)}${r.quick ? ' (quick run)' : ''}: ${r.machine.cpus} CPU, Node ${r.machine.node}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="24" font-size="15" font-weight="bold">${xmlEscape(title)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
