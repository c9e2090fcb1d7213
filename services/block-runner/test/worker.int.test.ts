import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineBlock, type BlockDefinition, type ResolvedCredentials } from '@agentry/block-sdk';
import { createSqliteEventLog, type SqliteEventLog } from '@agentry/event-log/src/sqlite';
import { z } from 'zod';
import { createBlockWorker, type BlockWorker, type NodeProgressReport, type NodeTask } from '../src/app/worker';

const seen: {
  signals: AbortSignal[];
  contexts: Array<{ idempotencyKey: string; attempt: number; credentials?: ResolvedCredentials }>;
} = { signals: [], contexts: [] };

const block = (
  id: string,
  input: z.ZodObject,
  run: BlockDefinition['run'],
  extra: Partial<BlockDefinition> = {},
): BlockDefinition => ({
  ...defineBlock({
    id,
    name: id,
    description: id,
    categories: ['BASIC'],
    input,
    output: z.object({ out: z.any() }),
    run: run as never,
    testCases: [],
  }),
  ...extra,
});

const blocks: BlockDefinition[] = [
  block('count', z.object({ n: z.number() }), async function* (input, ctx) {
    seen.contexts.push({ idempotencyKey: ctx.idempotencyKey, attempt: ctx.attempt, credentials: ctx.credentials });
    ctx.reportUsage({ inputTokens: 3 });
    for (let i = 0; i < (input as { n: number }).n; i++) yield ['out', i];
  }),
  block('error-pin', z.object({}), async function* () {
    yield ['out', 'partial'];
    yield ['error', 'nope'];
    yield ['out', 'never'];
  }),
  block('hang', z.object({}), async function* (_input, ctx) {
    seen.signals.push(ctx.signal);
    await new Promise(() => {}); // ignores its signal on purpose
  }),
  block(
    'secret',
    z.object({ credentials: z.any() }),
    async function* (_input, ctx) {
      seen.contexts.push({ idempotencyKey: ctx.idempotencyKey, attempt: ctx.attempt, credentials: ctx.credentials });
      yield ['out', ctx.credentials?.type];
    },
    { credentials: { field: 'credentials', providers: ['openai'], types: ['api_key'] } },
  ),
];

describe('block worker', () => {
  let dir: string;
  let log: SqliteEventLog;
  let worker: BlockWorker | undefined;
  let reports: NodeProgressReport[];
  let answer: (r: NodeProgressReport) => { cancelled: boolean };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentry-runner-'));
    log = createSqliteEventLog({ path: join(dir, 'q.db'), pollIntervalMs: 10 });
    reports = [];
    answer = () => ({ cancelled: false });
  });
  afterEach(async () => {
    await worker?.stop({ graceMs: 200 });
    worker = undefined;
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (extra: Partial<Parameters<typeof createBlockWorker>[0]> = {}) => {
    worker = createBlockWorker({
      queue: log.queue,
      blocks: { get: (id) => blocks.find((b) => b.id === id), list: () => blocks },
      reporter: {
        reportNodeProgress: async (r) => {
          reports.push(structuredClone(r));
          return answer(r);
        },
      },
      workerId: 'w1',
      leaseMs: 1500,
      pollMs: 10,
      maxBatch: 100,
      ...extra,
    });
    worker.start();
  };
  const task = (
    id: string,
    blockId: string,
    input: Record<string, unknown>,
    extra: Partial<NodeTask> = {},
  ): NodeTask => ({
    tenantId: 't1',
    executionId: 'e1',
    nodeExecId: `${id}#1`,
    nodeId: id,
    graphId: 'g1',
    graphVersion: 1,
    blockId,
    attempt: 1,
    input,
    ...extra,
  });
  const enqueue = (t: NodeTask) =>
    log.queue.enqueue('node-tasks', [
      { id: `${t.executionId}/${t.nodeExecId}/${t.attempt}`, tenantId: t.tenantId, payload: t },
    ]);
  const finished = async (nodeExecId: string) => {
    const deadline = Date.now() + 10_000;
    while (!reports.some((r) => r.nodeExecId === nodeExecId && r.finished)) {
      if (Date.now() > deadline) throw new Error(`no finished report for ${nodeExecId}: ${JSON.stringify(reports)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return reports.filter((r) => r.nodeExecId === nodeExecId);
  };
  const until = async (cond: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  it('reports started, every output in yield order (batched), usage and the end, then acks', async () => {
    start();
    await enqueue(task('a', 'count', { n: 1000 }));
    const rs = await finished('a#1');
    expect(rs[0]).toEqual({
      tenantId: 't1',
      executionId: 'e1',
      nodeExecId: 'a#1',
      attempt: 1,
      workerId: 'w1',
      started: true,
    });
    const outputs = rs.flatMap((r) => r.outputs ?? []);
    expect(outputs.map((o) => o.value)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(rs.filter((r) => r.outputs?.length).length).toBeGreaterThan(1); // more than one batch
    expect(rs.every((r) => (r.outputs?.length ?? 0) <= 100)).toBe(true);
    let sent = 0;
    for (const r of rs.filter((x) => x.outputs?.length)) {
      expect(r.outputSeq).toBe(sent); // lets the engine drop a batch it already has
      sent += r.outputs!.length;
    }
    expect(rs.flatMap((r) => (r.usage ? [r.usage.inputTokens] : []))).toEqual([3]);
    expect(rs[rs.length - 1].finished).toEqual({ status: 'COMPLETED' });
    expect(seen.contexts.at(-1)).toMatchObject({ idempotencyKey: 'e1/a#1/1', attempt: 1 });
    await until(() => worker!.status().running === 0);
    expect(await log.queue.depth('node-tasks')).toBe(0);
  });

  it('a yield on the error pin ends the run as FAILED with that message', async () => {
    start();
    await enqueue(task('b', 'error-pin', {}));
    const rs = await finished('b#1');
    expect(rs.flatMap((r) => r.outputs ?? []).map((o) => o.value)).toEqual(['partial']);
    expect(rs.at(-1)!.finished).toEqual({
      status: 'FAILED',
      error: { message: 'nope', code: 'BLOCK_ERROR', retryable: true },
    });
  });

  it('an input that fails the block schema is not run and fails without retry; an unknown block too', async () => {
    start();
    await enqueue(task('c', 'count', { n: 'three' }));
    await enqueue(task('d', 'no-such-block', {}));
    expect((await finished('c#1')).at(-1)!.finished).toMatchObject({
      status: 'FAILED',
      error: { code: 'VALIDATION_FAILED', retryable: false, message: expect.stringContaining('n') },
    });
    expect((await finished('d#1')).at(-1)!.finished).toMatchObject({
      status: 'FAILED',
      error: { code: 'NOT_FOUND', retryable: false },
    });
  });

  it('a timeout aborts the signal and fails with TIMEOUT even when the block ignores its signal', async () => {
    start();
    await enqueue(task('e', 'hang', {}, { timeoutMs: 50 }));
    const rs = await finished('e#1');
    expect(rs.at(-1)!.finished).toEqual({
      status: 'FAILED',
      error: { message: 'timed out after 50 ms', code: 'TIMEOUT', retryable: true },
    });
    expect(seen.signals.at(-1)!.aborted).toBe(true);
  });

  it('a heartbeat answered with cancelled aborts the block, sends nothing more and acks the task', async () => {
    start();
    await enqueue(task('f', 'hang', {}));
    await until(() => reports.some((r) => r.nodeExecId === 'f#1' && r.started));
    answer = () => ({ cancelled: true });
    await until(() => seen.signals.length > 0 && seen.signals.at(-1)!.aborted);
    await until(() => worker!.status().running === 0);
    expect(reports.some((r) => r.nodeExecId === 'f#1' && r.finished)).toBe(false);
    expect(await log.queue.depth('node-tasks')).toBe(0);
  });

  it('credentials are resolved through the port and handed to the block', async () => {
    const resolved: ResolvedCredentials = { id: 'c1', provider: 'openai', type: 'api_key', apiKey: 'sk-test' };
    const asked: unknown[] = [];
    start({
      credentials: { resolve: async (tenantId, ref, purpose) => (asked.push([tenantId, ref, purpose]), resolved) },
    });
    await enqueue(
      task(
        'g',
        'secret',
        { credentials: { id: 'c1', provider: 'openai', type: 'api_key' } },
        { credentialsRef: { id: 'c1' } },
      ),
    );
    const rs = await finished('g#1');
    expect(rs.flatMap((r) => r.outputs ?? [])).toEqual([{ pin: 'out', value: 'api_key' }]);
    expect(asked).toEqual([['t1', { id: 'c1' }, 'e1/g#1/1 secret']]);
    expect(JSON.stringify(reports)).not.toContain('sk-test');
  });

  it('a task whose previous lease expired runs as the next attempt', async () => {
    await enqueue(task('h', 'count', { n: 1 }));
    await log.queue.lease('node-tasks', { workerId: 'dead', leaseMs: 30 });
    start();
    const rs = await finished('h#1');
    expect(rs[0]).toMatchObject({ attempt: 2, started: true });
    expect(seen.contexts.at(-1)).toMatchObject({ idempotencyKey: 'e1/h#1/2', attempt: 2 });
  });

  it('stop() aborts what is still running after the grace period and leaves it to be re-dispatched', async () => {
    start();
    await enqueue(task('i', 'hang', {}));
    await until(() => reports.some((r) => r.nodeExecId === 'i#1' && r.started));
    await worker!.stop({ graceMs: 20 });
    worker = undefined;
    expect(seen.signals.at(-1)!.aborted).toBe(true);
    expect(await log.queue.depth('node-tasks')).toBe(1);
  });
});
