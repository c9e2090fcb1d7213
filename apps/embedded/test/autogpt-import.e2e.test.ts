import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { api, BLOCK, login, startTestPlatform, tempDataDir, waitForExecution } from './support';
import type { Platform } from '../src/platform';

const EXECUTOR = 'e189baac-8c20-45a1-94a7-55177ea42565';

/** A link in AutoGPT's export shape; every link appears in `links`, the source's output_links and the sink's input_links. */
const link = (source_id: string, source_name: string, sink_id: string, sink_name: string, is_static = false) => ({ id: randomUUID(), source_id, sink_id, source_name, sink_name, is_static });

function node(id: string, block_id: string, input_default: Record<string, unknown>, links: ReturnType<typeof link>[], graph?: { id: string; version: number }) {
  return {
    id,
    block_id,
    input_default,
    metadata: { position: { x: 0.0, y: 0.0 } },
    input_links: links.filter((l) => l.sink_id === id),
    output_links: links.filter((l) => l.source_id === id),
    ...(graph ? { graph_id: graph.id, graph_version: graph.version, webhook_id: null, webhook: null } : {}),
  };
}

const ioSchema = (names: string[]) => ({
  type: 'object',
  properties: Object.fromEntries(names.map((n) => [n, { title: n, advanced: false, secret: false, anyOf: [{ type: 'string', format: 'short-text' }, { type: 'null' }] }])),
  required: names,
});

/** An export as AutoGPT writes it (FORMAT.md): snake_case, block ids, duplicated links, a sub-graph run by an executor node. */
function autogptExport() {
  const sub = { id: randomUUID(), version: 3 };
  const subIds = { in: randomUUID(), fill: randomUUID(), out: randomUUID() };
  const subLinks = [link(subIds.in, 'result', subIds.fill, 'values_#_text'), link(subIds.fill, 'output', subIds.out, 'value')];
  const subGraph = {
    id: sub.id,
    version: sub.version,
    is_active: true,
    name: 'Shout',
    description: 'Adds emphasis',
    instructions: null,
    recommended_schedule_cron: null,
    nodes: [
      node(subIds.in, BLOCK.input, { name: 'text', title: null, value: null, advanced: false, secret: false }, subLinks),
      node(subIds.fill, BLOCK.template, { format: '{{text | safe}}!!', values: {} }, subLinks),
      node(subIds.out, BLOCK.output, { name: 'Loud', format: '', advanced: false, secret: false }, subLinks),
    ],
    links: subLinks,
    forked_from_id: null,
    forked_from_version: null,
    input_schema: ioSchema(['text']),
    output_schema: ioSchema(['Loud']),
    has_external_trigger: false,
    has_human_in_the_loop: false,
    trigger_setup_info: null,
  };
  const top = { id: randomUUID(), version: 12 };
  const ids = { in: randomUUID(), fill: randomUUID(), exec: randomUUID(), out: randomUUID(), note: randomUUID() };
  const links = [
    link(ids.in, 'result', ids.fill, 'values_#_topic'),
    link(ids.fill, 'output', ids.exec, 'text'),
    link(ids.exec, 'Loud', ids.out, 'value'),
  ];
  return {
    id: top.id,
    version: top.version,
    is_active: true,
    name: 'Greeting, loudly',
    description: 'Imported from AutoGPT',
    instructions: null,
    recommended_schedule_cron: null,
    nodes: [
      node(ids.in, BLOCK.input, { name: 'topic', title: null, value: null, advanced: false, secret: false }, links, top),
      node(ids.fill, BLOCK.template, { format: 'Hello {{ topic }}', values: {} }, links, top),
      node(
        ids.exec,
        EXECUTOR,
        // As in real exports, the executor's graph_id is not the embedded sub-graph's id; version and schemas match.
        { graph_id: randomUUID(), graph_version: sub.version, user_id: randomUUID(), inputs: {}, input_schema: ioSchema(['text']), output_schema: ioSchema(['Loud']) },
        links,
        top,
      ),
      node(ids.out, BLOCK.output, { name: 'result', format: '', advanced: false, secret: false }, links, top),
      node(ids.note, 'cc10ff7b-7753-4ff2-9af6-9399b1a7eddc', { text: 'a sticky note' }, links, top),
    ],
    links,
    forked_from_id: null,
    forked_from_version: null,
    sub_graphs: [subGraph],
    user_id: '',
    created_at: '2025-10-18T11:19:17.072Z',
    input_schema: ioSchema(['topic']),
    output_schema: ioSchema(['result']),
    has_external_trigger: false,
    has_human_in_the_loop: false,
    trigger_setup_info: null,
    credentials_input_schema: { properties: {}, required: [], title: 'GreetingLoudlyCredentialsInputSchema', type: 'object' },
  };
}

describe('importing an AutoGPT agent export', () => {
  const dataDir = tempDataDir();
  let platform: Platform;

  beforeAll(async () => {
    platform = await startTestPlatform(dataDir);
  });
  afterAll(async () => {
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('imports the graph and its sub-graph and runs it to completion through the sub-agent', async () => {
    const token = await login(platform.url);
    const imported = await api(platform.url, 'POST', '/api/v1/graphs/import', autogptExport(), token);
    expect(imported.status).toBe(201);
    expect(imported.json.subGraphs).toHaveLength(1);
    const executor = imported.json.nodes.find((n: any) => n.blockId === EXECUTOR);
    expect(executor.inputDefault.graph_id).toBe(imported.json.subGraphs[0].id);

    const started = await api(platform.url, 'POST', `/api/v1/graphs/${imported.json.id}/execute`, { inputs: { topic: 'world' } }, token);
    expect(started.status).toBe(202);
    const done = await waitForExecution(platform.url, token, started.json.executionId);
    expect(done.status).toBe('COMPLETED');
    expect(done.outputs).toEqual({ result: ['Hello world!!'] });
  });

  it('reports every block it cannot map and creates nothing', async () => {
    const token = await login(platform.url);
    const before = await api(platform.url, 'GET', '/api/v1/graphs', undefined, token);
    const doc = autogptExport();
    doc.nodes[1].block_id = 'aaaaaaaa-0000-4000-8000-000000000001';
    doc.sub_graphs[0].nodes[1].block_id = 'aaaaaaaa-0000-4000-8000-000000000002';
    const res = await api(platform.url, 'POST', '/api/v1/graphs/import', doc, token);
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('VALIDATION_FAILED');
    expect(Object.values(res.json.errors).map((e: any) => e.blockId)).toEqual([
      expect.stringContaining('aaaaaaaa-0000-4000-8000-000000000001'),
      expect.stringContaining('aaaaaaaa-0000-4000-8000-000000000002'),
    ]);
    const after = await api(platform.url, 'GET', '/api/v1/graphs', undefined, token);
    expect(after.json.items).toHaveLength(before.json.items.length);
  });
});
