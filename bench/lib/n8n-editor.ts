/**
 * The editor scenario for n8n: its owner account set up over its REST API, the editor scenario's 1,000-node chain
 * created as a workflow, then opened from its workflow list in headless Chromium, the way the Agentry editor
 * scenario opens its graph from the graph list.
 */
import { randomUUID } from 'node:crypto';
import { launchChromium, twoFrames, VIEWPORT } from './browser';
import type { PeerInstance } from './peers';
import { bounded, progress } from './util';
import { EDITOR_NODES, n8nEditorWorkflow } from './workloads';

/** n8n's password rules: 8 to 64 characters, a digit and an upper-case letter. */
export const N8N_OWNER = { email: 'bench@example.test', firstName: 'Bench', lastName: 'Owner', password: 'Bench-password-1' };
const AUTH_COOKIE = 'n8n-auth';

export interface EditorResult {
  openMs: number;
  /** From the click to node n0 in the DOM (not yet necessarily drawn). */
  mountedMs: number;
  /** Nodes mounted once open. */
  nodes: number;
  /** Set when the last node was out of view on open, so fitting all of it in view is work comparable to Agentry's. */
  fitMs?: number;
  /** Nodes mounted after the fit (or on open when no fit was measured). */
  all: number;
  /** Whether the last node (n999) was already drawn inside the window on open. */
  lastInViewOnOpen: boolean;
}

/** Calls n8n's REST API (`/rest/...`) as a browser would: its auth cookie is bound to the `browser-id` header. */
async function rest(origin: string, method: string, route: string, body: unknown, auth: { browserId: string; cookie?: string }) {
  const res = await fetch(`${origin}/rest${route}`, {
    method,
    headers: { 'content-type': 'application/json', 'browser-id': auth.browserId, ...(auth.cookie ? { cookie: auth.cookie } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith(`${AUTH_COOKIE}=`));
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, cookie };
}

/** Sets up n8n's owner account (or logs in when it exists already) and returns the session cookie. */
export async function n8nOwnerSession(origin: string, browserId: string): Promise<string> {
  const setup = await rest(origin, 'POST', '/owner/setup', N8N_OWNER, { browserId });
  if (setup.status === 200 && setup.cookie) return setup.cookie;
  const login = await rest(origin, 'POST', '/login', { emailOrLdapLoginId: N8N_OWNER.email, password: N8N_OWNER.password }, { browserId });
  if (login.status !== 200 || !login.cookie) throw new Error(`n8n owner setup answered ${setup.status} ${setup.text.slice(0, 200)}; login answered ${login.status} ${login.text.slice(0, 200)}`);
  return login.cookie;
}

/**
 * Opens the 1,000-node workflow in n8n's editor, measured exactly like Agentry's: from clicking the workflow in the
 * list to the first node (n0) visible, plus two animation frames; then, only when the last node is out of view,
 * n8n's "zoom to fit" until the last node is drawn, plus two frames.
 */
export async function n8nEditorScenario(p: PeerInstance, boundMs: number): Promise<EditorResult> {
  const browserId = randomUUID();
  const cookie = await n8nOwnerSession(p.url, browserId);
  const workflow = n8nEditorWorkflow(EDITOR_NODES);
  const created = await rest(p.url, 'POST', '/workflows', workflow, { browserId, cookie });
  const id: string | undefined = created.json?.data?.id ?? created.json?.id;
  if (created.status !== 200 || !id) throw new Error(`n8n create workflow answered ${created.status}: ${created.text.slice(0, 400)}`);
  const browser = await launchChromium();
  try {
    return await bounded(
      'n8n editor',
      boundMs,
      (async () => {
        const page = await browser.newPage({ viewport: VIEWPORT });
        await page.goto(`${p.url}/signin`);
        await page.locator('[data-test-id="emailOrLdapLoginId"] input').fill(N8N_OWNER.email);
        await page.locator('[data-test-id="password"] input').fill(N8N_OWNER.password);
        await page.locator('[data-test-id="form-submit-button"]').click();
        const card = page.locator(`[data-test-id="resources-list-item-workflow"][data-resourceid="${id}"]`);
        await card.waitFor({ timeout: boundMs });
        const node = (name: string) => page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);
        const t0 = performance.now();
        await card.locator('[data-test-id="workflow-card-name"]').click();
        await node('n0').waitFor({ state: 'attached', timeout: boundMs });
        const mountedMs = performance.now() - t0;
        await node('n0').waitFor({ state: 'visible', timeout: boundMs });
        await twoFrames(page);
        const openMs = performance.now() - t0;
        if (!page.url().includes(`/workflow/${id}`)) throw new Error(`n8n opened ${page.url()}, not /workflow/${id}`);
        const nodes = await page.locator('[data-test-id="canvas-node"]').count();
        const last = node(`n${EDITOR_NODES - 1}`);
        const inView = async () => {
          if ((await last.count()) === 0) return false;
          const box = await last.boundingBox();
          return !!box && box.x >= 0 && box.y >= 0 && box.x + box.width <= VIEWPORT.width && box.y + box.height <= VIEWPORT.height;
        };
        const lastInViewOnOpen = await inView();
        let fitMs: number | undefined;
        if (!lastInViewOnOpen) {
          const t1 = performance.now();
          await page.locator('[data-test-id="zoom-to-fit"]').click();
          await last.waitFor({ state: 'visible', timeout: boundMs });
          // Every node is mounted already: wait until the fit has brought the last one entirely into the window.
          const lastSelector = JSON.stringify(`[data-test-id="canvas-node"][data-node-name="n${EDITOR_NODES - 1}"]`);
          await page.waitForFunction(
            `(() => { const r = document.querySelector(${lastSelector})?.getBoundingClientRect(); return !!r && r.left >= 0 && r.top >= 0 && r.right <= ${VIEWPORT.width} && r.bottom <= ${VIEWPORT.height}; })()`,
            undefined,
            { timeout: boundMs, polling: 'raf' },
          );
          await twoFrames(page);
          fitMs = performance.now() - t1;
        }
        const all = await page.locator('[data-test-id="canvas-node"]').count();
        progress(`  n8n editor: 1,000-node workflow open in ${openMs.toFixed(0)} ms (n0 in the DOM after ${mountedMs.toFixed(0)} ms; ${nodes} nodes mounted, last node ${lastInViewOnOpen ? 'already in view' : 'out of view'})${fitMs === undefined ? '' : `; zoom to fit in ${fitMs.toFixed(0)} ms (${all} nodes)`}`);
        return { openMs, mountedMs, nodes, fitMs, all, lastInViewOnOpen };
      })(),
    );
  } finally {
    await browser.close();
  }
}
