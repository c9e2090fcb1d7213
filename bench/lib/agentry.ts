/** Agentry under test: the whole platform (`npm start`'s entry) in a child process, driven over its REST API. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteEventLog } from '@agentry/event-log';
import { rebuild } from '@agentry/svc-execution/src/domain/execution/integrity';
import type { EventEnvelope } from '@agentry/kernel';
import { autocannon } from './install';
import { launchChromium, twoFrames, VIEWPORT } from './browser';
import { agentryChain, agentryEditorGraph, agentryFanOut, EDITOR_NODES, FANOUT_ITEMS } from './workloads';
import {
  bounded,
  httpJson,
  interleaved,
  percentile,
  progress,
  REPO,
  rssSampler,
  sleep,
  startChild,
  treeRss,
  type Child,
} from './util';

const ADMIN = { email: 'bench@example.test', password: 'bench-password-not-secret' };
const TERMINAL = ['COMPLETED', 'FAILED', 'TERMINATED'];
/** The view carries requestedAt under `extra`; the list only has startedAt (set when the execution is requested). */
const requestedAt = (e: any): number => Date.parse(e.requestedAt ?? e.extra?.requestedAt ?? e.startedAt);
const SERVICES = ['graph', 'execution', 'block-runner', 'integration', 'store', 'scheduler', 'notification', 'gateway'];

export interface AgentryInstance {
  url: string;
  pid: number;
  startMs: number;
  token: string;
  dataDir: string;
  child: Child;
  stop(): Promise<void>;
}

export async function startAgentry(opts: {
  eventLog?: 'sqlite' | 'jetstream';
  natsUrl?: string;
  cpuProfDir?: string;
}): Promise<AgentryInstance> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-bench-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AGENTRY_DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    AGENTRY_ADMIN_EMAIL: ADMIN.email,
    AGENTRY_ADMIN_PASSWORD: ADMIN.password,
    AGENTRY_EVENT_LOG: opts.eventLog ?? 'sqlite',
    // The benchmark measures the engine, not the gateway's rate limiter (per tenant 6,000 requests/min by default).
    AGENTRY_RATE_LIMIT_PER_TENANT: '0',
    AGENTRY_RATE_LIMIT_PER_KEY: '0',
    ...(opts.natsUrl ? { NATS_URL: opts.natsUrl } : {}),
  };
  delete env.AGENTRY_PUBLIC_URL;
  for (const s of SERVICES) env[`AGENTRY_${s.toUpperCase().replace('-', '_')}_GRPC_PORT`] = '0';
  const prof = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
  const began = performance.now();
  const child = startChild(process.execPath, [...prof, '--import', 'tsx', 'apps/embedded/src/main.ts'], {
    cwd: REPO,
    env,
  });
  const m = await child.waitFor(/Open\s+http:\/\/localhost:(\d+)/, 60000);
  const startMs = performance.now() - began;
  const url = `http://127.0.0.1:${m[1]}`;
  const login = await httpJson('POST', `${url}/api/v1/auth/login`, ADMIN);
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  return {
    url,
    pid: child.proc.pid!,
    startMs,
    token: login.json.accessToken,
    dataDir,
    child,
    stop: async () => {
      await child.stop('SIGINT', 20000);
    },
  };
}

function auth(a: AgentryInstance) {
  return { authorization: `Bearer ${a.token}` };
}

export async function createGraph(a: AgentryInstance, draft: unknown): Promise<string> {
  const r = await httpJson('POST', `${a.url}/api/v1/graphs`, draft, auth(a));
  if (r.status !== 201) throw new Error(`create graph failed: ${r.status} ${r.text.slice(0, 500)}`);
  return r.json.id;
}

export async function execute(a: AgentryInstance, graphId: string): Promise<string> {
  const r = await httpJson('POST', `${a.url}/api/v1/graphs/${graphId}/execute`, { inputs: {} }, auth(a));
  if (r.status !== 202) throw new Error(`execute failed: ${r.status} ${r.text.slice(0, 500)}`);
  return r.json.executionId;
}

/** Executes and polls until terminal. Returns the execution view and the engine-side duration (endedAt - requestedAt). */
export async function runOnce(
  a: AgentryInstance,
  graphId: string,
  pollMs: number,
  boundMs: number,
): Promise<{ view: any; engineMs: number }> {
  const id = await execute(a, graphId);
  const deadline = Date.now() + boundMs;
  for (;;) {
    const r = await httpJson('GET', `${a.url}/api/v1/executions/${id}`, undefined, auth(a));
    if (r.status === 200 && TERMINAL.includes(r.json.status)) {
      if (r.json.status !== 'COMPLETED')
        throw new Error(`execution ${id} ended ${r.json.status}: ${JSON.stringify(r.json.error ?? '')}`);
      return { view: r.json, engineMs: Date.parse(r.json.endedAt) - requestedAt(r.json) };
    }
    if (Date.now() > deadline) {
      await httpJson('POST', `${a.url}/api/v1/executions/${id}/cancel`, {}, auth(a)).catch(() => undefined);
      throw Object.assign(new Error(`execution ${id} did not finish within ${boundMs} ms`), { view: r.json });
    }
    await sleep(pollMs);
  }
}

export interface ChainResult {
  chain1P50Ms: number;
  chain50P50Ms: number;
  chain50EngineP50Ms: number;
  perNodeMs: number;
  iterations: number;
}

/** One execution at a time of a 1-node and a 50-node chain; per-node overhead = (p50(50) - p50(1)) / 49. */
export async function chainScenario(
  a: AgentryInstance,
  opts: { iterations: number; ms: number },
): Promise<ChainResult> {
  const g1 = await createGraph(a, agentryChain(1));
  const g50 = await createGraph(a, agentryChain(50));
  const engine50: number[] = [];
  const [lat1, lat50] = await interleaved(
    async () => void (await runOnce(a, g1, 1, 30000)),
    async () => void engine50.push((await runOnce(a, g50, 1, 30000)).engineMs),
    opts,
  );
  const c1 = percentile(lat1, 50);
  const c50 = percentile(lat50, 50);
  const r = {
    chain1P50Ms: c1,
    chain50P50Ms: c50,
    chain50EngineP50Ms: percentile(engine50, 50),
    perNodeMs: (c50 - c1) / 49,
    iterations: lat50.length,
  };
  progress(
    `  chain: 1 node p50 ${c1.toFixed(1)} ms, 50 nodes p50 ${c50.toFixed(1)} ms (engine ${r.chain50EngineP50Ms} ms) => ${r.perNodeMs.toFixed(2)} ms/node over ${lat50.length} runs`,
  );
  return r;
}

export interface ThroughputResult {
  acceptedPerS: number;
  completedPerS: number;
  completed: number;
  failed: number;
  unfinished: number;
  p50Ms: number;
  p99Ms: number;
  httpP50Ms: number;
  httpP99Ms: number;
  peakRss: number;
}

async function listExecutions(a: AgentryInstance, graphId: string): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | undefined;
  do {
    const q = new URLSearchParams({ graphId, limit: '200', ...(cursor ? { cursor } : {}) });
    const r = await httpJson('GET', `${a.url}/api/v1/executions?${q}`, undefined, auth(a));
    if (r.status !== 200) throw new Error(`list executions failed: ${r.status} ${r.text.slice(0, 300)}`);
    out.push(...r.json.items);
    cursor = r.json.nextCursor;
  } while (cursor);
  return out;
}

/**
 * autocannon POSTs /execute of a 10-node graph at fixed concurrency for `seconds`; the API answers 202 once the
 * execution is durably requested, so completions and their latency (endedAt - requestedAt) are read back from
 * the execution list after the load (waiting, bounded, for the backlog to drain).
 */
export async function throughputScenario(
  a: AgentryInstance,
  opts: { seconds: number; connections: number; drainMs: number },
): Promise<ThroughputResult> {
  const g = await createGraph(a, agentryChain(10));
  await runOnce(a, g, 2, 30000);
  const ac = await autocannon();
  const rss = rssSampler(a.pid);
  const r = await ac({
    url: `${a.url}/api/v1/graphs/${g}/execute`,
    method: 'POST',
    body: '{"inputs":{}}',
    headers: { 'content-type': 'application/json', ...auth(a) },
    connections: opts.connections,
    duration: opts.seconds,
  });
  progress(
    `  throughput: ${Math.round(r.requests.average)} executions/s accepted (202: ${r['2xx']}, other: ${r.non2xx}, errors: ${r.errors}); waiting for the backlog`,
  );
  const deadline = Date.now() + opts.drainMs;
  let items = await listExecutions(a, g);
  while (items.some((e) => !TERMINAL.includes(e.status)) && Date.now() < deadline) {
    await sleep(1000);
    items = await listExecutions(a, g);
    progress(`    ${items.filter((e) => TERMINAL.includes(e.status)).length}/${items.length} finished`);
  }
  const peakRss = rss.stop();
  const done = items.filter((e) => e.status === 'COMPLETED' && e.endedAt);
  const lat = done.map((e) => Date.parse(e.endedAt) - requestedAt(e));
  const first = Math.min(...items.map(requestedAt).filter(Number.isFinite));
  const last = Math.max(...done.map((e) => Date.parse(e.endedAt)));
  const completedPerS = done.length / Math.max((last - first) / 1000, 1e-3);
  const res = {
    acceptedPerS: r.requests.average,
    completedPerS,
    completed: done.length,
    failed: items.filter((e) => e.status === 'FAILED' || e.status === 'TERMINATED').length,
    unfinished: items.filter((e) => !TERMINAL.includes(e.status)).length,
    p50Ms: percentile(lat, 50),
    p99Ms: percentile(lat, 99),
    httpP50Ms: r.latency.p50,
    httpP99Ms: r.latency.p99,
    peakRss,
  };
  progress(
    `  throughput: ${res.completed} completed at ${completedPerS.toFixed(1)}/s, p50 ${res.p50Ms} ms, p99 ${res.p99Ms} ms (failed ${res.failed}, unfinished ${res.unfinished}); peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
  );
  return res;
}

/**
 * One StepThroughItems node emitting 10,000 items, each through 3 pass-through nodes. Progress is read from the
 * execution list (status) and from the SQLite log itself, read-only (completed node executions): the execution's
 * own view of tens of thousands of node executions is too slow to poll. Bounded: at the bound the execution is
 * cancelled and the partial rate (completed branch node executions / 3 per second) is reported.
 */
export async function fanOutScenario(
  a: AgentryInstance,
  boundMs: number,
): Promise<{ ms: number; itemsPerS: number; completedNodes: number; finished: boolean }> {
  const g = await createGraph(a, agentryFanOut(FANOUT_ITEMS));
  // Over JetStream there is no SQLite log to count progress in: the partial rate is then unknown (0).
  const dbFile = path.join(a.dataDir, 'agentry.db');
  const db = fs.existsSync(dbFile) ? new Database(dbFile, { readonly: true, fileMustExist: true }) : undefined;
  try {
    const t0 = performance.now();
    const id = await execute(a, g);
    let count: Database.Statement | undefined;
    try {
      count = db?.prepare(
        "SELECT count(*) AS c FROM event_log WHERE stream_id = ? AND instr(body, 'NodeExecutionCompleted') > 0",
      );
    } catch {
      count = undefined; // a read-model-only database (event log on JetStream)
    }
    const completedNodes = () => (count ? (count.get(`execution-${id}`) as { c: number }).c : 0);
    const deadline = t0 + boundMs;
    while (performance.now() < deadline) {
      await sleep(2000);
      const res = await fetch(`${a.url}/api/v1/executions?graphId=${g}&limit=1`, {
        headers: auth(a),
        signal: AbortSignal.timeout(10_000),
      }).catch(() => undefined);
      const item: any = res?.ok ? ((await res.json().catch(() => undefined)) as any)?.items?.[0] : undefined;
      if (item && TERMINAL.includes(item.status)) {
        if (item.status !== 'COMPLETED') throw new Error(`fan-out execution ended ${item.status}`);
        const ms = Date.parse(item.endedAt) - requestedAt(item);
        progress(`  fan-out: ${FANOUT_ITEMS} items x 3 nodes in ${ms} ms (${completedNodes()} node executions)`);
        return { ms, itemsPerS: FANOUT_ITEMS / (ms / 1000), completedNodes: completedNodes(), finished: true };
      }
    }
    const ms = performance.now() - t0;
    // Items are not processed depth-first: count every completed branch node execution, in item-equivalents.
    const done = Math.max(0, completedNodes() - 1);
    await httpJson('POST', `${a.url}/api/v1/executions/${id}/cancel`, {}, auth(a)).catch(() => undefined);
    progress(
      `  fan-out: not finished within ${Math.round(boundMs / 1000)} s; ${done} branch node executions completed (${Math.floor(done / 3)} item-equivalents); cancelled`,
    );
    return { ms, itemsPerS: done / 3 / (ms / 1000), completedNodes: done, finished: false };
  } finally {
    db?.close();
  }
}

/** Rebuilds every execution stream of a data folder's SQLite log the way the engine does (fold + integrity checks). */
export async function replayScenario(
  dataDir: string,
): Promise<{ events: number; streams: number; eventsPerS: number; ms: number }> {
  const log = createSqliteEventLog({ path: path.join(dataDir, 'agentry.db') });
  try {
    const t0 = performance.now();
    const streams = new Map<string, EventEnvelope[]>();
    let after = 0;
    let events = 0;
    for (;;) {
      const page = await log.events.readAll({ after, limit: 5000, categories: ['execution'] });
      for (const e of page) {
        let list = streams.get(e.streamId);
        if (!list) streams.set(e.streamId, (list = []));
        list.push(e);
      }
      events += page.length;
      if (page.length < 5000) break;
      after = page[page.length - 1].globalPosition;
    }
    for (const [id, list] of streams) rebuild(id, list);
    const ms = performance.now() - t0;
    const r = { events, streams: streams.size, eventsPerS: events / (ms / 1000), ms };
    progress(
      `  replay: ${events} events of ${streams.size} executions rebuilt in ${ms.toFixed(0)} ms => ${Math.round(r.eventsPerS)} events/s`,
    );
    return r;
  } finally {
    await log.close();
  }
}

/** Opens a 1,000-node graph in the built editor in headless Chromium; time from clicking "open" to the last node drawn. */
/** Items of the graph the editor watches live (3 node executions each, plus the emitter). */
export const EDITOR_LIVE_ITEMS = 5000;

export interface EditorLive {
  /** Node executions of the run divided by its duration (started → ended). */
  nodeExecsPerS: number;
  nodeExecs: number;
  /** Longest gap between two animation frames while the run was shown live. */
  maxFrameGapMs: number;
  /** 95th percentile of the frame gaps. */
  p95FrameGapMs: number;
  /** Sum of the page's long tasks (> 50 ms) during the run. */
  longTasksMs: number;
  /** The execution count on the last node's card when the run ended (the page kept up with every event). */
  lastCardCount: number;
}

export async function editorScenario(
  a: AgentryInstance,
  boundMs: number,
): Promise<{ openMs: number; nodes: number; fitMs: number; all: number; live: EditorLive }> {
  const id = await createGraph(a, agentryEditorGraph(EDITOR_NODES, 'bench editor 1000'));
  const liveId = await createGraph(a, { ...agentryFanOut(EDITOR_LIVE_ITEMS), name: 'bench editor live' });
  const browser = await launchChromium();
  try {
    return await bounded(
      'editor',
      boundMs,
      (async () => {
        const page = await browser.newPage({ viewport: VIEWPORT });
        await page.goto(a.url);
        await page.getByTestId('login-email').fill(ADMIN.email);
        await page.getByTestId('login-password').fill(ADMIN.password);
        await page.getByTestId('login-submit').click();
        await page.getByTestId(`graph-row-${id}`).waitFor({ timeout: boundMs });
        const t0 = performance.now();
        await page.getByTestId(`graph-row-${id}`).getByTestId('graph-open').click();
        // Large graphs are culled to the viewport (onlyRenderVisibleElements): "open" = the first nodes drawn.
        await page.locator('[data-testid="node-n0"]').waitFor({ state: 'visible', timeout: boundMs });
        await twoFrames(page);
        const openMs = performance.now() - t0;
        const nodes = await page.locator('[data-testid^="node-n"]').count();
        // Worst case: fit all 1,000 nodes in view (every node mounts), until the last one is drawn.
        const t1 = performance.now();
        await page.locator('.react-flow__controls-fitview').click();
        await page.locator('[data-testid="node-n999"]').waitFor({ state: 'attached', timeout: boundMs });
        await twoFrames(page);
        const fitMs = performance.now() - t1;
        const all = await page.locator('[data-testid^="node-n"]').count();
        progress(
          `  editor: 1,000-node graph open in ${openMs.toFixed(0)} ms (${nodes} nodes in view); fit-all in ${fitMs.toFixed(0)} ms (${all} nodes drawn)`,
        );
        const live = await editorLive(a, page, liveId, boundMs);
        progress(
          `  editor live: ${live.nodeExecs} node executions at ${live.nodeExecsPerS.toFixed(0)}/s shown live; frame gap max ${live.maxFrameGapMs.toFixed(0)} ms, p95 ${live.p95FrameGapMs.toFixed(0)} ms; long tasks ${live.longTasksMs.toFixed(0)} ms; last card shows ${live.lastCardCount}`,
        );
        return { openMs, nodes, fitMs, all, live };
      })(),
    );
  } finally {
    await browser.close();
  }
}

/**
 * Live updates (issue #7): the fan-out graph is opened in the editor and run from its Run button; while the engine
 * pushes its node executions over the WebSocket, the page records every animation-frame gap and its long tasks.
 */
async function editorLive(
  a: AgentryInstance,
  page: import('playwright-core').Page,
  graphId: string,
  boundMs: number,
): Promise<EditorLive> {
  await page.goto(a.url);
  await page.getByTestId(`graph-row-${graphId}`).getByTestId('graph-open').click();
  await page.locator('[data-testid="node-b3"]').waitFor({ state: 'visible', timeout: boundMs });
  await page.evaluate(`(() => {
    const w = window;
    w.__bench = { gaps: [], longTasks: 0, stop: false };
    new PerformanceObserver((list) => { for (const e of list.getEntries()) w.__bench.longTasks += e.duration; }).observe({ type: 'longtask' });
    let last = performance.now();
    const frame = (t) => { w.__bench.gaps.push(t - last); last = t; if (!w.__bench.stop) requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
  })()`);
  await page.getByTestId('run-button').click();
  await page.getByTestId('execution-status').filter({ hasText: 'COMPLETED' }).waitFor({ timeout: boundMs });
  await twoFrames(page);
  const probe = (await page.evaluate(
    '(() => { window.__bench.stop = true; return { gaps: window.__bench.gaps, longTasks: window.__bench.longTasks }; })()',
  )) as { gaps: number[]; longTasks: number };
  const count = Number(
    (await page.locator('[data-testid="node-b3"] [data-testid="node-count"]').textContent({ timeout: boundMs })) ?? '0',
  );
  const list = await httpJson('GET', `${a.url}/api/v1/executions?graphId=${graphId}&limit=1`, undefined, auth(a));
  const exec = list.json.items?.[0] as { id: string } | undefined;
  if (!exec) throw new Error('the live run is not in the execution list');
  const view = await httpJson('GET', `${a.url}/api/v1/executions/${exec.id}`, undefined, auth(a));
  const nodeExecs = EDITOR_LIVE_ITEMS * 3 + 1;
  const durationS = (Date.parse(view.json.endedAt) - Date.parse(view.json.startedAt)) / 1000;
  const gaps = probe.gaps.slice(1);
  return {
    nodeExecsPerS: nodeExecs / durationS,
    nodeExecs,
    maxFrameGapMs: Math.max(0, ...gaps),
    p95FrameGapMs: percentile(gaps, 95),
    longTasksMs: probe.longTasks,
    lastCardCount: count,
  };
}

export const idleRss = async (a: AgentryInstance) => {
  await sleep(2000);
  return treeRss(a.pid);
};
