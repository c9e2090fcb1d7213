import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ADMIN, api, greetingGraph, login, startTestPlatform, tempDataDir } from './support';
import type { Platform } from '../src/platform';

const CHROMIUM = '/usr/bin/chromium';
const EDITOR_DIST = path.resolve(__dirname, '../../editor/dist/index.html');
const SHOTS = path.resolve(__dirname, '../../../test-results/editor');
const canRun = fs.existsSync(CHROMIUM) && fs.existsSync(EDITOR_DIST);
if (!canRun) console.warn(`editor e2e skipped: needs ${CHROMIUM} (apt-get install chromium) and a built editor (npm run build:editor)`);

(canRun ? describe : describe.skip)('the editor in a real browser against the real platform', () => {
  const dataDir = tempDataDir();
  let platform: Platform;
  let browser: Browser;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    platform = await startTestPlatform(dataDir);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs in, opens the greeting graph, runs it with topic "world" and shows "Hello world!" with every node completed', async () => {
    const token = await login(platform.url);
    const created = await api(platform.url, 'POST', '/api/v1/graphs', greetingGraph(), token);
    expect(created.status).toBe(201);

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('dialog', (d) => void d.accept());
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e.stack ?? e)));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
    await page.goto(platform.url);
    await page.getByTestId('login-email').fill(ADMIN.email);
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId(`graph-row-${created.json.id}`).waitFor();
    await page.screenshot({ path: path.join(SHOTS, '01-graph-list.png') });

    await page.getByTestId(`graph-row-${created.json.id}`).getByTestId('graph-open').click();
    await page.getByTestId('node-fill').waitFor();
    await page.screenshot({ path: path.join(SHOTS, '02-canvas.png') });

    await page.getByTestId('run-input-topic').fill('world');
    await page.getByTestId('run-button').click();
    await page.getByTestId('output-greeting').waitFor({ timeout: 30000 }).catch(async (err: unknown) => {
      await page.screenshot({ path: path.join(SHOTS, '03-run-failed.png') });
      console.error(pageErrors.join('\n'));
      throw err;
    });
    expect(await page.getByTestId('output-greeting').textContent()).toContain('Hello world!');
    for (const id of ['in', 'fill', 'out']) {
      await page.locator(`[data-testid="node-${id}"][data-status="COMPLETED"]`).waitFor({ timeout: 30000 });
    }
    await page.screenshot({ path: path.join(SHOTS, '03-run-completed.png') });
  });
});
