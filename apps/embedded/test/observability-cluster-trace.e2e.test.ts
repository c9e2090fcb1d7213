/**
 * The connected trace across processes (issue #10 part 2, distributed mode): every service in its own process
 * on a private nats-server, each exporting OTLP/HTTP to a receiver started here. One REST execution must give one
 * trace crossing gateway → execution (gRPC) → block-runner (the JetStream work queue) → integration (credential
 * lookup) and back to execution (the runner's report). Skips, saying why, when nats-server is not installed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeOpenAi, type FakeLlmServer } from '@agentry/testing';
import { natsServerAvailable, NATS_SERVER_BIN, startNatsServer, type PrivateNatsServer } from '../src/cluster/nats';
import { freeBasePort } from '../src/cluster/ports';
import { startCluster, type Cluster } from '../src/cluster/supervisor';
import { startCountingServer, type CountingServer } from '../src/cluster/testing';
import { ancestryIn, SPAN_KIND, startOtlpReceiver, tracedGreetingGraph } from './observability-otlp';

const ADMIN = { email: 'admin@example.test', password: 'correct-horse-battery' };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const available = natsServerAvailable();
if (!available) process.stdout.write(`observability-cluster-trace: skipped: ${NATS_SERVER_BIN} is missing (install nats-server)\n`);
const suite = available ? describe : describe.skip;

suite('observability: one trace across the processes of a cluster', () => {
  let root: string;
  let nats: PrivateNatsServer;
  let cluster: Cluster;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
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

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-cluster-trace-'));
    receiver = await startOtlpReceiver();
    llm = await startFakeOpenAi();
    effects = await startCountingServer();
    nats = await startNatsServer({ storeDir: path.join(root, 'nats') });
    cluster = await startCluster({
      natsUrl: nats.url,
      dataDir: path.join(root, 'data'),
      basePort: await freeBasePort(),
      env: {
        AGENTRY_ADMIN_EMAIL: ADMIN.email,
        AGENTRY_ADMIN_PASSWORD: ADMIN.password,
        AGENTRY_BLOCK_RUNNER_ALLOW_HOSTS: '127.0.0.1',
        AGENTRY_OPENAI_BASE_URL: llm.url,
        AGENTRY_LLM_STREAMING: 'off',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_TRACES_SAMPLER: 'always_on',
        LOG_LEVEL: 'info',
      },
    });
    token = (await call('POST', '/api/v1/auth/login', ADMIN)).json.accessToken;
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop(5000);
    await nats?.stop();
    await effects?.close();
    await llm?.close();
    await receiver?.close();
    if (root && !process.env.AGENTRY_KEEP_CLUSTER_DATA) fs.rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('connects gateway, execution, block-runner and integration spans of one REST execution', async () => {
    const credential = await call('POST', '/api/v1/credentials', { provider: 'openai', type: 'api_key', title: 'OpenAI', secret: { apiKey: 'sk-test-cluster-trace' } });
    expect(credential.status).toBe(201);
    const created = await call('POST', '/api/v1/graphs', tracedGreetingGraph(credential.json.id, effects.url));
    expect(created.status).toBe(201);
    const started = await call('POST', `/api/v1/graphs/${created.json.id}/execute`, { inputs: { topic: 'clusters' } });
    expect(started.status).toBe(202);
    const executionId = started.json.executionId as string;
    let execution: any;
    for (let i = 0; i < 600; i++) {
      execution = (await call('GET', `/api/v1/executions/${executionId}`)).json;
      if (['COMPLETED', 'FAILED', 'TERMINATED'].includes(execution?.status)) break;
      await sleep(50);
    }
    expect(execution.status).toBe('COMPLETED');
    expect(effects.calls.map((c) => c.body)).toContain('Hello clusters!');

    const runner = (nodeId: string) =>
      receiver.spans.find((s) => s.service === 'agentry-block-runner' && s.kind === SPAN_KIND.CONSUMER && s.attributes['agentry.execution_id'] === executionId && s.attributes['agentry.node_id'] === nodeId);
    const nodeSpan = (nodeId: string) => receiver.spans.find((s) => s.name === `node ${nodeId}` && s.attributes['agentry.node_id'] === nodeId && s.service === 'agentry-execution');
    for (let i = 0; i < 300 && !(runner('hook') && runner('llm') && nodeSpan('out')); i++) await sleep(50);

    const ancestry = ancestryIn(receiver.spans);
    const httpSpan = receiver.spans.find((s) => s.kind === SPAN_KIND.SERVER && s.attributes['url.path'] === `/api/v1/graphs/${created.json.id}/execute`);
    expect(httpSpan?.service).toBe('agentry-gateway');
    const traceId = httpSpan!.traceId;
    const inTrace = receiver.spans.filter((s) => s.traceId === traceId);
    const root = ancestry(httpSpan!).at(-1)!;

    // gateway (client) → execution (server) for the request
    const requestServer = inTrace.find((s) => s.service === 'agentry-execution' && s.kind === SPAN_KIND.SERVER && s.name.includes('ExecutionService/RequestExecution'));
    expect(ancestry(requestServer!).map((s) => s.service)).toEqual(['agentry-execution', 'agentry-gateway', 'agentry-gateway']);

    // the execution and node spans, rebuilt in the execution process, under that request
    const executionSpan = inTrace.find((s) => s.name === 'execution' && s.attributes['agentry.execution_id'] === executionId);
    expect(ancestry(executionSpan!)).toContain(requestServer);
    for (const nodeId of ['in', 'fill', 'llm', 'hook', 'out']) expect([nodeId, nodeSpan(nodeId)?.parentSpanId]).toEqual([nodeId, executionSpan!.spanId]);

    // both queued nodes ran in the block-runner process, continuing the trace that enqueued them
    for (const nodeId of ['llm', 'hook']) {
      const span = runner(nodeId)!;
      expect([nodeId, span?.traceId]).toEqual([nodeId, traceId]);
      expect(ancestry(span).at(-1)).toBe(root);
    }
    // the LLM node's credential lookup reached the integration process inside the runner's span
    const lookup = inTrace.find((s) => s.service === 'agentry-integration' && s.kind === SPAN_KIND.SERVER && ancestry(s).includes(runner('llm')!));
    expect(lookup).toBeDefined();
    // the runner's reports reached the execution process inside its span
    const report = inTrace.find((s) => s.service === 'agentry-execution' && s.kind === SPAN_KIND.SERVER && s.name.includes('ReportNodeProgress') && ancestry(s).includes(runner('hook')!));
    expect(report).toBeDefined();
    expect(runner('llm')!.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);

    const services = new Set(inTrace.map((s) => s.service));
    for (const s of ['agentry-gateway', 'agentry-execution', 'agentry-block-runner', 'agentry-integration']) expect(services).toContain(s);
  }, 180_000);
});
