/**
 * Development smoke check of the built editor (apps/editor/dist) against an in-memory fake API, driven by
 * Debian's Chromium through playwright-core. Builds nothing: run `npm run build -w @agentry/editor` first.
 *   npx tsx apps/editor/scripts/smoke.ts        (screenshots land in apps/editor/test-results/)
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Locator, type Page } from 'playwright-core';
import type { GraphLink, GraphNode } from '../src/api/types';
import { FakeApi, USER } from './fakeApi';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
const out = join(here, '..', 'test-results');
mkdirSync(out, { recursive: true });

const failures: string[] = [];
async function step(name: string, fn: () => Promise<void>): Promise<void> {
  const t0 = Date.now();
  try {
    await fn();
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failures.push(name);
    console.log(`FAIL ${name}: ${(e as Error).message.split('\n')[0]}`);
  }
}
function expect(cond: unknown, msg: string): void {
  if (!cond) throw new Error(msg);
}
const shot = (page: Page, name: string) => page.screenshot({ path: join(out, `${name}.png`) });

async function connect(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

function bigGraph(): { nodes: GraphNode[]; links: GraphLink[] } {
  const cols = 40;
  const nodes: GraphNode[] = Array.from({ length: 1000 }, (_, i) => ({
    id: `n${i}`,
    blockId: 'b-calc',
    inputDefault: { a: i, b: 1 },
    metadata: { position: { x: (i % cols) * 320, y: Math.floor(i / cols) * 300 } },
  }));
  const links: GraphLink[] = [];
  for (let i = 0; i < 1000 && links.length < 1500; i++) {
    if (i % cols !== cols - 1)
      links.push({ sourceId: `n${i}`, sourceName: 'result', sinkId: `n${i + 1}`, sinkName: 'a', isStatic: false });
  }
  for (let i = 0; links.length < 1500; i++)
    links.push({
      sourceId: `n${i}`,
      sourceName: 'result',
      sinkId: `n${i + cols}`,
      sinkName: 'b',
      isStatic: i % 7 === 0,
    });
  return { nodes, links };
}

async function main(): Promise<void> {
  const fake = new FakeApi(dist);
  const port = await fake.start();
  const base = `http://127.0.0.1:${port}`;
  const hello = fake.seed(
    'Hello agent',
    [
      { id: 'in', blockId: 'b-input', inputDefault: { name: 'name' }, metadata: { position: { x: 0, y: 40 } } },
      {
        id: 'fmt',
        blockId: 'b-fill',
        inputDefault: { format: 'Hello {name}!' },
        metadata: { position: { x: 340, y: 0 } },
      },
      { id: 'out', blockId: 'b-output', inputDefault: { name: 'greeting' }, metadata: { position: { x: 700, y: 40 } } },
      {
        id: 'rev',
        blockId: 'b-review',
        inputDefault: { message: 'Send this greeting?' },
        metadata: { position: { x: 340, y: 330 } },
      },
      {
        id: 'note',
        blockId: 'b-note',
        inputDefault: { text: 'Says hello, after a human approves.' },
        metadata: { position: { x: 0, y: 330 } },
      },
    ],
    [
      { sourceId: 'in', sourceName: 'result', sinkId: 'fmt', sinkName: 'values_#_name', isStatic: false },
      { sourceId: 'fmt', sourceName: 'output', sinkId: 'rev', sinkName: 'data', isStatic: false },
      { sourceId: 'rev', sourceName: 'approved', sinkId: 'out', sinkName: 'value', isStatic: false },
    ],
  );
  const big = bigGraph();
  const bigG = fake.seed('Big graph (1000 nodes)', big.nodes, big.links);

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('dialog', (d) => void d.accept());

  await step('sign in', async () => {
    await page.goto(base + '/');
    await page.waitForURL('**/login');
    await page.getByTestId('login-email').fill(USER.email);
    await page.getByTestId('login-password').fill('wrong');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor();
    await shot(page, '01-login-error');
    await page.getByTestId('login-password').fill(USER.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('graph-list').waitFor();
    await page.getByText('Hello agent').waitFor();
    await shot(page, '02-graph-list');
  });

  await step('graph list: search, duplicate, import AutoGPT export', async () => {
    await page.getByTestId('graph-search').fill('hello');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid^="graph-row-"]').length === 1);
    await page.locator(`[data-testid="graph-row-${hello.id}"] [data-testid="graph-duplicate"]`).click();
    await page.getByRole('link', { name: 'Hello agent (copy)' }).waitFor();
    await page.getByTestId('graph-search').fill('');
    const autogpt = {
      name: 'Imported from AutoGPT',
      nodes: [
        { id: 'x1', block_id: 'b-input', input_default: { name: 'topic' }, metadata: { position: { x: 0, y: 0 } } },
        { id: 'x2', block_id: 'b-output', input_default: { name: 'echo' }, metadata: { position: { x: 300, y: 0 } } },
      ],
      links: [{ source_id: 'x1', source_name: 'result', sink_id: 'x2', sink_name: 'value', is_static: false }],
    };
    await page.getByTestId('graph-import-file').setInputFiles({
      name: 'agent.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(autogpt)),
    });
    await page.getByRole('link', { name: 'Imported from AutoGPT' }).waitFor();
    const bad = { ...autogpt, nodes: [{ ...autogpt.nodes[0], block_id: 'no-such-block' }] };
    await page
      .getByTestId('graph-import-file')
      .setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
    await page.getByText(/Import failed: Unknown blocks: no-such-block/).waitFor();
    await shot(page, '03-graph-list-after-import');
  });

  await step('new graph: drag blocks from the palette and fill forms', async () => {
    await page.getByTestId('graph-new').click();
    await page.getByTestId('palette').waitFor();
    const canvas = page.getByTestId('canvas');
    const box = (await canvas.boundingBox())!;
    await page.getByTestId('palette-AgentInput').dragTo(canvas, { targetPosition: { x: 120, y: 120 } });
    await page.getByTestId('palette-FillTextTemplate').dragTo(canvas, { targetPosition: { x: 460, y: 100 } });
    await page.getByTestId('palette-AgentOutput').dragTo(canvas, { targetPosition: { x: 820, y: 120 } });
    await page.getByTestId('palette-search').fill('calc');
    await page.getByTestId('palette-Calculator').dragTo(canvas, { targetPosition: { x: 120, y: 420 } });
    await page.getByTestId('palette-search').fill('');
    await page.getByTestId('palette-category-Logic').click();
    await page.getByTestId('palette-Condition').dragTo(canvas, { targetPosition: { x: 460, y: 460 } });
    await page.getByTestId('palette-category-all').click();
    expect((await page.locator('.block-node').count()) === 5, 'five nodes after drops');
    const dropped = await page.locator('.block-node[data-block="AgentInput"]').boundingBox();
    expect(
      dropped && Math.abs(dropped.x - (box.x + 120)) < 60,
      `node dropped at the cursor (got ${dropped?.x}, want ~${box.x + 120})`,
    );

    const input = page.locator('.block-node[data-block="AgentInput"]');
    await input.getByTestId('field-name').fill('name');
    const fmt = page.locator('.block-node[data-block="FillTextTemplate"]');
    await fmt.getByTestId('field-format').fill('Hello {name}!');
    await fmt.getByTestId('add-key-input-values').fill('name');
    await fmt.getByTestId('add-key-values').click();
    await fmt.locator('[data-pin="values_#_name"]').waitFor();
    const outNode = page.locator('.block-node[data-block="AgentOutput"]');
    await outNode.getByTestId('field-name').fill('greeting');
    const calc = page.locator('.block-node[data-block="Calculator"]');
    await calc.getByTestId('field-a').fill('abc');
    await calc.getByText('Must be a number').waitFor();
    await calc.getByTestId('field-a').fill('2');
    await shot(page, '04-new-graph-nodes');
  });

  await step('connect pins; incompatible pins are refused with a toast', async () => {
    const input = page.locator('.block-node[data-block="AgentInput"]');
    const fmt = page.locator('.block-node[data-block="FillTextTemplate"]');
    const outNode = page.locator('.block-node[data-block="AgentOutput"]');
    await connect(page, input.locator('[data-pin="result"]'), fmt.locator('[data-pin="values_#_name"]'));
    await connect(page, fmt.locator('[data-pin="output"]'), outNode.locator('[data-pin="value"]'));
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__edge').length === 2);
    const calc = page.locator('.block-node[data-block="Calculator"]');
    const cond = page.locator('.block-node[data-block="Condition"]');
    await connect(page, calc.locator('[data-pin="result"]'), cond.locator('[data-pin="value"]'));
    await page
      .getByText(/Cannot connect Calculator.result → Condition.value: number output cannot feed a boolean input/)
      .waitFor();
    expect((await page.locator('.react-flow__edge').count()) === 2, 'incompatible link not added');
    await shot(page, '05-incompatible-toast');
  });

  await step('undo/redo, copy/paste, delete', async () => {
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    const n0 = await page.locator('.block-node').count();
    await page.keyboard.press('Control+z'); // undo the last commit (a link attempt does not count; last was a link add)
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__edge').length === 1);
    await page.keyboard.press('Control+Shift+z');
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__edge').length === 2);
    await page.locator('.block-node[data-block="Condition"] .node-header').click();
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await page.waitForFunction((n) => document.querySelectorAll('.block-node').length === n + 1, n0);
    await page.keyboard.press('Delete');
    await page.waitForFunction((n) => document.querySelectorAll('.block-node').length === n, n0);
    await page.locator('.block-node[data-block="Condition"] .node-header').click();
    await page.keyboard.press('Delete');
    await page.locator('.block-node[data-block="Calculator"] .node-header').click();
    await page.keyboard.press('Delete');
    await page.waitForFunction((n) => document.querySelectorAll('.block-node').length === n - 2, n0);
  });

  let newGraphId = '';
  await step('save (POST then PUT) and version conflict', async () => {
    await page.getByTestId('graph-name').fill('Smoke agent');
    await page.getByTestId('save-button').click();
    await page.getByText('Saved version 1').waitFor();
    await page.waitForURL(/\/graphs\/[0-9a-f-]+$/);
    newGraphId = page.url().split('/').pop()!;
    await page.locator('.block-node[data-block="FillTextTemplate"]').getByTestId('field-format').fill('Hello {name}!!');
    await page.getByTestId('save-button').click();
    await page.getByText('Saved version 2').waitFor();
    fake.bumpVersion(newGraphId);
    await page.locator('.block-node[data-block="FillTextTemplate"]').getByTestId('field-format').fill('Hello {name}!');
    await page.getByTestId('save-button').click();
    await page.getByTestId('conflict-banner').waitFor();
    expect(fake.graphs.get(newGraphId)!.versions.length === 3, 'conflict did not overwrite');
    await shot(page, '06-conflict');
    await page.getByTestId('load-latest').click();
    await page.getByTestId('conflict-banner').waitFor({ state: 'detached' });
  });

  await step('run: live node states, reconnect, outputs', async () => {
    await page.locator('.block-node[data-block="FillTextTemplate"]').getByTestId('field-format').fill('Hello {name}!');
    await page.getByTestId('run-input-name').fill('world');
    await page.getByTestId('run-button').click();
    await page
      .locator(
        '.block-node[data-block="AgentInput"][data-status="RUNNING"], .block-node[data-block="AgentInput"][data-status="COMPLETED"]',
      )
      .waitFor();
    fake.dropSockets(); // the client must reconnect and resubscribe with lastPosition
    await page.getByTestId('output-greeting').waitFor({ timeout: 15000 });
    const text = await page.getByTestId('output-panel').innerText();
    expect(text.includes('greeting: Hello world!'), `output panel shows the greeting (got ${text})`);
    for (let i = 0; i < 50 && !fake.subscriptions.some((s) => typeof s.lastPosition === 'number'); i++)
      await page.waitForTimeout(100);
    expect(
      fake.subscriptions.some((s) => typeof s.lastPosition === 'number'),
      'resubscribed with lastPosition',
    );
    await page.locator('.block-node[data-block="AgentOutput"][data-status="COMPLETED"]').waitFor();
    await page.locator('.block-node[data-block="FillTextTemplate"]').locator('.node-header').click();
    await page.getByTestId('node-inspector').getByText('Hello world!').first().waitFor();
    await shot(page, '07-run-completed');
  });

  await step('review: approve with edited data', async () => {
    await page.goto(`${base}/graphs/${hello.id}`);
    await page.locator('.block-node[data-block="HumanReview"]').waitFor();
    await page.getByTestId('run-input-name').fill('reviewer');
    await page.getByTestId('run-button').click();
    await page.getByTestId('review-panel').waitFor({ timeout: 15000 });
    await page.locator('.block-node[data-block="HumanReview"][data-status="REVIEW"]').waitFor();
    await shot(page, '08-review-pending');
    await page.getByTestId('review-data').fill('"Hello, edited reviewer!"');
    await page.getByTestId('review-approve').click();
    await page.getByText('greeting: Hello, edited reviewer!').waitFor({ timeout: 15000 });
    await page.getByTestId('execution-status').getByText('COMPLETED').waitFor();
    await shot(page, '09-review-approved');
  });

  await step('cancel a run waiting for review', async () => {
    await page.getByTestId('run-button').click();
    await page.getByTestId('review-panel').waitFor({ timeout: 15000 });
    await page.getByTestId('cancel-button').click();
    await page.getByTestId('execution-status').getByText('TERMINATED').waitFor({ timeout: 15000 });
    await page.locator('.block-node[data-block="HumanReview"][data-status="TERMINATED"]').waitFor();
    expect((await page.getByTestId('execution-history').locator('li').count()) === 2, 'history lists both runs');
  });

  await step('version history and restore', async () => {
    await page.goto(`${base}/graphs/${newGraphId}`);
    await page.getByTestId('versions-button').click();
    await page.getByTestId('restore-1').click();
    await page.getByText(/Restored version 1 as version/).waitFor();
    await shot(page, '10-versions');
  });

  await step('1,000 nodes / 1,500 links render and stay interactive', async () => {
    const t0 = Date.now();
    await page.goto(`${base}/graphs/${bigG.id}`);
    await page.locator('.block-node').first().waitFor();
    const loadMs = Date.now() - t0;
    const rendered = await page.locator('.block-node').count();
    // Start the pan on empty canvas, not on a card.
    const start = await page.evaluate(() => {
      const r = document.querySelector('.react-flow__pane')!.getBoundingClientRect();
      for (let y = r.top + r.height - 20; y > r.top; y -= 15)
        for (let x = r.left + r.width / 2; x < r.right - 250; x += 15)
          if (document.elementFromPoint(x, y)?.classList.contains('react-flow__pane')) return { x, y };
      return { x: r.left + 10, y: r.top + 10 };
    });
    const t1 = Date.now();
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    for (let i = 0; i < 30; i++) await page.mouse.move(start.x - i * 20, start.y - i * 10);
    await page.mouse.up();
    const panMs = Date.now() - t1;
    const t2 = Date.now();
    for (let i = 0; i < 4; i++) await page.getByRole('button', { name: /zoom out/i }).click();
    await page.waitForTimeout(300);
    const zoomMs = Date.now() - t2;
    const t3 = Date.now();
    await page.locator('.block-node').first().locator('.node-header').click();
    const selectMs = Date.now() - t3;
    console.log(
      `     load ${loadMs} ms, ${rendered} node cards mounted, 30 pan moves ${panMs} ms, 4 zoom-outs ${zoomMs} ms, select ${selectMs} ms`,
    );
    expect(loadMs < 8000 && panMs < 5000, 'large graph is responsive');
    await shot(page, '11-big-graph');

    // 3,000 node events as fast as the fake can send them; the canvas applies them once per frame.
    const t4 = Date.now();
    await page.getByTestId('run-button').click();
    await page.getByTestId('execution-status').getByText('COMPLETED').waitFor({ timeout: 60000 });
    await page.locator('.block-node[data-status="COMPLETED"] [data-testid="node-count"]').first().waitFor();
    const frameOk = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const t = performance.now();
          requestAnimationFrame(() => resolve(performance.now() - t));
        }),
    );
    console.log(
      `     live run of 1,000 nodes finished in ${Date.now() - t4} ms; next frame after ${frameOk.toFixed(0)} ms`,
    );
    await shot(page, '12-big-graph-run');
  });

  console.log(
    consoleErrors.length ? `console errors:\n  ${consoleErrors.slice(0, 10).join('\n  ')}` : 'no console errors',
  );
  await browser.close();
  await fake.stop();
  console.log(failures.length ? `${failures.length} step(s) failed: ${failures.join(', ')}` : 'smoke passed');
  process.exit(failures.length ? 1 : 0);
}

void main();
