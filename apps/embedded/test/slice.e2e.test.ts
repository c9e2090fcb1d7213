import fs from 'node:fs';
import { api, BLOCK, greetingGraph, login, startTestPlatform, tempDataDir, waitForExecution } from './support';
import type { Platform } from '../src/platform';

describe('the first vertical slice: REST -> graph -> execution -> block-runner -> events -> REST', () => {
  const dataDir = tempDataDir();
  let platform: Platform;

  beforeAll(async () => {
    platform = await startTestPlatform(dataDir);
  });
  afterAll(async () => {
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses what it should, with problem+json and stable codes', async () => {
    const base = platform.url;
    const wrong = await api(base, 'POST', '/api/v1/auth/login', { email: 'admin@example.test', password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(wrong.json.code).toBe('INVALID_CREDENTIALS');

    const noToken = await api(base, 'GET', '/api/v1/graphs');
    expect(noToken.status).toBe(401);
    expect(noToken.json.code).toBe('UNAUTHENTICATED');

    const badToken = await api(base, 'GET', '/api/v1/graphs', undefined, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.');
    expect(badToken.status).toBe(401);

    const token = await login(base);
    const malformed = await api(base, 'POST', '/api/v1/graphs', '{"name": ', token);
    expect(malformed.status).toBe(400);
    expect(malformed.json.code).toBe('MALFORMED_REQUEST');
    expect(malformed.json).not.toHaveProperty('stack');
  });

  it('lists the blocks of the slice with their schemas', async () => {
    const token = await login(platform.url);
    const res = await api(platform.url, 'GET', '/api/v1/blocks', undefined, token);
    expect(res.status).toBe(200);
    const byId = new Map<string, any>(res.json.items.map((b: any) => [b.id, b]));
    expect(byId.get(BLOCK.input)?.name).toBe('AgentInputBlock');
    expect(byId.get(BLOCK.template)?.name).toBe('FillTextTemplateBlock');
    expect(byId.get(BLOCK.output)?.name).toBe('AgentOutputBlock');
    expect(Object.keys(byId.get(BLOCK.template).inputSchema.properties)).toEqual(expect.arrayContaining(['format', 'values']));
    expect(Object.keys(byId.get(BLOCK.output).outputSchema.properties)).toContain('output');
  });

  it('answers an invalid graph with every problem by node and field, and stores nothing', async () => {
    const token = await login(platform.url);
    const before = await api(platform.url, 'GET', '/api/v1/graphs', undefined, token);
    const graph = greetingGraph();
    graph.nodes.push({ id: 'ghost', blockId: '00000000-0000-4000-8000-000000000000', inputDefault: {} as never, metadata: { position: { x: 0, y: 0 } } });
    graph.links.push({ sourceId: 'in', sourceName: 'no_such_pin', sinkId: 'out', sinkName: 'value', isStatic: false });
    const res = await api(platform.url, 'POST', '/api/v1/graphs', graph, token);
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('VALIDATION_FAILED');
    expect(res.json.errors.ghost.blockId).toMatch(/unknown block/);
    expect(res.json.errors.in.no_such_pin).toMatch(/no output pin/);
    const after = await api(platform.url, 'GET', '/api/v1/graphs', undefined, token);
    expect(after.json.items).toHaveLength(before.json.items.length);
  });

  it('runs the greeting graph to COMPLETED and keeps everything across a restart', async () => {
    let token = await login(platform.url);
    const created = await api(platform.url, 'POST', '/api/v1/graphs', greetingGraph(), token);
    expect(created.status).toBe(201);
    expect(created.json.version).toBe(1);
    const graphId = created.json.id;

    const fetched = await api(platform.url, 'GET', `/api/v1/graphs/${graphId}`, undefined, token);
    expect(fetched.json.nodes.map((n: any) => n.id)).toEqual(['in', 'fill', 'out']);

    const started = await api(platform.url, 'POST', `/api/v1/graphs/${graphId}/execute`, { inputs: { topic: 'world' } }, token);
    expect(started.status).toBe(202);
    const executionId = started.json.executionId;
    const done = await waitForExecution(platform.url, token, executionId);
    expect(done.status).toBe('COMPLETED');
    expect(done.outputs).toEqual({ greeting: ['Hello world!'] });
    expect(done.nodeExecutions.map((n: any) => n.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);

    await platform.close();
    platform = await startTestPlatform(dataDir);
    token = await login(platform.url);
    const again = await api(platform.url, 'GET', `/api/v1/graphs/${graphId}`, undefined, token);
    expect(again.status).toBe(200);
    expect(again.json.name).toBe('Greeting');
    const after = await api(platform.url, 'GET', `/api/v1/executions/${executionId}`, undefined, token);
    expect(after.status).toBe(200);
    expect(after.json.status).toBe('COMPLETED');
    expect(after.json.outputs).toEqual({ greeting: ['Hello world!'] });
    const events = await api(platform.url, 'GET', `/api/v1/executions/${executionId}/events`, undefined, token);
    expect(events.json.items[0].type).toBe('ExecutionRequested');
    expect(events.json.items.map((e: any) => e.globalPosition)).toEqual([...events.json.items.map((e: any) => e.globalPosition)].sort((a: number, b: number) => a - b));
  });
});
