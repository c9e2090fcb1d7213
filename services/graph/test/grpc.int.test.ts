import { checkHealth } from '@agentry/grpc';
import { graphV1 } from '@agentry/proto-ts';
import path from 'node:path';
import { createSqliteReadStore } from '@agentry/read-store';
import { serviceHarness, type ServiceDeps } from '@agentry/testing';
import { startGraphService } from '../src';
const INPUT = 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b';
const OUTPUT = '363ae599-353e-4804-937e-b2ee3cef3da4';

/** The graph list in memory (default) or on a read store (a SQLite file next to the log), behind the same API. */
const backends: Array<[string, (deps: ServiceDeps) => ReturnType<typeof startGraphService>]> = [
  ['in-memory list', (deps) => startGraphService(deps)],
  [
    'read-store list',
    async (deps) => {
      const store = createSqliteReadStore({ path: path.join(deps.dir, 'read.db') });
      const service = await startGraphService({ ...deps, readModels: store });
      const close = async () => {
        await service.close();
        await store.close();
      };
      return { ...service, close };
    },
  ],
];

describe.each(backends)('GraphService over a real socket (%s)', (_name, start) => {
  const h = serviceHarness('graph', start);
  const client = () => h.client(graphV1.GraphServiceClient);
  const alice = { tenantId: 'tenant-a', userId: 'alice', roles: [] };
  const bob = { tenantId: 'tenant-b', userId: 'bob', roles: [] };
  const draft: graphV1.GraphDraft = {
    name: 'Echo',
    description: '',
    nodes: [
      { id: 'in', blockId: INPUT, inputDefault: { name: 'x' }, metadata: {}, retry: undefined, timeoutMs: 0 },
      { id: 'out', blockId: OUTPUT, inputDefault: { name: 'y' }, metadata: {}, retry: undefined, timeoutMs: 0 },
    ],
    links: [{ id: '', sourceId: 'in', sourceName: 'result', sinkId: 'out', sinkName: 'value', isStatic: false }],
  };

  it('serves the gRPC health protocol', async () => {
    expect(await checkHealth(h.service.address, 'agentry.graph.v1.GraphService')).toBe('SERVING');
  });

  it('creates, reads, versions and isolates graphs by tenant', async () => {
    const { graph } = await client().createGraph({ caller: alice, draft, forkedFrom: undefined });
    expect(graph!.version).toBe(1);
    expect((await client().getGraph({ caller: alice, graphId: graph!.id, version: 0 })).graph!.name).toBe('Echo');

    await expect(client().getGraph({ caller: bob, graphId: graph!.id, version: 0 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await client().listGraphs({ caller: bob, query: '', sort: '', page: undefined })).items).toHaveLength(0);

    const v2 = await client().updateGraph({
      caller: alice,
      graphId: graph!.id,
      baseVersion: 1,
      draft: { ...draft, name: 'Echo 2' },
    });
    expect(v2.graph!.version).toBe(2);
    await expect(
      client().updateGraph({ caller: alice, graphId: graph!.id, baseVersion: 1, draft }),
    ).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    expect(
      (await client().listGraphVersions({ caller: alice, graphId: graph!.id })).items.map((v) => [
        v.version,
        v.isActive,
      ]),
    ).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it('pages the list with the cursor it returns, in both sort orders, and filters by query', async () => {
    const caller = { tenantId: 'tenant-paging', userId: 'pat', roles: [] };
    const ids: string[] = [];
    for (const name of ['delta plan', 'Alpha plan', 'charlie plan', 'bravo plan', 'echo plan'])
      ids.push((await client().createGraph({ caller, draft: { ...draft, name }, forkedFrom: undefined })).graph!.id);
    for (const sort of ['name', 'updatedAt', '']) {
      const seen: string[] = [];
      let cursor = '';
      do {
        const res = await client().listGraphs({ caller, query: '', sort, page: { cursor, limit: 2 } });
        expect(res.items.length).toBeLessThanOrEqual(2);
        seen.push(...res.items.map((g) => g.name));
        cursor = res.page!.nextCursor;
      } while (cursor);
      if (sort === 'name')
        expect(seen).toEqual(['Alpha plan', 'bravo plan', 'charlie plan', 'delta plan', 'echo plan']);
      else expect(seen.sort()).toEqual(['Alpha plan', 'bravo plan', 'charlie plan', 'delta plan', 'echo plan']);
    }
    const found = await client().listGraphs({ caller, query: 'charlie', sort: 'name', page: undefined });
    expect(found.items.map((g) => g.id)).toEqual([ids[2]]);
    await client().deleteGraph({ caller, graphId: ids[2] });
    expect((await client().listGraphs({ caller, query: 'charlie', sort: '', page: undefined })).items).toEqual([]);
    await expect(client().listGraphs({ caller, query: '', sort: 'size', page: undefined })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('answers INVALID_ARGUMENT with every problem and appends nothing', async () => {
    const head = await h.log.events.headPosition();
    const bad = {
      ...draft,
      nodes: [
        ...draft.nodes,
        { id: 'x', blockId: 'nope', inputDefault: {}, metadata: {}, retry: undefined, timeoutMs: 0 },
      ],
    };
    await expect(client().createGraph({ caller: alice, draft: bad, forkedFrom: undefined })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { errors: { x: { blockId: expect.stringMatching(/unknown block/) } } },
    });
    expect(await h.log.events.headPosition()).toBe(head);
  });

  it('carries any text in errors across the wire', async () => {
    await expect(client().getGraph({ caller: alice, graphId: 'ünï-🙂', version: 0 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'graph ünï-🙂 not found',
      details: { id: 'ünï-🙂' },
    });
  });

  it('refuses calls without a caller', async () => {
    await expect(
      client().listGraphs({ caller: undefined, query: '', sort: '', page: undefined }),
    ).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
