/** Summarises a V8 .cpuprofile (from node --cpu-prof): self time by function and by area of the code. */
import fs from 'node:fs';

interface CpuNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: CpuNode[];
  samples: number[];
  timeDeltas: number[];
}

export function areaOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native/V8)';
  if (url.startsWith('node:')) return 'node internals';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url.slice(url.lastIndexOf('node_modules/') >= 0 ? url.lastIndexOf('node_modules/') : 0));
  if (nm) return nm[1];
  const own = /\/(services|libs|apps)\/([^/]+)\//.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  return url.replace(/^file:\/\//, '');
}

export function summariseProfile(file: string, topN = 15) {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const byFn = new Map<string, { fn: string; where: string; selfUs: number }>();
  const byArea = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    const where = url ? `${url.replace(/^file:\/\//, '').replace(/^.*?\/(node_modules|services|libs|apps)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${functionName}@${where}`;
    const e = byFn.get(key) ?? { fn: functionName || '(anonymous)', where, selfUs: 0 };
    e.selfUs += us;
    byFn.set(key, e);
    const area = areaOf(url, functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  const pct = (us: number) => Math.round((1000 * us) / Math.max(total, 1)) / 10;
  return {
    totalMs: Math.round(total / 1000),
    /** Share of the profiled wall time the main thread was idle (waiting on I/O and timers). */
    idlePct: Math.round((1000 * idle) / Math.max(total + idle, 1)) / 10,
    top: [...byFn.values()]
      .sort((a, b) => b.selfUs - a.selfUs)
      .slice(0, topN)
      .map((e) => ({ fn: e.fn, where: e.where, selfMs: Math.round(e.selfUs / 1000), pct: pct(e.selfUs) })),
    byArea: [...byArea.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([area, us]) => ({ area, pct: pct(us) })),
  };
}
