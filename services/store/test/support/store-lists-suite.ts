import { createSqliteEventLog } from '@agentry/event-log/sqlite';
import { newId, type Clock } from '@agentry/kernel';
import type { ReadStore } from '@agentry/read-store';
import { createSqliteSearchIndex, readStoreLists, StoreApp } from '../../src';
import { fakeGraphs } from '../fake-graphs';

/** How a list backend is made for one test: no store (the in-memory lists) or a fresh read store. */
export interface ListBackend {
  name: string;
  open(): Promise<{ store?: ReadStore; dispose(): Promise<void> }>;
}

export const memoryBackend: ListBackend = { name: 'in memory', open: async () => ({ dispose: async () => undefined }) };

/** A clock one second further on each reading: distinct, ordered times. */
function steppingClock(): Clock {
  let t = Date.parse('2026-01-01T00:00:00.000Z');
  return { now: () => new Date((t += 1000)) };
}

const caller = (tenantId: string, userId: string, roles: string[] = []) => ({ tenantId, userId, roles });
const admin = caller('t-admin', 'admin', ['admin']);
const details = (name: string) => ({
  name,
  subHeading: 'news',
  description: 'summarises your feeds every morning',
  categories: ['productivity'],
  images: [],
  videoUrl: '',
});

/**
 * The store's lists (my listings, library, ratings, review queue) through StoreApp on one backend: tenant
 * isolation, paging, another instance on the same log and store, and replays that change nothing.
 */
export function storeListsSuite(backend: ListBackend): void {
  describe(`store lists: ${backend.name}`, () => {
    let log: ReturnType<typeof createSqliteEventLog>;
    let opened: { store?: ReadStore; dispose(): Promise<void> };
    let clock: Clock;
    const graphs = fakeGraphs();
    const apps: StoreApp[] = [];
    const listErrors: unknown[] = [];

    async function startApp(store: ReadStore | undefined = opened.store): Promise<StoreApp> {
      const app = new StoreApp({
        events: log.events,
        clock,
        newId,
        graphs,
        search: createSqliteSearchIndex(),
        countRuns: false,
        readModels: store,
        followLog: true,
        onListError: (err) => listErrors.push(err),
      });
      await app.start();
      apps.push(app);
      return app;
    }

    beforeEach(async () => {
      log = createSqliteEventLog({ path: ':memory:' });
      opened = await backend.open();
      clock = steppingClock();
    });
    afterEach(async () => {
      for (const app of apps.splice(0)) await app.close();
      await opened.dispose();
      await log.close();
      expect(listErrors.splice(0)).toEqual([]);
    });

    async function submit(app: StoreApp, who: ReturnType<typeof caller>, name: string, draft = false) {
      const graph = graphs.seed(who.tenantId, { name, description: '', nodes: [], links: [] });
      return (await app.createListing(who, { graphId: graph.id, graphVersion: 1, details: details(name), draft })).id;
    }
    const approve = (app: StoreApp, id: string, version = 1) =>
      app.reviewListingVersion(admin, id, version, 'APPROVE', '');
    const names = (items: Array<{ name: string }>) => items.map((l) => l.name);

    it('my listings and the library: the caller tenant’s only, newest first', async () => {
      const app = await startApp();
      const alice = caller('t-a', 'alice');
      const bob = caller('t-b', 'bob');
      const a1 = await submit(app, alice, 'Alpha');
      const b1 = await submit(app, bob, 'Bravo');
      await submit(app, alice, 'Another', true);
      expect(names(await app.myListings(alice))).toEqual(['Another', 'Alpha']);
      expect((await app.myListings(alice))[1]).toMatchObject({
        id: a1,
        status: 'PENDING',
        versions: [expect.objectContaining({ version: 1 })],
      });
      expect(names(await app.myListings(bob))).toEqual(['Bravo']);
      expect(await app.myListings(caller('t-c', 'carol'))).toEqual([]);

      await approve(app, a1);
      await approve(app, b1);
      const inA = await app.addToLibrary(bob, a1);
      const inB = await app.addToLibrary(alice, b1);
      const bobsOwn = await app.addToLibrary(caller('t-b', 'bob2'), b1);
      expect((await app.listLibrary(bob)).map((x) => x.id)).toEqual([bobsOwn.id, inA.id]);
      expect((await app.listLibrary(alice)).map((x) => x.id)).toEqual([inB.id]);
      expect((await app.listLibrary(alice))[0]).toMatchObject({ listingId: b1, listingName: 'Bravo', presets: [] });
      expect(await app.listLibrary(caller('t-c', 'carol'))).toEqual([]);
    });

    it('the review queue: every tenant’s versions in one status, oldest submission first, for admins only', async () => {
      const app = await startApp();
      const alice = caller('t-a', 'alice');
      const bob = caller('t-b', 'bob');
      const a1 = await submit(app, alice, 'Alpha');
      const b1 = await submit(app, bob, 'Bravo');
      const a2 = await submit(app, alice, 'Draft only', true);
      const queue = async (status?: string) =>
        (await app.reviewQueue(admin, status)).map((q) => `${q.listing.name}@${q.version.version}:${q.version.status}`);
      expect(await queue()).toEqual(['Alpha@1:PENDING', 'Bravo@1:PENDING']);
      expect(await queue('DRAFT')).toEqual(['Draft only@1:DRAFT']);
      expect((await app.reviewQueue(admin))[0].version.snapshot).toBeDefined();

      await approve(app, b1);
      // a second version of Bravo (shown under its approved name), and the draft submitted: both after Alpha
      await app.addListingVersion(bob, b1, { graphVersion: 1, details: details('Bravo two'), draft: false });
      await app.submitListingVersion(alice, a2, 1);
      expect(await queue()).toEqual(['Alpha@1:PENDING', 'Bravo@2:PENDING', 'Draft only@1:PENDING']);
      expect((await app.reviewQueue(admin))[1].version.name).toBe('Bravo two');
      expect(await queue('APPROVED')).toEqual(['Bravo@1:APPROVED']);
      await app.reviewListingVersion(admin, a1, 1, 'REJECT', 'too vague');
      expect(await queue('REJECTED')).toEqual(['Alpha@1:REJECTED']);
      expect(await queue()).toEqual(['Bravo@2:PENDING', 'Draft only@1:PENDING']);
      await expect(app.reviewQueue(alice)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    });

    it('ratings: one listing’s, of every tenant, last updated first, paged past one page', async () => {
      const app = await startApp();
      const alice = caller('t-a', 'alice');
      const l1 = await submit(app, alice, 'Rated');
      const l2 = await submit(app, alice, 'Other');
      await approve(app, l1);
      await approve(app, l2);
      const raters = Array.from({ length: 8 }, (_, i) => caller(`t-r${i % 3}`, `rater-${i}`));
      for (const [i, r] of raters.entries()) await app.rate(r, l1, 1 + (i % 5), `comment ${i}`);
      await app.rate(raters[0], l2, 5, 'elsewhere');
      await app.editRating(raters[2], l1, 5, 'changed my mind');

      const all = await app.listRatings(l1, undefined, 200);
      expect(all.nextCursor).toBeUndefined();
      expect(all.items.map((r) => r.userId)).toEqual([
        'rater-2',
        'rater-7',
        'rater-6',
        'rater-5',
        'rater-4',
        'rater-3',
        'rater-1',
        'rater-0',
      ]);
      expect(all.items[0]).toMatchObject({ listingId: l1, score: 5, comment: 'changed my mind', tenantId: '' });
      expect(all.items[0].createdAt < all.items[0].updatedAt).toBe(true);

      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await app.listRatings(l1, cursor, 3);
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items.map((r) => r.userId));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual(all.items.map((r) => r.userId));
      expect((await app.listRatings(l2)).items.map((r) => r.comment)).toEqual(['elsewhere']);
      // the slug finds the same ratings; a listing not public has none to show
      expect((await app.listRatings(app.getListing(l1).slug, undefined, 1)).items[0].userId).toBe('rater-2');
      const hidden = await submit(app, alice, 'Hidden');
      await expect(app.listRatings(hidden)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('another instance on the same log and store lists what the first wrote, after catching up', async () => {
      const first = await startApp();
      const second = await startApp();
      const alice = caller('t-a', 'alice');
      const bob = caller('t-b', 'bob');
      const l1 = await submit(first, alice, 'Shared');
      await approve(first, l1);
      await first.rate(bob, l1, 4, 'good');
      const agent = await first.addToLibrary(bob, l1);
      await submit(first, alice, 'Waiting');

      await second.catchUp();
      expect(names(await second.myListings(alice))).toEqual(['Waiting', 'Shared']);
      expect((await second.listLibrary(bob)).map((a) => a.id)).toEqual([agent.id]);
      expect((await second.listRatings(l1)).items.map((r) => r.comment)).toEqual(['good']);
      expect((await second.reviewQueue(admin)).map((q) => q.listing.name)).toEqual(['Waiting']);
      // and writes on top of what it caught up with
      await second.editRating(bob, l1, 2, 'less good');
      await first.catchUp();
      expect((await first.listRatings(l1)).items.map((r) => r.comment)).toEqual(['less good']);

      // a restart: built from the log (in memory) or caught up from its checkpoint (read store)
      const third = await startApp();
      expect(names(await third.myListings(alice))).toEqual(['Waiting', 'Shared']);
      expect((await third.listRatings(l1)).items.map((r) => r.score)).toEqual([2]);
    });

    it('a replay (catching up again, a rebuild, the same events applied twice) changes nothing', async () => {
      const app = await startApp();
      const alice = caller('t-a', 'alice');
      const bob = caller('t-b', 'bob');
      const l1 = await submit(app, alice, 'One');
      await submit(app, alice, 'Two');
      await approve(app, l1);
      await app.rate(bob, l1, 3, 'ok');
      await app.editRating(bob, l1, 4, 'better');
      await app.addToLibrary(bob, l1);
      const snapshot = async () => ({
        mine: await app.myListings(alice),
        library: await app.listLibrary(bob),
        ratings: await app.listRatings(l1),
        queue: await app.reviewQueue(admin),
        approved: await app.reviewQueue(admin, 'APPROVED'),
      });
      const before = await snapshot();
      expect(await app.catchUp()).toBe(0);
      await app.rebuild();
      if (opened.store) {
        const events = await log.events.readAll({ after: 0, limit: 1000 });
        const again = readStoreLists(log.events, opened.store);
        for (const list of Object.values(again)) {
          await list.apply(events);
          await list.apply(events);
          await list.apply(events.slice(0, 3)); // older events alone do not bring back an older state
          await list.close();
        }
      }
      expect(await snapshot()).toEqual(before);
    });
  });
}
