import { chromium } from 'playwright-core';
import { FakeApi, USER } from './fakeApi';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
const here = dirname(fileURLToPath(import.meta.url));
async function main() {
  const fake = new FakeApi(join(here, '..', 'dist'));
  const port = await fake.start();
  const cols = 40; const N = Number(process.env.N ?? 1000);
  const nodes = Array.from({ length: N }, (_, i) => ({ id: `n${i}`, blockId: 'b-calc', inputDefault: { a: i, b: 1 }, metadata: { position: { x: (i % cols) * 320, y: Math.floor(i / cols) * 300 } } }));
  const links: any[] = [];
  for (let i = 0; i < N - 1 && links.length < N * 1.5; i++) if (i % cols !== cols - 1) links.push({ sourceId: `n${i}`, sourceName: 'result', sinkId: `n${i + 1}`, sinkName: 'a', isStatic: false });
  for (let i = 0; links.length < N * 1.5 && i + cols < N; i++) links.push({ sourceId: `n${i}`, sourceName: 'result', sinkId: `n${i + cols}`, sinkName: 'b', isStatic: false });
  const g = fake.seed('big', nodes, links);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`http://127.0.0.1:${port}/login`);
  await page.getByTestId('login-email').fill(USER.email);
  await page.getByTestId('login-password').fill(USER.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('graph-list').waitFor();
  const css = process.argv[2] ?? '';
  if (css) await page.addStyleTag({ content: css }).catch(() => {});
  const client = await page.context().newCDPSession(page);
  await client.send('Profiler.enable');
  const prof = async (label: string, fn: () => Promise<void>) => {
    await client.send('Profiler.start');
    const t = Date.now();
    await fn();
    console.log('==', label, Date.now() - t, 'ms');
    const { profile } = await client.send('Profiler.stop');
    const self = new Map<string, number>();
    const dt = profile.timeDeltas!;
    const idToNode = new Map(profile.nodes.map((n: any) => [n.id, n]));
    profile.samples!.forEach((id: number, i: number) => {
      const n: any = idToNode.get(id);
      const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}:${n.callFrame.columnNumber}`;
      self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0) / 1000);
    });
    const selfById = new Map<number, number>();
    profile.samples!.forEach((id: number, i: number) => selfById.set(id, (selfById.get(id) ?? 0) + (dt[i] ?? 0) / 1000));
    const incl = new Map<string, number>();
    const walk = (id: number, stack: Set<string>): number => {
      const n: any = idToNode.get(id);
      let t = selfById.get(id) ?? 0;
      for (const c of n.children ?? []) t += walk(c, stack);
      const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}:${n.callFrame.columnNumber}`;
      incl.set(key, Math.max(incl.get(key) ?? 0, 0) + t);
      return t;
    };
    walk(profile.nodes[0].id, new Set());
    if (process.env.INCL) console.log('INCL\n' + [...incl.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, v]) => `${v.toFixed(0)}ms ${k}`).join('\n'));
    console.log([...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${v.toFixed(0)}ms ${k}`).join('\n'));
  };
  await prof('load', async () => { await page.goto(`http://127.0.0.1:${port}/graphs/${g.id}`);
  if (css) await page.addStyleTag({ content: css });
  await page.locator('.block-node').first().waitFor(); });
  console.log('mounted', await page.locator('.block-node').count(), 'edges', await page.locator('.react-flow__edge').count());
  await prof('node drag', async () => {
    const h = (await page.locator('.block-node[data-node-id="n0"] .node-header').boundingBox())!;
    await page.mouse.move(h.x + 20, h.y + 5); await page.mouse.down();
    for (let i = 0; i < 10; i++) await page.mouse.move(h.x + 20 + i * 10, h.y + 5 + i * 5);
    await page.mouse.up();
  });
  await client.send('Profiler.start');
  const pane = (await page.locator('.react-flow__pane').boundingBox())!;
  const t1 = Date.now();
  await page.mouse.move(pane.x + 400, pane.y + 400);
  await page.mouse.down();
  for (let i = 0; i < 10; i++) await page.mouse.move(pane.x + 400 - i * 20, pane.y + 400 - i * 10);
  await page.mouse.up();
  console.log('10 pan moves', Date.now() - t1);
  const { profile } = await client.send('Profiler.stop');
  // self time by function
  const self = new Map<string, number>();
  const dt = profile.timeDeltas!;
  const idToNode = new Map(profile.nodes.map((n: any) => [n.id, n]));
  profile.samples!.forEach((id: number, i: number) => {
    const n: any = idToNode.get(id);
    const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0) / 1000);
  });
  console.log([...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => `${v.toFixed(0)}ms ${k}`).join('\n'));
  await browser.close();
  await fake.stop();
}
void main();
