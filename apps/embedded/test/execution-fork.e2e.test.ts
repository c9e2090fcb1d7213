import fs from 'node:fs';
import { api, greetingGraph, login, startTestPlatform, tempDataDir, waitForExecution } from './support';
import type { Platform } from '../src/platform';

describe('replay and fork over REST (ENGINE.md rule 17)', () => {
  const dataDir = tempDataDir();
  let platform: Platform;
  let token: string;
  let graphId: string;
  let sourceId: string;

  const countExecutions = async () => (await api(platform.url, 'GET', `/api/v1/executions?graphId=${graphId}&limit=100`, undefined, token)).json.items.length;

  beforeAll(async () => {
    platform = await startTestPlatform(dataDir);
    token = await login(platform.url);
    const created = await api(platform.url, 'POST', '/api/v1/graphs', greetingGraph(), token);
    expect(created.status).toBe(201);
    graphId = created.json.id;
    const started = await api(platform.url, 'POST', `/api/v1/graphs/${graphId}/execute`, { inputs: { topic: 'world' } }, token);
    expect(started.status).toBe(202);
    sourceId = started.json.executionId;
    expect((await waitForExecution(platform.url, token, sourceId)).status).toBe('COMPLETED');
  });
  afterAll(async () => {
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the raw event log of an execution for audit, in stream order', async () => {
    const res = await api(platform.url, 'GET', `/api/v1/executions/${sourceId}/events`, undefined, token);
    expect(res.status).toBe(200);
    const events = res.json.items;
    expect(events[0]).toMatchObject({ type: 'ExecutionRequested', streamId: `execution-${sourceId}`, streamVersion: 1 });
    expect(events.map((e: any) => e.streamVersion)).toEqual(events.map((_: unknown, i: number) => i + 1));
    expect(events[events.length - 1].type).toBe('ExecutionCompleted');
    expect(events.filter((e: any) => e.type === 'NodeExecutionCompleted')).toHaveLength(3);
  });

  it('forks from a node: re-runs it with its recorded input and everything downstream, not what is upstream', async () => {
    const res = await api(platform.url, 'POST', `/api/v1/executions/${sourceId}/fork`, { fromNodeId: 'fill' }, token);
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ executionId: expect.any(String), forkedFrom: { executionId: sourceId, nodeExecId: 'fill#1' } });
    expect(res.headers.get('location')).toBe(`/api/v1/executions/${res.json.executionId}`);
    const fork = await waitForExecution(platform.url, token, res.json.executionId);
    expect(fork.status).toBe('COMPLETED');
    expect(fork.outputs).toEqual({ greeting: ['Hello world!'] });
    // The input node is not run again: its recorded output is reused through fill's recorded input.
    expect(fork.nodeExecutions.map((n: any) => n.nodeId).sort()).toEqual(['fill', 'out']);

    const events = (await api(platform.url, 'GET', `/api/v1/executions/${res.json.executionId}/events`, undefined, token)).json.items;
    expect(events[0].data.forkOf).toMatchObject({ executionId: sourceId, nodeExecId: 'fill#1', nodeId: 'fill' });
  });

  it('forks from an exact node execution', async () => {
    const res = await api(platform.url, 'POST', `/api/v1/executions/${sourceId}/fork`, { fromNodeExecId: 'out#1' }, token);
    expect(res.status).toBe(202);
    const fork = await waitForExecution(platform.url, token, res.json.executionId);
    expect(fork.status).toBe('COMPLETED');
    expect(fork.nodeExecutions.map((n: any) => n.nodeId)).toEqual(['out']);
    expect(fork.outputs).toEqual({ greeting: ['Hello world!'] });
  });

  it('refuses bad forks with stable codes and appends nothing', async () => {
    const before = await countExecutions();
    const unknownNode = await api(platform.url, 'POST', `/api/v1/executions/${sourceId}/fork`, { fromNodeId: 'nope' }, token);
    expect(unknownNode.status).toBe(404);
    expect(unknownNode.json.code).toBe('NOT_FOUND');
    const unknownExec = await api(platform.url, 'POST', `/api/v1/executions/${sourceId}/fork`, { fromNodeExecId: 'fill#9' }, token);
    expect(unknownExec.status).toBe(404);
    const unknownExecution = await api(platform.url, 'POST', '/api/v1/executions/00000000-0000-4000-8000-000000000000/fork', { fromNodeId: 'fill' }, token);
    expect(unknownExecution.status).toBe(404);
    expect(unknownExecution.json.code).toBe('NOT_FOUND');
    const empty = await api(platform.url, 'POST', `/api/v1/executions/${sourceId}/fork`, {}, token);
    expect(empty.status).toBe(400);
    expect(empty.json.code).toBe('VALIDATION_FAILED');
    const unknownField = await api(platform.url, 'POST', `/api/v1/executions/${sourceId}/fork`, { fromNode: 'fill' }, token);
    expect(unknownField.status).toBe(400);
    const anonymous = await api(platform.url, 'POST', `/api/v1/executions/${sourceId}/fork`, { fromNodeId: 'fill' });
    expect(anonymous.status).toBe(401);
    expect(await countExecutions()).toBe(before);
  });

  it("refuses execute and fork past the tenant's quota with 429 QUOTA_EXCEEDED, appending nothing", async () => {
    const tenantId = (await api(platform.url, 'GET', '/api/v1/me', undefined, token)).json.tenantId;
    const used = await countExecutions();
    const set = await api(platform.url, 'PATCH', `/api/v1/tenants/${tenantId}/quotas`, { executionsPerDay: 0 }, token);
    expect(set.status).toBe(200);
    const execute = await api(platform.url, 'POST', `/api/v1/graphs/${graphId}/execute`, { inputs: { topic: 'again' } }, token);
    expect({ status: execute.status, code: execute.json.code }).toEqual({ status: 429, code: 'QUOTA_EXCEEDED' });
    const fork = await api(platform.url, 'POST', `/api/v1/executions/${sourceId}/fork`, { fromNodeId: 'fill' }, token);
    expect({ status: fork.status, code: fork.json.code }).toEqual({ status: 429, code: 'QUOTA_EXCEEDED' });
    expect(await countExecutions()).toBe(used);
    await api(platform.url, 'PATCH', `/api/v1/tenants/${tenantId}/quotas`, { executionsPerDay: null }, token);
    expect((await api(platform.url, 'POST', `/api/v1/graphs/${graphId}/execute`, { inputs: { topic: 'again' } }, token)).status).toBe(202);
  });

  it('declares the fork route in the OpenAPI document', async () => {
    const doc = (await api(platform.url, 'GET', '/openapi.json')).json;
    const op = doc.paths['/api/v1/executions/{id}/fork']?.post;
    expect(op).toBeDefined();
    expect(op.requestBody).toBeDefined();
    expect(op.responses['202']).toBeDefined();
    expect(doc.paths['/api/v1/executions/{id}/events']?.get).toBeDefined();
  });
});
