/**
 * Profiles opening a 1,000-node graph in the built editor (headless Chromium, CDP CPU profile + timings).
 * `npx tsx bench/editor-profile.ts [outDir] [--fit]` (--fit: profile "fit all 1,000 nodes in view" instead of the open): prints the top self-time functions and where the time went.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ADMIN, login, startTestPlatform, tempDataDir } from '../apps/embedded/test/support';
import { agentryChain } from './lib/workloads';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

async function main() {
  const out = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? '/tmp/prof';
  fs.mkdirSync(out, { recursive: true });
  const dataDir = tempDataDir();
  const platform = await startTestPlatform(dataDir);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const token = await login(platform.url);
    const res = await fetch(`${platform.url}/api/v1/graphs`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(agentryChain(1000, 'profile 1000')) });
    const id = ((await res.json()) as { id: string }).id;
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // In-page marks: long tasks, and when node cards first appear (and how many).
    await page.addInitScript(`
      window.__marks = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__marks.push(['longtask', Math.round(e.startTime), Math.round(e.duration)]); }).observe({ type: 'longtask', buffered: true });
      const seen = new Set();
      new MutationObserver(() => {
        const n = document.querySelectorAll('.react-flow__node').length;
        const key = n > 0 ? (n > 100 ? 'many' : 'some') : 'none';
        if (!seen.has(key)) { seen.add(key); window.__marks.push(['nodes ' + key, Math.round(performance.now()), n]); }
        if (!seen.has('n0') && document.querySelector('[data-testid="node-n0"]')) { seen.add('n0'); window.__marks.push(['n0 in DOM', Math.round(performance.now()), 0]); }
      }).observe(document, { subtree: true, childList: true });
      const of = window.fetch; window.fetch = (...a) => { window.__marks.push(['fetch ' + String(a[0]).split('?')[0], Math.round(performance.now()), 0]); return of(...a); };
    `);
    await page.goto(platform.url);
    await page.getByTestId('login-email').fill(ADMIN.email);
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId(`graph-row-${id}`).waitFor();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    const fit = process.argv.includes('--fit');
    if (fit) {
      await page.getByTestId(`graph-row-${id}`).getByTestId('graph-open').click();
      await page.locator('[data-testid="node-n0"]').waitFor({ state: 'visible' });
      await page.evaluate('new Promise((r) => setTimeout(r, 500))');
    }
    await cdp.send('Profiler.start');
    const t0 = performance.now();
    const marks: Record<string, number> = {};
    page.on('response', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/')) marks[`response ${u.pathname}`] = performance.now() - t0;
    });
    if (fit) {
      await page.locator('.react-flow__controls-fitview').click();
      await page.locator('[data-testid="node-n999"]').waitFor({ state: 'attached' });
      marks['node-n999 attached'] = performance.now() - t0;
    } else {
      await page.getByTestId(`graph-row-${id}`).getByTestId('graph-open').click();
      await page.locator('[data-testid="node-n0"]').waitFor({ state: 'visible' });
      marks['node-n0 visible'] = performance.now() - t0;
    }
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    marks['open (2 frames later)'] = performance.now() - t0;
    const { profile } = (await cdp.send('Profiler.stop')) as { profile: Profile };
    fs.writeFileSync(path.join(out, 'open.cpuprofile'), JSON.stringify(profile));
    const nodes = await page.locator('[data-testid^="node-n"]').count();
    const pageMarks = (await page.evaluate('window.__marks')) as Array<[string, number, number]>;
    const clickAt = (await page.evaluate('performance.now()')) as number - (performance.now() - t0);
    for (const [k, at, v] of pageMarks) if (at >= clickAt - 5) console.log(String(Math.round(at - clickAt)).padStart(6), k, v);
    console.log('timings (ms):', Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, Math.round(v)])), 'nodes mounted:', nodes);
    // self time per function
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<string, number>();
    profile.samples.forEach((s, i) => {
      const n = byId.get(s)!;
      const f = n.callFrame;
      const key = `${f.functionName || '(anon)'} ${path.basename(f.url)}:${f.lineNumber}:${f.columnNumber}`;
      self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    });
    const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30);
    for (const [k, v] of top) console.log(v.toFixed(1).padStart(8), k);
  } finally {
    await browser.close();
    await platform.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
void main();
