import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteEventLog, type SqliteEventLog } from '@agentry/event-log/src/sqlite';
import { checkHealth, connect } from '@agentry/grpc';
import { createLogger } from '@agentry/observability';
import { blockrunnerV1, executionV1, graphV1 } from '@agentry/proto-ts';
import { startBlockRunnerService } from '@agentry/svc-block-runner';
import { startGraphService } from '@agentry/svc-graph';
import { loadSecretBox, startIntegrationService } from '@agentry/svc-integration';
import { startExecutionService } from '@agentry/svc-execution';

const INPUT = 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b';
const OUTPUT = '363ae599-353e-4804-937e-b2ee3cef3da4';

// The execution and block-runner services need their peers, so this suite starts the four of them on real sockets.
describe('ExecutionService and BlockRunnerService over real sockets', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-exec-'));
  const logger = createLogger({ name: 'test', level: 'silent' });
  const caller = { tenantId: 't1', userId: 'u1', roles: [] };
  let log: SqliteEventLog;
  const closers: Array<() => Promise<void>> = [];
  let execution: ReturnType<typeof connect<executionV1.ExecutionServiceClient>>;
  let runner: ReturnType<typeof connect<blockrunnerV1.BlockRunnerServiceClient>>;
  let graphs: ReturnType<typeof connect<graphV1.GraphServiceClient>>;
  const addresses: Record<string, string> = {};

  beforeAll(async () => {
    log = createSqliteEventLog({ path: path.join(dir, 'events.db') });
    const graph = await startGraphService({ events: log.events, logger });
    const integration = await startIntegrationService({ events: log.events, logger, box: loadSecretBox({ dataDir: dir, production: false }) });
    const exec = await startExecutionService({ events: log.events, queue: log.queue, logger, graphAddress: graph.address });
    const br = await startBlockRunnerService({ events: log.events, queue: log.queue, logger, executionAddress: exec.address, integrationAddress: integration.address });
    Object.assign(addresses, { execution: exec.address, 'block-runner': br.address });
    closers.push(() => br.close(), () => exec.close(), () => integration.close(), () => graph.close());
    execution = connect(executionV1.ExecutionServiceClient, exec.address);
    runner = connect(blockrunnerV1.BlockRunnerServiceClient, br.address);
    graphs = connect(graphV1.GraphServiceClient, graph.address);
  });
  afterAll(async () => {
    execution.close();
    runner.close();
    graphs.close();
    for (const close of closers) await close();
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('both serve the gRPC health protocol', async () => {
    expect(await checkHealth(addresses.execution, 'agentry.execution.v1.ExecutionService')).toBe('SERVING');
    expect(await checkHealth(addresses['block-runner'], 'agentry.blockrunner.v1.BlockRunnerService')).toBe('SERVING');
  });

  it('block-runner lists and describes blocks; an unknown block is NOT_FOUND', async () => {
    const { items } = await runner.listBlocks({ category: '' });
    expect(items.length).toBeGreaterThan(3);
    expect((await runner.getBlock({ blockId: INPUT })).block!.name).toBe('AgentInputBlock');
    await expect(runner.getBlock({ blockId: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('runs an execution requested over gRPC and lists it, scoped to the tenant', async () => {
    const { graph } = await graphs.createGraph({
      caller,
      forkedFrom: undefined,
      draft: {
        name: 'echo',
        description: '',
        nodes: [
          { id: 'in', blockId: INPUT, inputDefault: { name: 'x' }, metadata: {}, retry: undefined, timeoutMs: 0 },
          { id: 'out', blockId: OUTPUT, inputDefault: { name: 'y' }, metadata: {}, retry: undefined, timeoutMs: 0 },
        ],
        links: [{ id: '', sourceId: 'in', sourceName: 'result', sinkId: 'out', sinkName: 'value', isStatic: false }],
      },
    });
    const { executionId } = await execution.requestExecution({ caller, graphId: graph!.id, graphVersion: 0, inputs: { x: 42 }, trigger: 'api', parentExecutionId: '' });
    let view: executionV1.Execution | undefined;
    for (let i = 0; i < 400; i++) {
      view = (await execution.getExecution({ caller, executionId })).execution;
      if (view && view.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(view!.status).toBe('COMPLETED');
    expect(view!.outputs).toEqual({ y: [42] });
    await expect(execution.getExecution({ caller: { ...caller, tenantId: 't2' }, executionId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const listed = await execution.listExecutions({ caller, page: undefined, graphId: graph!.id, status: '', trigger: '', from: '', to: '' });
    expect(listed.items.map((e) => e.id)).toContain(executionId);
    await expect(execution.cancelExecution({ caller, executionId, reason: 'late' })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
  });

  it('refuses an unknown trigger with INVALID_ARGUMENT', async () => {
    await expect(execution.requestExecution({ caller, graphId: 'x', graphVersion: 0, inputs: {}, trigger: 'telepathy', parentExecutionId: '' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
