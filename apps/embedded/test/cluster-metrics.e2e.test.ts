/**
 * Distributed-mode scrape (issue #10 part 3): every service in its own process on a private nats-server
 * (`npm run dev:cluster`'s supervisor), a few executions that exercise what the Grafana dashboards show
 * (successful runs with an LLM call, a node retry, a lease lost to a killed block-runner), then each
 * service's /metrics is scraped and every metric the dashboards use must have samples on the service
 * that owns it. Skips, saying why, when nats-server is not installed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVICE_NAMES, type ServiceName } from '@agentry/config';
import { startFakeOpenAi, type FakeLlmServer } from '@agentry/testing';
import { natsServerAvailable, NATS_SERVER_BIN, startNatsServer, type PrivateNatsServer } from '../src/cluster/nats';
import { freeBasePort, freePort } from '../src/cluster/ports';
import { REPO_ROOT, startCluster, type Cluster } from '../src/cluster/supervisor';
import { startCountingServer, type CountingServer } from '../src/cluster/testing';

const ADMIN = { email: 'admin@example.test', password: 'correct-horse-battery' };
const BLOCK = { input: 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b', template: 'db7d8f02-2f44-4c55-ab7a-eae0941f0c30', output: '363ae599-353e-4804-937e-b2ee3cef3da4' };
const WEBHOOK_BLOCK = 'd9c2e8cf-c4b6-4f1b-a588-b276d185050a';
const AI_TEXT_BLOCK = '1f292d4a-41a4-4977-9684-7c8d560b9f91';
const TERMINAL = new Set(['COMPLETED', 'FAILED', 'TERMINATED']);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Which process serves each metric the dashboards use (docs/metrics.md). Every service also serves the
 * HTTP metrics of its ops port (the supervisor's /readyz polls are requests).
 */
const OWNERS: Record<string, readonly ServiceName[]> = {
  agentry_http_requests_total: SERVICE_NAMES,
  agentry_http_request_duration_seconds: SERVICE_NAMES,
  agentry_grpc_requests_total: ['graph', 'execution', 'integration'],
  agentry_executions_total: ['execution'],
  agentry_executions_started_total: ['execution'],
  agentry_node_executions_total: ['execution'],
  agentry_node_duration_seconds: ['execution'],
  agentry_node_retries_total: ['execution'],
  agentry_lease_expiries_total: ['execution'],
  agentry_llm_tokens_total: ['execution'],
  agentry_llm_cost_usd_total: ['execution'],
  agentry_queue_depth: ['execution'],
  agentry_consumer_lag_seconds: ['execution'],
};

/** Metric family → number of samples in a Prometheus text exposition (histogram series folded into their family). */
function samplesByFamily(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (!name) continue;
    const family = name.replace(/_(bucket|sum|count)$/, '');
    out.set(family, (out.get(family) ?? 0) + 1);
  }
  return out;
}

/**
 * Metric families the dashboards' PromQL uses (charts/agentry/test/dashboards.ts does the same for the
 * registry test): every Agentry metric starts with `agentry_`, histogram series fold into their family.
 */
function metricNamesInDashboards(): string[] {
  const dir = path.join(REPO_ROOT, 'charts/agentry/dashboards');
  const names = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').match(/\bagentry_[a-zA-Z0-9_:]+/g) ?? [])
    .map((n) => n.replace(/_(bucket|sum|count)$/, ''));
  return [...new Set(names)].sort();
}

const available = natsServerAvailable();
if (!available) process.stdout.write(`cluster-metrics: skipped: ${NATS_SERVER_BIN} is missing (install nats-server)\n`);
const suite = available ? describe : describe.skip;

suite('cluster metrics: every dashboard metric has samples on the service that serves it', () => {
  let root: string;
  let nats: PrivateNatsServer;
  let cluster: Cluster;
  let llm: FakeLlmServer;
  let effects: CountingServer;
  let token = '';

  async function call(method: string, pathname: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${cluster.url}${pathname}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }

  async function createGraph(graph: unknown): Promise<string> {
    const res = await call('POST', '/api/v1/graphs', graph);
    expect(res.status).toBe(201);
    return res.json.id;
  }

  async function execute(graphId: string, topic: string): Promise<string> {
    const res = await call('POST', `/api/v1/graphs/${graphId}/execute`, { inputs: { topic } });
    expect(res.status).toBe(202);
    return res.json.executionId;
  }

  async function waitTerminal(executionId: string, attempts = 900): Promise<any> {
    let last: any;
    for (let i = 0; i < attempts; i++) {
      const res = await call('GET', `/api/v1/executions/${executionId}`).catch(() => undefined);
      if (res?.status === 200) {
        last = res.json;
        if (TERMINAL.has(last.status)) return last;
      }
      await sleep(100);
    }
    throw new Error(`execution ${executionId} still ${last?.status ?? 'unknown'}`);
  }

  async function scrape(name: ServiceName): Promise<Map<string, number>> {
    const port = name === 'gateway' ? cluster.ports.http : cluster.ports.ops[name];
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(200);
    return samplesByFamily(await res.text());
  }

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-cluster-metrics-'));
    nats = await startNatsServer({ storeDir: path.join(root, 'nats') });
    llm = await startFakeOpenAi();
    effects = await startCountingServer();
    cluster = await startCluster({
      natsUrl: nats.url,
      dataDir: path.join(root, 'data'),
      basePort: await freeBasePort(),
      env: {
        AGENTRY_ADMIN_EMAIL: ADMIN.email,
        AGENTRY_ADMIN_PASSWORD: ADMIN.password,
        AGENTRY_BLOCK_RUNNER_LEASE_MS: '1500',
        AGENTRY_EXECUTION_LEASE_TIMEOUT_MS: '4000',
        AGENTRY_BLOCK_RUNNER_ALLOW_HOSTS: '127.0.0.1',
        AGENTRY_OPENAI_BASE_URL: llm.url,
        AGENTRY_LLM_STREAMING: 'off',
        LOG_LEVEL: 'info',
      },
    });
    const res = await call('POST', '/api/v1/auth/login', ADMIN);
    token = res.json.accessToken;
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop(5000);
    await nats?.stop();
    await effects?.close();
    await llm?.close();
    if (root && !process.env.AGENTRY_KEEP_CLUSTER_DATA) fs.rmSync(root, { recursive: true, force: true });
    else if (root) process.stdout.write(`cluster-metrics: data and logs kept in ${root}\n`);
  }, 60_000);

  it('scrapes every dashboard metric from its service after executions, an LLM call, a retry and a lost lease', async () => {
    // Every metric the dashboards query is assigned to the service(s) serving it.
    const used = metricNamesInDashboards();
    expect(used.filter((m) => !OWNERS[m])).toEqual([]);

    const credential = await call('POST', '/api/v1/credentials', { provider: 'openai', type: 'api_key', title: 'OpenAI', secret: { apiKey: 'sk-test-cluster-metrics' } });
    expect(credential.status).toBe(201);

    // 1. greetings through an LLM call (block-runner) — usage events feed the token and cost counters
    const greeting = await createGraph({
      name: 'LLM greeting',
      nodes: [
        { id: 'in', blockId: BLOCK.input, inputDefault: { name: 'topic' }, metadata: { position: { x: 0, y: 0 } } },
        { id: 'fill', blockId: BLOCK.template, inputDefault: { format: 'Greet {{ topic }} <fake-reply>Hello {{ topic }}!</fake-reply>', values: {} }, metadata: { position: { x: 300, y: 0 } } },
        {
          id: 'llm',
          blockId: AI_TEXT_BLOCK,
          inputDefault: { model: 'gpt-4o-mini', credentials: { id: credential.json.id, provider: 'openai', type: 'api_key', title: 'OpenAI' } },
          metadata: { position: { x: 600, y: 0 } },
        },
        { id: 'out', blockId: BLOCK.output, inputDefault: { name: 'greeting' }, metadata: { position: { x: 900, y: 0 } } },
      ],
      links: [
        { sourceId: 'in', sourceName: 'result', sinkId: 'fill', sinkName: 'values_#_topic', isStatic: false },
        { sourceId: 'fill', sourceName: 'output', sinkId: 'llm', sinkName: 'prompt', isStatic: false },
        { sourceId: 'llm', sourceName: 'response', sinkId: 'out', sinkName: 'value', isStatic: false },
      ],
    });
    const greetings = await Promise.all(['Ada', 'Grace', 'Linus'].map((topic) => execute(greeting, topic)));
    for (const [i, id] of greetings.entries()) {
      const done = await waitTerminal(id);
      expect({ status: done.status, outputs: done.outputs }).toEqual({ status: 'COMPLETED', outputs: { greeting: [`Hello ${['Ada', 'Grace', 'Linus'][i]}!`] } });
    }

    // 2. a webhook to a closed port with a retry policy: the first attempt fails and is retried
    const closedPort = await freePort();
    const retrying = await createGraph({
      name: 'Retried webhook',
      nodes: [
        { id: 'in', blockId: BLOCK.input, inputDefault: { name: 'topic' }, metadata: { position: { x: 0, y: 0 } } },
        {
          id: 'hook',
          blockId: WEBHOOK_BLOCK,
          inputDefault: { url: `http://127.0.0.1:${closedPort}/nowhere` },
          retry: { maxAttempts: 2, initialIntervalMs: 50, backoffCoefficient: 1, maxIntervalMs: 50, nonRetryableErrors: [] },
          metadata: { position: { x: 300, y: 0 } },
        },
      ],
      links: [{ sourceId: 'in', sourceName: 'result', sinkId: 'hook', sinkName: 'payload', isStatic: false }],
    });
    const retried = await waitTerminal(await execute(retrying, 'retry me'));
    expect(retried.status).toBe('FAILED');

    // 3. a block-runner killed while it holds a task: the lease expires and the node runs again
    const hooked = await createGraph({
      name: 'Held webhook',
      nodes: [
        { id: 'in', blockId: BLOCK.input, inputDefault: { name: 'topic' }, metadata: { position: { x: 0, y: 0 } } },
        { id: 'hook', blockId: WEBHOOK_BLOCK, inputDefault: { url: effects.url }, metadata: { position: { x: 300, y: 0 } } },
      ],
      links: [{ sourceId: 'in', sourceName: 'result', sinkId: 'hook', sinkName: 'payload', isStatic: false }],
    });
    effects.holdWhen((c) => c.key.endsWith('/1'));
    const lost = await execute(hooked, 'lose the lease');
    await effects.waitFor((c) => c.key.startsWith(`${lost}/`));
    await cluster.services['block-runner'].kill('SIGKILL');
    effects.holdWhen(undefined);
    await cluster.services['block-runner'].start();
    expect((await waitTerminal(lost)).status).toBe('COMPLETED');

    // Execution metrics come from an event consumer: poll the scrapes (bounded) until every owner has samples.
    let missing: string[] = [];
    let scraped = new Map<ServiceName, Map<string, number>>();
    for (let attempt = 0; attempt < 100; attempt++) {
      scraped = new Map(await Promise.all(SERVICE_NAMES.map(async (s) => [s, await scrape(s)] as const)));
      missing = used.flatMap((metric) => OWNERS[metric].filter((s) => !(scraped.get(s)!.get(metric) ?? 0)).map((s) => `${metric} on ${s}`));
      if (missing.length === 0) break;
      await sleep(100);
    }
    expect(missing).toEqual([]);
    // and every service serves its process metrics
    for (const s of SERVICE_NAMES) expect([s, [...scraped.get(s)!.keys()].some((m) => m.startsWith('agentry_process_'))]).toEqual([s, true]);
    process.stdout.write(
      `cluster-metrics: ${used.length} dashboard metrics, samples per service: ${SERVICE_NAMES.map((s) => `${s}=${[...scraped.get(s)!.values()].reduce((a, b) => a + b, 0)}`).join(' ')}\n`,
    );
  }, 300_000);
});
