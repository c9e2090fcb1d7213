/**
 * Leases and recovery in local distributed mode (issue 4 part 2, issue 10 part 6): every service in its own
 * process on a private nats-server; processes are SIGKILLed (a crash, not a shutdown) and NATS is restarted.
 * Side effects go to a counting fake server keyed by ctx.idempotencyKey (SendWebhookBlock).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVICE_NAMES, type ServiceName } from '@agentry/config';
import { startCluster, type Cluster } from '../src/cluster/supervisor';
import { natsServerAvailable, NATS_SERVER_BIN, startNatsServer, type PrivateNatsServer } from '../src/cluster/nats';
import { freeBasePort } from '../src/cluster/ports';
import { startCountingServer, type CountingServer } from '../src/cluster/testing';

// Not imported from ./support: that pulls the whole in-process platform into this test's process.
const ADMIN = { email: 'admin@example.test', password: 'correct-horse-battery' };
const BLOCK = { input: 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b', output: '363ae599-353e-4804-937e-b2ee3cef3da4' };
const WEBHOOK_BLOCK = 'd9c2e8cf-c4b6-4f1b-a588-b276d185050a';
const TERMINAL = new Set(['COMPLETED', 'FAILED', 'TERMINATED']);
// issue 10: "restart the NATS server during a run of 200 executions"
const BATCH = Number(process.env.AGENTRY_FAULT_BATCH ?? 200);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const available = natsServerAvailable();
if (!available) process.stdout.write(`cluster-faults: skipped: ${NATS_SERVER_BIN} is missing (install nats-server)\n`);
const suite = available ? describe : describe.skip;

/** input -> SendWebhookBlock (the side effect) -> output */
const effectGraph = (url: string) => ({
  name: 'Side effect',
  nodes: [
    { id: 'in', blockId: BLOCK.input, inputDefault: { name: 'topic' }, metadata: { position: { x: 0, y: 0 } } },
    { id: 'hook', blockId: WEBHOOK_BLOCK, inputDefault: { url }, metadata: { position: { x: 300, y: 0 } } },
    { id: 'out', blockId: BLOCK.output, inputDefault: { name: 'status' }, metadata: { position: { x: 600, y: 0 } } },
  ],
  links: [
    { sourceId: 'in', sourceName: 'result', sinkId: 'hook', sinkName: 'payload', isStatic: false },
    { sourceId: 'hook', sourceName: 'status', sinkId: 'out', sinkName: 'value', isStatic: false },
  ],
});

suite('cluster faults: crashes and a NATS restart lose nothing and duplicate nothing', () => {
  let root: string;
  let nats: PrivateNatsServer;
  let cluster: Cluster;
  let token: string;

  /** REST call; `undefined` when the gateway cannot be reached (it may be restarting). */
  async function call(method: string, pathname: string, body?: unknown): Promise<{ status: number; json: any } | undefined> {
    try {
      const res = await fetch(`${cluster.url}${pathname}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    } catch {
      return undefined;
    }
  }

  async function createGraph(url: string): Promise<string> {
    const res = await call('POST', '/api/v1/graphs', effectGraph(url));
    expect(res?.status).toBe(201);
    return res!.json.id;
  }

  async function execute(graphId: string, topic: string): Promise<string> {
    for (let i = 0; i < 50; i++) {
      const res = await call('POST', `/api/v1/graphs/${graphId}/execute`, { inputs: { topic } });
      if (res?.status === 202) return res.json.executionId;
      if (res && res.status < 500) throw new Error(`execute answered ${res.status}: ${JSON.stringify(res.json)}`);
      await sleep(200);
    }
    throw new Error('execute kept failing');
  }

  /** Polls until the execution is terminal (bounded by attempts). */
  async function waitTerminal(executionId: string, attempts = 900): Promise<any> {
    let last: any;
    for (let i = 0; i < attempts; i++) {
      const res = await call('GET', `/api/v1/executions/${executionId}`);
      if (res?.status === 200) {
        last = res.json;
        if (TERMINAL.has(last.status)) return last;
      }
      await sleep(100);
    }
    throw new Error(`execution ${executionId} still ${last?.status ?? 'unknown'}`);
  }

  async function eventTypes(executionId: string): Promise<string[]> {
    const res = await call('GET', `/api/v1/executions/${executionId}/events`);
    expect(res?.status).toBe(200);
    return res!.json.items.map((e: { type: string }) => e.type);
  }

  const hookOf = (execution: any) => execution.nodeExecutions.find((n: any) => n.nodeId === 'hook');
  const keysOf = (server: CountingServer, executionId: string) => [...server.counts()].filter(([k]) => k.startsWith(`${executionId}/`));

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-cluster-faults-'));
    nats = await startNatsServer({ storeDir: path.join(root, 'nats') });
    cluster = await startCluster({
      natsUrl: nats.url,
      dataDir: path.join(root, 'data'),
      basePort: await freeBasePort(),
      env: {
        AGENTRY_ADMIN_EMAIL: ADMIN.email,
        AGENTRY_ADMIN_PASSWORD: ADMIN.password,
        AGENTRY_BLOCK_RUNNER_LEASE_MS: '2000',
        AGENTRY_EXECUTION_LEASE_TIMEOUT_MS: '6000',
        AGENTRY_BLOCK_RUNNER_ALLOW_HOSTS: '127.0.0.1',
        AGENTRY_BLOCK_RUNNER_CONCURRENCY: '4',
        LOG_LEVEL: 'info',
      },
    });
    const res = await call('POST', '/api/v1/auth/login', ADMIN);
    token = res!.json.accessToken;
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop(5000);
    await nats?.stop();
    if (root && !process.env.AGENTRY_KEEP_CLUSTER_DATA) fs.rmSync(root, { recursive: true, force: true });
    else if (root) process.stdout.write(`cluster-faults: data and logs kept in ${root}\n`);
  }, 60_000);

  it('(a) a block-runner killed while a node runs: the lease expires, the node runs again as attempt 2, the execution completes', async () => {
    const server = await startCountingServer();
    try {
      const graphId = await createGraph(server.url);
      server.holdWhen((c) => c.key.endsWith('/1'));
      const executionId = await execute(graphId, 'crash-the-runner');
      await server.waitFor((c) => c.key.startsWith(`${executionId}/`));
      await cluster.services['block-runner'].kill('SIGKILL');
      server.holdWhen(undefined);
      await cluster.services['block-runner'].start();

      const done = await waitTerminal(executionId);
      expect(done.status).toBe('COMPLETED');
      expect(done.outputs).toEqual({ status: [200] });
      const hook = hookOf(done);
      expect(hook.attempt).toBe(2);
      expect(keysOf(server, executionId)).toEqual([
        [`${executionId}/${hook.id}/1`, 1],
        [`${executionId}/${hook.id}/2`, 1],
      ]);
      const types = await eventTypes(executionId);
      expect(types).toContain('NodeLeaseExpired');
      expect(types.filter((t) => t === 'ExecutionCompleted')).toHaveLength(1);
    } finally {
      await server.close();
    }
  }, 90_000);

  it('(b) the execution service killed mid-execution: restarted, it rebuilds from the log and completes', async () => {
    const server = await startCountingServer();
    try {
      const graphId = await createGraph(server.url);
      server.holdWhen(() => true);
      const executionId = await execute(graphId, 'crash-the-engine');
      await server.waitFor((c) => c.key.startsWith(`${executionId}/`));
      await cluster.services.execution.kill('SIGKILL');
      server.holdWhen(undefined);
      server.release(); // the runner now reports to a dead engine
      await cluster.services.execution.start();

      const done = await waitTerminal(executionId);
      expect(done.status).toBe('COMPLETED');
      expect(done.outputs).toEqual({ status: [200] });
      const keys = keysOf(server, executionId);
      expect(keys.length).toBeGreaterThanOrEqual(1);
      expect(keys.every(([, n]) => n === 1)).toBe(true);
      expect(keys.map(([k]) => Number(k.split('/')[2]))).toContain(hookOf(done).attempt);
      expect((await eventTypes(executionId)).filter((t) => t === 'ExecutionCompleted')).toHaveLength(1);
    } finally {
      await server.close();
    }
  }, 90_000);

  it(`(c) ${BATCH} executions through a NATS restart and a crash of every service in turn`, async () => {
    const server = await startCountingServer({ delayMs: 1500 }); // long enough that every fault hits work in flight
    try {
      const graphId = await createGraph(server.url);
      const faults: Array<'nats' | ServiceName> = ['nats', ...SERVICE_NAMES];
      const wave = Math.ceil(BATCH / (faults.length + 1));
      const ids: string[] = [];
      const submitWave = async () => {
        const n = Math.min(wave, BATCH - ids.length);
        ids.push(...(await Promise.all(Array.from({ length: n }, (_, i) => execute(graphId, `batch-${ids.length + i}`)))));
      };
      for (const fault of faults) {
        await submitWave();
        await sleep(300); // let the wave get going
        if (fault === 'nats') await nats.restart();
        else await cluster.services[fault].restart('SIGKILL');
      }
      await submitWave();
      expect(ids).toHaveLength(BATCH);

      const finals = [];
      for (const id of ids) finals.push(await waitTerminal(id));
      const byStatus: Record<string, number> = {};
      for (const f of finals) byStatus[f.status] = (byStatus[f.status] ?? 0) + 1;

      const completions: number[] = [];
      for (const id of ids) completions.push((await eventTypes(id)).filter((t) => t === 'ExecutionCompleted' || t === 'ExecutionFailed').length);
      const attempts = finals.map((f) => hookOf(f).attempt as number);
      const mine = new Set(ids);
      const effects = server.calls.filter((c) => mine.has(c.key.split('/')[0]));
      const duplicates = server.duplicates();
      const leftOver: string[] = [];
      for (const status of ['QUEUED', 'RUNNING']) {
        const res = await call('GET', `/api/v1/executions?status=${status}&limit=100`);
        expect(res?.status).toBe(200);
        leftOver.push(...res!.json.items.map((i: { id: string }) => i.id));
      }
      const figures = {
        executions: ids.length,
        byStatus,
        faults: faults.join(', '),
        sideEffectCalls: effects.length,
        distinctKeys: new Set(effects.map((c) => c.key)).size,
        duplicatedKeys: duplicates.length,
        nodesRunMoreThanOnce: attempts.filter((a) => a > 1).length,
        maxAttempt: Math.max(...attempts),
        terminalEventsPerExecution: [...new Set(completions)],
        leftQueuedOrRunning: leftOver.length,
      };
      process.stdout.write(`cluster-faults figures: ${JSON.stringify(figures)}\n`);

      expect(byStatus).toEqual({ COMPLETED: BATCH });
      expect(completions.every((n) => n === 1)).toBe(true);
      expect(duplicates).toEqual([]);
      for (const f of finals) expect(f.outputs).toEqual({ status: [200] });
      // every execution's side effect happened at least once, and only once per attempt
      for (const id of ids) expect(effects.some((c) => c.key.startsWith(`${id}/`))).toBe(true);
      expect(leftOver).toEqual([]);
    } finally {
      await server.close();
    }
  }, 300_000);
});
