import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { ADMIN, api, BLOCK, login, startTestPlatform, tempDataDir } from './support';
import type { Platform } from '../src/platform';

const CHROMIUM = '/usr/bin/chromium';
const EDITOR_DIST = path.resolve(__dirname, '../../editor/dist/index.html');
const SHOTS = path.resolve(__dirname, '../../../test-results/editor');
const AXE = require.resolve('axe-core/axe.min.js');
const canRun = fs.existsSync(CHROMIUM) && fs.existsSync(EDITOR_DIST);
if (!canRun) console.warn(`editor build e2e skipped: needs ${CHROMIUM} (apt-get install chromium) and a built editor (npm run build:editor)`);

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

/** Runs axe-core in the page; returns the serious and critical violations, one readable line each. */
async function axeCheck(page: Page, name: string): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const result = (await page.evaluate(
    'axe.run(document, { resultTypes: ["violations"], rules: { "color-contrast": { enabled: true } } })',
  )) as { violations: AxeViolation[] };
  fs.writeFileSync(path.join(SHOTS, `axe-${name}.json`), JSON.stringify(result.violations, null, 2));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${name}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** Presses the mouse on one pin, moves to another in steps, releases: how a person draws a link. */
async function drawLink(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error('pin not visible');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

/**
 * A minimal OAuth2 provider on a free port: /authorize consents at once (redirects back with a code and the state),
 * /token swaps a code for tokens granting the scopes asked for.
 */
async function startIdentityProvider(): Promise<{ url: string; close(): Promise<void> }> {
  const codes = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/authorize') {
      const code = `code-${codes.size + 1}`;
      codes.set(code, url.searchParams.get('scope') ?? '');
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const scope = codes.get(form.get('code') ?? '');
        if (scope === undefined) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant' }));
          return;
        }
        codes.delete(form.get('code')!);
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({ access_token: 'e2e-access-token', refresh_token: 'e2e-refresh-token', token_type: 'bearer', expires_in: 3600, scope }),
        );
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

(canRun ? describe : describe.skip)('building an agent in the editor, in a real browser against the real platform', () => {
  const dataDir = tempDataDir();
  let platform: Platform;
  let browser: Browser;
  let page: Page;
  let idp: { url: string; close(): Promise<void> };
  const errors: string[] = [];
  const a11y: string[] = [];
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, name) });

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    // GitHub OAuth configured against a local mock identity provider (it consents at once and issues tokens).
    idp = await startIdentityProvider();
    platform = await startTestPlatform(dataDir, {
      AGENTRY_OAUTH_GITHUB_CLIENT_ID: 'e2e-github-client',
      AGENTRY_OAUTH_GITHUB_CLIENT_SECRET: 'e2e-github-secret',
      AGENTRY_OAUTH_GITHUB_AUTHORIZE_URL: `${idp.url}/authorize`,
      AGENTRY_OAUTH_GITHUB_TOKEN_URL: `${idp.url}/token`,
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // axe-core is injected as a script tag; the gateway's CSP (script-src 'self') would refuse it.
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, bypassCSP: true });
    page.on('dialog', (d) => void d.accept());
    page.on('pageerror', (e) => errors.push(String(e.stack ?? e)));
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.close();
    await idp?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Later tests reuse the first test's session; run on their own (-t), they sign in first. */
  async function ensureSignedIn(): Promise<void> {
    if (page.url().startsWith(platform.url) && (await page.evaluate("sessionStorage.getItem('agentry.token')"))) return;
    await page.goto(`${platform.url}/login`);
    await page.getByTestId('login-email').fill(ADMIN.email);
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('graph-list').waitFor();
  }

  async function dropBlock(name: string, x: number, y: number): Promise<Locator> {
    await page.getByTestId('palette-search').fill(name);
    const before = await page.locator(`[data-block="${name}"]`).count();
    await page.getByTestId(`palette-${name}`).dragTo(page.getByTestId('canvas'), { targetPosition: { x, y } });
    const node = page.locator(`[data-block="${name}"]`).nth(before);
    await node.waitFor();
    return node;
  }

  it('signs in, drags the greeting graph together, links pins with the mouse, saves, runs it and shows "Hello world!"', async () => {
    await page.goto(`${platform.url}/login`);
    await page.getByTestId('login-email').waitFor();
    await shot('build-01-sign-in.png');
    a11y.push(...(await axeCheck(page, 'sign-in')));

    await page.getByTestId('login-email').fill(ADMIN.email);
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('graph-list').waitFor();
    await shot('build-02-graph-list.png');
    a11y.push(...(await axeCheck(page, 'graph-list')));

    await page.getByTestId('graph-new').click();
    await page.getByTestId('canvas').waitFor();
    await page.getByTestId('graph-name').fill('Built greeting');
    const input = await dropBlock('AgentInputBlock', 40, 160);
    const fill = await dropBlock('FillTextTemplateBlock', 380, 120);
    const output = await dropBlock('AgentOutputBlock', 720, 160);
    await page.getByTestId('palette-search').fill('');
    await shot('build-03-blocks-dropped.png');

    await input.getByTestId('field-name').fill('topic');
    await fill.getByTestId('field-format').fill('Hello {{ topic }}!');
    await fill.getByTestId('add-key-input-values').fill('topic');
    await fill.getByTestId('add-key-values').click();
    await fill.getByTestId('handle-in-values_#_topic').waitFor();
    await output.getByTestId('field-name').fill('greeting');

    await drawLink(page, input.getByTestId('handle-out-result'), fill.getByTestId('handle-in-values_#_topic'));
    await page.locator('.react-flow__edge').nth(0).waitFor();
    await drawLink(page, fill.getByTestId('handle-out-output'), output.getByTestId('handle-in-value'));
    await page.locator('.react-flow__edge').nth(1).waitFor();
    // the dict fed through its `values_#_topic` pin no longer claims to be missing
    await fill.getByTestId('field-error-values').waitFor({ state: 'detached' });
    expect(await page.locator('.react-flow__edge').count()).toBe(2);
    await shot('build-04-linked.png');
    a11y.push(...(await axeCheck(page, 'canvas')));

    await page.getByTestId('save-button').click();
    await page.getByTestId('save-status').filter({ hasText: 'Saved · v1' }).waitFor();
    await shot('build-05-saved.png');

    // what was saved is the graph the engine runs: the links and the template went to the server
    const token = await login(platform.url);
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const saved = await api(platform.url, 'GET', `/api/v1/graphs/${id}`, undefined, token);
    expect(saved.status).toBe(200);
    expect(saved.json.nodes.map((n: { blockId: string }) => n.blockId).sort()).toEqual([BLOCK.input, BLOCK.template, BLOCK.output].sort());
    expect(saved.json.links.map((l: { sourceName: string; sinkName: string }) => `${l.sourceName}->${l.sinkName}`).sort()).toEqual([
      'output->value',
      'result->values_#_topic',
    ]);

    await page.getByTestId('run-input-topic').fill('world');
    await page.getByTestId('run-button').click();
    await page.getByTestId('output-greeting').waitFor({ timeout: 30000 }).catch(async (err: unknown) => {
      await shot('build-06-run-failed.png');
      console.error(errors.join('\n'));
      throw err;
    });
    expect(await page.getByTestId('output-greeting').textContent()).toContain('Hello world!');
    for (const node of [input, fill, output]) await node.and(page.locator('[data-status="COMPLETED"]')).waitFor({ timeout: 30000 });
    await shot('build-06-run-completed.png');

    // an incompatible link is refused and explained: a number cannot feed a text template's format
    const calc = await dropBlock('CalculatorBlock', 380, 600);
    await page.getByTestId('palette-search').fill('');
    await drawLink(page, calc.getByTestId('handle-out-result'), fill.getByTestId('handle-in-format'));
    const toast = page.getByTestId('toast').filter({ hasText: 'Cannot connect CalculatorBlock.result → FillTextTemplateBlock.format' });
    await toast.waitFor();
    expect(await toast.textContent()).toMatch(/number/);
    expect(await page.locator('.react-flow__edge').count()).toBe(2);
    await shot('build-07-incompatible-refused.png');
    expect(errors).toEqual([]);
  });

  it('runs a graph with a human review and approves it from the review panel', async () => {
    const token = await login(platform.url);
    const blocks = await api(platform.url, 'GET', '/api/v1/blocks', undefined, token);
    const review = (blocks.json.items as Array<{ id: string; kind: string }>).find((b) => b.kind === 'review');
    expect(review).toBeDefined();
    const created = await api(
      platform.url,
      'POST',
      '/api/v1/graphs',
      {
        name: 'Reviewed greeting',
        nodes: [
          { id: 'in', blockId: BLOCK.input, inputDefault: { name: 'topic' }, metadata: { position: { x: 0, y: 0 } } },
          { id: 'check', blockId: review!.id, inputDefault: { message: 'Is this topic fine?' }, metadata: { position: { x: 320, y: 0 } } },
          { id: 'out', blockId: BLOCK.output, inputDefault: { name: 'approved' }, metadata: { position: { x: 640, y: 0 } } },
        ],
        links: [
          { sourceId: 'in', sourceName: 'result', sinkId: 'check', sinkName: 'data', isStatic: false },
          { sourceId: 'check', sourceName: 'approved_data', sinkId: 'out', sinkName: 'value', isStatic: false },
        ],
      },
      token,
    );
    expect(created.status).toBe(201);
    await ensureSignedIn();
    await page.goto(`${platform.url}/graphs/${encodeURIComponent(created.json.id)}`);
    await page.getByTestId('node-check').waitFor();
    await page.getByTestId('run-input-topic').fill('world');
    await page.getByTestId('run-button').click();
    await page.getByTestId('review-panel').waitFor({ timeout: 30000 });
    await page.locator('[data-testid="node-check"][data-status="REVIEW"]').waitFor();
    expect(await page.getByTestId('review-panel').textContent()).toContain('Is this topic fine?');
    await shot('build-08-review-pending.png');
    a11y.push(...(await axeCheck(page, 'canvas-review')));

    await page.getByTestId('review-approve').click();
    await page.getByTestId('output-approved').filter({ hasText: 'world' }).waitFor({ timeout: 30000 });
    for (const id of ['in', 'check', 'out']) await page.locator(`[data-testid="node-${id}"][data-status="COMPLETED"]`).waitFor({ timeout: 30000 });
    await page.getByTestId('execution-status').filter({ hasText: 'COMPLETED' }).waitFor();
    expect(await page.getByTestId('review-panel').count()).toBe(0);
    await shot('build-09-review-approved.png');
    expect(errors).toEqual([]);
  });

  it('picks credentials on a node card: adds an API key inline, picks it, saves the reference; "Connect github" runs the OAuth flow and picks the connected account', async () => {
    const token = await login(platform.url);
    const blocks = await api(platform.url, 'GET', '/api/v1/blocks', undefined, token);
    const github = (blocks.json.items as Array<{ id: string; name: string; credentials?: { field: string; providers: string[]; types: string[] } }>).find(
      (b) => b.name === 'GithubReadIssueBlock',
    );
    expect(github?.credentials).toMatchObject({ field: 'credentials', providers: ['github'], types: expect.arrayContaining(['api_key', 'oauth2']) });
    // a credential of another provider is not offered
    expect((await api(platform.url, 'POST', '/api/v1/credentials', { provider: 'openai', type: 'api_key', title: 'Not for GitHub', secret: { apiKey: 'sk-other' } }, token)).status).toBe(201);
    const created = await api(
      platform.url,
      'POST',
      '/api/v1/graphs',
      { name: 'Read an issue', nodes: [{ id: 'gh', blockId: github!.id, inputDefault: { issue_url: 'https://github.com/agentry/agentry/issues/1' }, metadata: { position: { x: 0, y: 0 } } }], links: [] },
      token,
    );
    expect(created.status).toBe(201);
    await ensureSignedIn();
    await page.goto(`${platform.url}/graphs/${encodeURIComponent(created.json.id)}`);
    const node = page.getByTestId('node-gh');
    const picker = node.getByTestId('credentials-picker');
    await picker.waitFor();
    await picker.getByTestId('credentials-select').locator('option', { hasText: 'None yet' }).waitFor({ state: 'attached' });
    await shot('build-11-credentials-empty.png');

    const secret = 'ghp-e2e-inline-secret-4242';
    await picker.getByTestId('credentials-new-key').click();
    await picker.getByTestId('credentials-key-save').click();
    await picker.getByText('Enter the API key').waitFor();
    await picker.getByTestId('credentials-key-title').fill('CI token');
    await picker.getByTestId('credentials-key-value').fill(secret);
    await shot('build-12-credentials-new-key.png');
    await picker.getByTestId('credentials-key-save').click();
    const select = picker.getByTestId('credentials-select');
    await select.locator('option', { hasText: 'CI token (github, API key)' }).waitFor({ state: 'attached' });
    const listed = await api(platform.url, 'GET', '/api/v1/credentials?provider=github', undefined, token);
    const ci = (listed.json.items as Array<{ id: string; title: string }>).find((c) => c.title === 'CI token');
    expect(ci).toBeDefined();
    expect(await select.inputValue()).toBe(ci!.id);
    expect(await select.locator('option').allTextContents()).not.toContain('Not for GitHub (openai, API key)');
    a11y.push(...(await axeCheck(page, 'canvas-credentials')));

    await page.getByTestId('save-button').click();
    await page.getByTestId('save-status').filter({ hasText: 'Saved · v2' }).waitFor();
    const saved = await api(platform.url, 'GET', `/api/v1/graphs/${created.json.id}`, undefined, token);
    expect(saved.json.nodes[0].inputDefault.credentials).toEqual({ id: ci!.id, provider: 'github', type: 'api_key', title: 'CI token' });
    expect(JSON.stringify(saved.json)).not.toContain(secret);

    // picked again after a reload, from the saved reference
    await page.reload();
    await page.getByTestId('node-gh').getByTestId('credentials-select').locator('option', { hasText: 'CI token' }).waitFor({ state: 'attached' });
    expect(await page.getByTestId('node-gh').getByTestId('credentials-select').inputValue()).toBe(ci!.id);

    // OAuth: "Connect github" starts the flow and opens the provider; once it comes back connected, the new
    // credential is listed and picked for this node
    const authorizeRequests: string[] = [];
    page.context().on('request', (r) => {
      if (r.url().startsWith(`${idp.url}/authorize`)) authorizeRequests.push(r.url());
    });
    const popupOpened = page.waitForEvent('popup');
    await page.getByTestId('node-gh').getByTestId('credentials-connect-github').click();
    const popup = await popupOpened;
    await popup.waitForURL(`${platform.url}/api/v1/oauth/callback**`);
    await popup.getByText('is connected').waitFor();
    await popup.screenshot({ path: path.join(SHOTS, 'build-13-oauth-connected.png') });
    expect(authorizeRequests).toHaveLength(1);
    const authorize = new URL(authorizeRequests[0]);
    expect(authorize.searchParams.get('client_id')).toBe('e2e-github-client');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${platform.url}/api/v1/oauth/callback`);
    await popup.close();
    await page.bringToFront();
    const oauthCreds = await api(platform.url, 'GET', '/api/v1/credentials?provider=github', undefined, token);
    const connected = (oauthCreds.json.items as Array<{ id: string; type: string; status: string }>).find((c) => c.type === 'oauth2');
    expect(connected).toMatchObject({ status: 'active' });
    // (the list reloads when the window regains focus; the Refresh button does the same on demand)
    await page.getByTestId('node-gh').getByTestId('credentials-refresh').click();
    const ghSelect = page.getByTestId('node-gh').getByTestId('credentials-select');
    await ghSelect.locator(`option[value="${connected!.id}"]`).waitFor({ state: 'attached' });
    await page.waitForFunction(
      `document.querySelector('[data-testid="node-gh"] [data-testid="credentials-select"]')?.value === ${JSON.stringify(connected!.id)}`,
    );
    await shot('build-14-oauth-picked.png');
    await page.getByTestId('save-button').click();
    await page.getByTestId('save-status').filter({ hasText: 'Saved · v3' }).waitFor();
    const resaved = await api(platform.url, 'GET', `/api/v1/graphs/${created.json.id}`, undefined, token);
    expect(resaved.json.nodes[0].inputDefault.credentials).toMatchObject({ id: connected!.id, provider: 'github', type: 'oauth2' });
    expect(errors).toEqual([]);
  });

  it('opens a 300-node graph without ever mounting every card, and draws links at the measured pins', async () => {
    const token = await login(platform.url);
    const STORE_VALUE = '1ff065e9-88e8-4358-9d82-8dc91f622ba9'; // StoreValueBlock: input -> output
    const n = 300;
    const nodes = Array.from({ length: n }, (_, i) => ({ id: `c${i}`, blockId: STORE_VALUE, inputDefault: i === 0 ? { input: 'x' } : {}, metadata: { position: { x: (i % 20) * 320, y: Math.floor(i / 20) * 220 } } }));
    const links = nodes.slice(1).map((node, i) => ({ sourceId: `c${i}`, sourceName: 'output', sinkId: node.id, sinkName: 'input', isStatic: false }));
    const created = await api(platform.url, 'POST', '/api/v1/graphs', { name: 'Big chain', nodes, links }, token);
    expect(created.status).toBe(201);

    const big = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    big.on('pageerror', (e) => errors.push(String(e.stack ?? e)));
    // the most cards ever in the DOM at once, from the first frame on
    await big.addInitScript(`
      window.__maxCards = 0;
      new MutationObserver(() => {
        window.__maxCards = Math.max(window.__maxCards, document.querySelectorAll('.react-flow__node').length);
      }).observe(document, { subtree: true, childList: true });
    `);
    await big.goto(`${platform.url}/login`);
    await big.getByTestId('login-email').fill(ADMIN.email);
    await big.getByTestId('login-password').fill(ADMIN.password);
    await big.getByTestId('login-submit').click();
    await big.getByTestId(`graph-row-${created.json.id}`).getByTestId('graph-open').click();
    await big.getByTestId('node-c1').waitFor();
    await big.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    const maxCards = (await big.evaluate('window.__maxCards')) as number;
    expect(maxCards).toBeGreaterThan(0);
    expect(maxCards).toBeLessThan(n / 2);

    // the link c0 -> c1 starts at c0's output pin and ends at c1's input pin, as measured in the page
    const ends = (await big.evaluate(`(() => {
      const edge = document.querySelector('.react-flow__edge[aria-label="Edge from c0 to c1"] path.react-flow__edge-path');
      if (!edge) return null;
      const m = edge.getScreenCTM();
      const at = (len) => { const p = edge.getPointAtLength(len); return { x: p.x * m.a + p.y * m.c + m.e, y: p.x * m.b + p.y * m.d + m.f }; };
      const centre = (sel) => { const r = document.querySelector(sel).getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; };
      return {
        start: at(0),
        end: at(edge.getTotalLength()),
        out: centre('[data-testid="node-c0"] [data-testid="handle-out-output"]'),
        in: centre('[data-testid="node-c1"] [data-testid="handle-in-input"]'),
      };
    })()`)) as { start: { x: number; y: number }; end: { x: number; y: number }; out: { x: number; y: number }; in: { x: number; y: number } } | null;
    expect(ends).not.toBeNull();
    const near = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y);
    expect(near(ends!.start, ends!.out)).toBeLessThan(8);
    expect(near(ends!.end, ends!.in)).toBeLessThan(8);
    await big.screenshot({ path: path.join(SHOTS, 'build-15-large-graph.png') });
    await big.close();
    expect(errors).toEqual([]);
  });

  it('has no serious or critical axe-core violations on sign-in, the agent list, the canvas, the store and its profile and submit pages', async () => {
    await page.goto(`${platform.url}/store`);
    await page.getByTestId('store-total').waitFor();
    await shot('build-10-store.png');
    a11y.push(...(await axeCheck(page, 'store')));
    await ensureSignedIn();
    await page.goto(`${platform.url}/store/profile`);
    await page.getByTestId('profile-form').waitFor();
    a11y.push(...(await axeCheck(page, 'store-profile')));
    await page.goto(`${platform.url}/store/submit`);
    await page.getByTestId('submit-form').waitFor();
    a11y.push(...(await axeCheck(page, 'store-submit')));
    expect(a11y).toEqual([]);
  });
});
