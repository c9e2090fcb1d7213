/**
 * One connected trace (issue #10 part 2): the platform runs in a child process with OTEL_EXPORTER_OTLP_ENDPOINT
 * pointing at an OTLP/HTTP receiver started here (JSON encoding, what @opentelemetry/exporter-trace-otlp-http
 * sends). A graph executed over REST must yield one trace: HTTP server span → gRPC client RequestExecution → gRPC
 * server RequestExecution → execution span → node spans, and the block-runner's span of the node it ran (the task
 * crossed the work queue) in the same trace, under the same REST call.
 * A child process because OpenTelemetry instruments modules through Node's require, which Jest replaces.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeOpenAi, type FakeLlmServer } from '@agentry/testing';
import { freePort } from '../src/cluster/ports';
import { REPO_ROOT } from '../src/cluster/supervisor';
import { startCountingServer, type CountingServer } from '../src/cluster/testing';
import { ancestryIn, SPAN_KIND, startOtlpReceiver, tracedGreetingGraph, type ReceivedSpan } from './observability-otlp';

const ADMIN = { email: 'admin@example.test', password: 'correct-horse-battery' };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('observability: one trace from a REST call to the node that ran in block-runner', () => {
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let effects: CountingServer;
  let llm: FakeLlmServer;
  let child: ChildProcess;
  let dataDir: string;
  let base: string;
  let output = '';

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    effects = await startCountingServer();
    llm = await startFakeOpenAi();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-trace-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AGENTRY_DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(port),
      AGENTRY_GATEWAY_GRPC_PORT: '0',
      LOG_LEVEL: 'warn',
      AGENTRY_ADMIN_EMAIL: ADMIN.email,
      AGENTRY_ADMIN_PASSWORD: ADMIN.password,
      AGENTRY_BLOCK_RUNNER_ALLOW_HOSTS: '127.0.0.1',
      AGENTRY_OPENAI_BASE_URL: llm.url,
      AGENTRY_LLM_STREAMING: 'off',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_TRACES_SAMPLER: 'always_on',
    };
    delete env.AGENTRY_SERVICE;
    delete env.OTEL_SERVICE_NAME;
    child = spawn(process.execPath, ['--import', 'tsx', 'apps/embedded/src/main.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`the platform exited (${child.exitCode}):\n${output}`);
      const ready = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
      if (ready) break;
      if (i >= 600) throw new Error(`the platform did not become ready:\n${output}`);
      await sleep(100);
    }
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
      clearTimeout(timer);
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    await effects?.close();
    await llm?.close();
    await receiver?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function api(method: string, pathname: string, body?: unknown, token?: string): Promise<{ status: number; json: any }> {
    const res = await fetch(`${base}${pathname}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }

  it('connects HTTP → gRPC client → execution service → execution → nodes → block-runner in one trace', async () => {
    const login = await api('POST', '/api/v1/auth/login', ADMIN);
    expect(login.status).toBe(200);
    const token = login.json.accessToken as string;
    const credential = await api('POST', '/api/v1/credentials', { provider: 'openai', type: 'api_key', title: 'OpenAI', secret: { apiKey: 'sk-test-trace' } }, token);
    expect(credential.status).toBe(201);
    // The greeting graph with its greeting written by a model and posted to a webhook.
    const graph = tracedGreetingGraph(credential.json.id, effects.url);
    const created = await api('POST', '/api/v1/graphs', graph, token);
    expect(created.status).toBe(201);
    const graphId = created.json.id as string;
    const started = await api('POST', `/api/v1/graphs/${graphId}/execute`, { inputs: { topic: 'traces' } }, token);
    expect(started.status).toBe(202);
    const executionId = started.json.executionId as string;
    let execution: any;
    for (let i = 0; i < 600; i++) {
      execution = (await api('GET', `/api/v1/executions/${executionId}`, undefined, token)).json;
      if (['COMPLETED', 'FAILED', 'TERMINATED'].includes(execution?.status)) break;
      await sleep(50);
    }
    expect(execution.status).toBe('COMPLETED');
    expect(effects.calls.map((c) => c.body)).toContain('Hello traces!');

    // Spans of this execution arrive in batches; wait (bounded) for the last node's span and the runner's.
    const nodeSpan = (nodeId: string) => receiver.spans.find((s) => s.name === `node ${nodeId}` && s.attributes['agentry.node_id'] === nodeId && ofExecution(s));
    const ofExecution = (s: ReceivedSpan) => receiver.spans.some((e) => e.name === 'execution' && e.attributes['agentry.execution_id'] === executionId && e.traceId === s.traceId);
    const runnerSpan = () => receiver.spans.find((s) => s.kind === SPAN_KIND.CONSUMER && s.attributes['agentry.execution_id'] === executionId && s.attributes['agentry.node_id'] === 'hook');
    for (let i = 0; i < 300 && !(nodeSpan('out') && runnerSpan()); i++) await sleep(50);

    const ancestry = ancestryIn(receiver.spans);
    const describeChain = (s: ReceivedSpan) => ancestry(s).map((x) => `${x.name} [${x.kind}]`).join(' ← ');

    const httpSpan = receiver.spans.find((s) => s.kind === SPAN_KIND.SERVER && s.attributes['url.path'] === `/api/v1/graphs/${graphId}/execute`);
    expect(httpSpan).toBeDefined();
    const traceId = httpSpan!.traceId;
    expect(httpSpan!.service).toBe('agentry-embedded');

    const inTrace = receiver.spans.filter((s) => s.traceId === traceId);
    const grpcClient = inTrace.find((s) => s.kind === SPAN_KIND.CLIENT && s.name.includes('ExecutionService/RequestExecution'));
    const grpcServer = inTrace.find((s) => s.kind === SPAN_KIND.SERVER && s.name.includes('ExecutionService/RequestExecution'));
    const executionSpan = inTrace.find((s) => s.name === 'execution' && s.attributes['agentry.execution_id'] === executionId);
    expect(grpcClient).toBeDefined();
    expect(ancestry(grpcClient!)).toContain(httpSpan);
    expect(grpcServer?.parentSpanId).toBe(grpcClient!.spanId);
    expect(executionSpan).toBeDefined();
    expect(ancestry(executionSpan!)).toContain(grpcServer);

    for (const nodeId of ['in', 'fill', 'llm', 'hook', 'out']) {
      const span = nodeSpan(nodeId);
      expect({ nodeId, traceId: span?.traceId, parent: span?.parentSpanId }).toEqual({ nodeId, traceId, parent: executionSpan!.spanId });
    }

    // The block-runner ran `hook` from the work queue: its span continues the same trace, under the REST call.
    const runner = runnerSpan();
    expect(runner).toBeDefined();
    expect(runner!.traceId).toBe(traceId);
    const chain = ancestry(runner!);
    expect(chain).toContain(httpSpan);
    expect(chain[chain.length - 1].spanId).toBe(ancestry(httpSpan!).at(-1)!.spanId);
    // its reports back to the execution service are its children, and the execution service handles them
    const reports = inTrace.filter((s) => s.parentSpanId === runner!.spanId && s.kind === SPAN_KIND.CLIENT && s.name.includes('ExecutionService/ReportNodeProgress'));
    expect(reports.length).toBeGreaterThan(0);
    for (const r of reports) expect(inTrace.some((s) => s.kind === SPAN_KIND.SERVER && s.parentSpanId === r.spanId)).toBe(true);
    console.log(`trace ${traceId}: block-runner span chain: ${describeChain(runner!)}`);

    // GenAI conventions on the LLM call: on the node span (from the usage event) and on the runner's span
    expect(llm.requests.length).toBeGreaterThan(0);
    const llmRunner = receiver.spans.find((s) => s.kind === SPAN_KIND.CONSUMER && s.attributes['agentry.execution_id'] === executionId && s.attributes['agentry.node_id'] === 'llm');
    for (const span of [nodeSpan('llm'), llmRunner]) {
      expect(span?.traceId).toBe(traceId);
      expect(span?.attributes).toMatchObject({ 'gen_ai.request.model': expect.stringContaining('gpt-4o-mini') });
      expect(Number(span?.attributes['gen_ai.usage.input_tokens'])).toBeGreaterThan(0);
      expect(Number(span?.attributes['gen_ai.usage.output_tokens'])).toBeGreaterThan(0);
    }

    // every span about this execution belongs to that one trace
    const mentioning = receiver.spans.filter((s) => s.attributes['agentry.execution_id'] === executionId);
    expect(new Set(mentioning.map((s) => s.traceId))).toEqual(new Set([traceId]));
    expect(receiver.requests).toBeGreaterThan(0);
  }, 120_000);
});
