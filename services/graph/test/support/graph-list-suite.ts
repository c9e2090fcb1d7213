import { createRegistry } from '@agentry/blocks';
import { createSqliteEventLog } from '@agentry/event-log/sqlite';
import { newId, systemClock } from '@agentry/kernel';
import type { ReadStore } from '@agentry/read-store';
import { GRAPH_SUMMARIES, GraphApp, ReadStoreGraphList, type GraphSummary } from '../../src';
import type { GraphVersionContent } from '../../src/domain/graph/events';

export const INPUT = 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b';

/** How a list backend is made for one test: no store (the in-memory list) or a fresh read store. */
export interface ListBackend {
  name: string;
  open(): Promise<{ store?: ReadStore; dispose(): Promise<void> }>;
}

export const memoryBackend: ListBackend = { name: 'in memory', open: async () => ({ dispose: async () => undefined }) };

export function content(name: string, description = '', nodes = 0): GraphVersionContent {
  return {
    name,
    description,
    nodes: Array.from({ length: nodes }, (_, i) => ({
      id: `in${i}`,
      blockId: INPUT,
      inputDefault: { name: `x${i}` },
      metadata: {},
    })),
    links: [],
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every page of a list query, with the limit given. */
async function allPages(
  app: GraphApp,
  tenantId: string,
  q: { sort?: 'name' | 'updatedAt'; query?: string; limit: number },
) {
  const pages: GraphSummary[][] = [];
  let cursor: string | undefined;
  do {
    const page = await app.list(tenantId, { ...q, cursor });
    pages.push(page.items);
    cursor = page.nextCursor;
    if (pages.length > 100) throw new Error('the cursor does not advance');
  } while (cursor);
  return pages;
}

const byNameThenId = (a: GraphSummary, b: GraphSummary) => {
  const x = [a.name.toLowerCase(), a.id];
  const y = [b.name.toLowerCase(), b.id];
  return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0;
};
const newestFirst = (a: GraphSummary, b: GraphSummary) =>
  a.updatedAt !== b.updatedAt ? (a.updatedAt < b.updatedAt ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;

/**
 * The graph list through GraphApp, on one backend: tenant isolation, both sort orders paged with cursors, deletes,
 * text query, a second replica on the same log and store, and replays that must change nothing.
 */
export function graphListSuite(backend: ListBackend): void {
  describe(`graph list: ${backend.name}`, () => {
    let log: ReturnType<typeof createSqliteEventLog>;
    let opened: { store?: ReadStore; dispose(): Promise<void> };
    const apps: GraphApp[] = [];
    const alice = { tenantId: 'tenant-a', userId: 'alice' };
    const bob = { tenantId: 'tenant-b', userId: 'bob' };

    /** `blind`: a replica without the read store (its list writes never reach it). */
    async function startApp(options: { blind?: boolean } = {}): Promise<GraphApp> {
      const store = options.blind ? undefined : opened.store;
      const app = new GraphApp({
        events: log.events,
        blocks: createRegistry(),
        clock: systemClock,
        newId,
        readModels: store,
      });
      await app.start();
      apps.push(app);
      return app;
    }

    beforeEach(async () => {
      log = createSqliteEventLog({ path: ':memory:' });
      opened = await backend.open();
    });
    afterEach(async () => {
      for (const app of apps.splice(0)) await app.close();
      await opened.dispose();
      await log.close();
    });

    it('lists only the caller tenant’s graphs, with their newest version', async () => {
      const app = await startApp();
      const a1 = await app.create(alice, content('Alpha report', 'weekly numbers', 1));
      await app.create(alice, content('Beta digest'));
      const b1 = await app.create(bob, content('Bob secret plan', 'alpha launch'));
      await app.update(alice, a1.id, 1, content('Alpha report v2', 'weekly numbers', 3));

      const forAlice = await app.list(alice.tenantId);
      expect(forAlice.items.map((g) => g.name).sort()).toEqual(['Alpha report v2', 'Beta digest']);
      expect(forAlice.items.find((g) => g.id === a1.id)).toMatchObject({
        version: 2,
        nodeCount: 3,
        isActive: true,
        description: 'weekly numbers',
        createdAt: a1.createdAt,
      });
      expect(forAlice.nextCursor).toBeUndefined();
      expect((await app.list(bob.tenantId)).items.map((g) => g.id)).toEqual([b1.id]);
      expect((await app.list('tenant-c')).items).toEqual([]);
      // another tenant's words are not found, in either sort
      expect((await app.list(alice.tenantId, { query: 'secret' })).items).toEqual([]);
      expect((await app.list(alice.tenantId, { query: 'secret', sort: 'name' })).items).toEqual([]);
      expect((await app.list(bob.tenantId, { query: 'alpha' })).items.map((g) => g.id)).toEqual([b1.id]);
    });

    it('pages with cursors through more graphs than one page, by name and by last update', async () => {
      const app = await startApp();
      // names that sort differently by locale, by case and by prefix ("graph 1" < "graph 10" by code point)
      const names = [
        'graph 1',
        'Graph 10',
        'graph 2',
        'alpha',
        'Beta',
        'beta',
        'zulu',
        'Échelle',
        'mike',
        'Mike',
        'graph 11',
      ];
      for (let i = 0; names.length < 23; i++) names.push(`bulk ${String((i * 7) % 12).padStart(2, '0')}`);
      const created: string[] = [];
      for (const name of names) {
        created.push((await app.create(alice, content(name))).id);
        await sleep(2);
      }
      await app.create(bob, content('graph 1'));
      // touch two early ones: they move to the top of the newest-first order
      await app.update(alice, created[3], 1, content('alpha'));
      await sleep(2);
      await app.update(alice, created[0], 1, content('graph 1'));

      const everything = (await app.list(alice.tenantId, { limit: 200 })).items;
      expect(everything).toHaveLength(names.length);
      expect(everything.slice(0, 2).map((g) => g.id)).toEqual([created[0], created[3]]);

      for (const sort of ['name', 'updatedAt'] as const) {
        for (const limit of [1, 4, 7]) {
          const pages = await allPages(app, alice.tenantId, { sort, limit });
          expect(pages.length).toBe(Math.ceil(names.length / limit));
          for (const p of pages.slice(0, -1)) expect(p).toHaveLength(limit);
          const flat = pages.flat();
          expect(new Set(flat.map((g) => g.id)).size).toBe(names.length);
          expect(flat.map((g) => g.id)).toEqual(
            [...flat].sort(sort === 'name' ? byNameThenId : newestFirst).map((g) => g.id),
          );
        }
      }
      const byName = (await allPages(app, alice.tenantId, { sort: 'name', limit: 5 })).flat().map((g) => g.name);
      expect(byName[0]).toBe('alpha');
      expect(byName.slice(1, 3).sort()).toEqual(['Beta', 'beta']); // same sort key: by id
      expect(byName.indexOf('graph 1')).toBeLessThan(byName.indexOf('Graph 10'));
      expect(byName.indexOf('Graph 10')).toBeLessThan(byName.indexOf('graph 11'));
      expect(byName.indexOf('graph 11')).toBeLessThan(byName.indexOf('graph 2'));
      expect(byName[byName.length - 1]).toBe('Échelle'); // code-point order, not the locale's

      // a cursor is only good for the query it came from; a made-up one is refused
      await expect(app.list(alice.tenantId, { cursor: 'not-a-cursor' })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    });

    it('drops deleted graphs from every page and every query', async () => {
      const app = await startApp();
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push((await app.create(alice, content(`Report ${i}`, 'quarterly'))).id);
      await app.delete(alice, ids[1]);
      await app.delete(alice, ids[4]);
      const left = [ids[0], ids[2], ids[3], ids[5]];
      for (const sort of ['name', 'updatedAt'] as const) {
        const seen = (await allPages(app, alice.tenantId, { sort, limit: 2 })).flat().map((g) => g.id);
        expect(seen.sort()).toEqual([...left].sort());
      }
      expect(
        (await app.list(alice.tenantId, { query: 'quarterly', limit: 200 })).items.map((g) => g.id).sort(),
      ).toEqual([...left].sort());
      expect((await app.list(alice.tenantId, { query: 'Report', sort: 'name' })).items.map((g) => g.name)).toEqual([
        'Report 0',
        'Report 2',
        'Report 3',
        'Report 5',
      ]);
      await expect(app.delete(alice, ids[1])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('filters by query over name and description (whole words on the read store, substrings in memory)', async () => {
      const app = await startApp();
      const echo = await app.create(alice, content('Echo bot', 'repeats what it hears'));
      const news = await app.create(alice, content('News digest', 'morning ECHO of the headlines'));
      await app.create(alice, content('Weather', 'sunny'));
      const found = async (query: string) =>
        (await app.list(alice.tenantId, { query, sort: 'name' })).items.map((g) => g.id);
      expect(await found('echo')).toEqual([echo.id, news.id]);
      expect(await found('  Echo  ')).toEqual([echo.id, news.id]);
      expect(await found('headlines')).toEqual([news.id]);
      expect(await found('nothing-like-it')).toEqual([]);
      // the documented difference: part of a word
      expect(await found('ech')).toEqual(opened.store ? [] : [echo.id, news.id]);
      // paged text queries keep their order
      const paged = (await allPages(app, alice.tenantId, { query: 'echo', sort: 'name', limit: 1 }))
        .flat()
        .map((g) => g.id);
      expect(paged).toEqual([echo.id, news.id]);
    });

    it('a replica that wrote since its last sync still picks up what another replica wrote before that', async () => {
      const first = await startApp();
      const second = await startApp();
      const early = await first.create(alice, content('Written first, elsewhere'));
      const own = await second.create(alice, content('Written second, here')); // a later position than `early`
      await second.sync();
      expect(second.get(alice.tenantId, early.id).name).toBe('Written first, elsewhere');
      expect((await second.list(alice.tenantId, { sort: 'name' })).items.map((x) => x.id)).toEqual([early.id, own.id]);
    });

    it('a second replica on the same log and store lists a graph the first wrote, after catching up', async () => {
      const first = await startApp();
      const second = await startApp();
      const g = await first.create(alice, content('Shared graph'));
      await second.sync();
      expect((await second.list(alice.tenantId)).items.map((x) => x.id)).toEqual([g.id]);
      expect(second.get(alice.tenantId, g.id).name).toBe('Shared graph');

      // a writer whose list write never happened (an in-memory replica, or a crash right after the append)
      const blind = await startApp({ blind: true });
      const h = await blind.create(alice, content('Written elsewhere'));
      await second.sync();
      expect((await second.list(alice.tenantId, { sort: 'name' })).items.map((x) => x.id)).toEqual([g.id, h.id]);
      await blind.delete(alice, h.id);
      await second.sync();
      expect((await second.list(alice.tenantId)).items.map((x) => x.id)).toEqual([g.id]);

      // a replica started later (a restart) builds the list from the log or from its store
      const third = await startApp();
      expect((await third.list(alice.tenantId)).items.map((x) => x.id)).toEqual([g.id]);
    });

    it('a replay (catching up again, the same events applied twice, a rebuild) changes nothing', async () => {
      const app = await startApp();
      const a = await app.create(alice, content('One'));
      const b = await app.create(alice, content('Two'));
      await app.update(alice, a.id, 1, content('One again', 'edited', 2));
      await app.delete(alice, b.id);
      await app.create(bob, content('Three'));
      const snapshot = async () => [
        await app.list(alice.tenantId, { sort: 'name' }),
        await app.list(bob.tenantId),
        await app.list(alice.tenantId),
      ];
      const before = await snapshot();
      const stored = async () => {
        if (!opened.store) return [];
        const docs = await opened.store.collection(GRAPH_SUMMARIES.collection);
        return [
          ...(await docs.list({ tenantId: alice.tenantId, limit: 500 })).items,
          ...(await docs.list({ tenantId: bob.tenantId, limit: 500 })).items,
        ];
      };
      const storedBefore = await stored();

      await app.sync();
      await app.sync();
      const all = await log.events.readAll({ after: 0, limit: 1000, categories: ['graph'] });
      if (opened.store) {
        const again = new ReadStoreGraphList(log.events, opened.store);
        await again.apply(all);
        await again.apply(all);
        await again.apply([...all].reverse()); // out of order
        await again.catchUp();
        await again.close();
      }
      await app.rebuild();
      expect(await snapshot()).toEqual(before);
      expect(await stored()).toEqual(storedBefore);
      expect(before[0].items.map((g) => [g.name, g.version, g.nodeCount])).toEqual([['One again', 2, 2]]);
    });
  });
}
