import { createSqliteEventLog } from '@agentry/event-log/sqlite';
import type { ReadStore } from '@agentry/read-store';
import { NOTIFICATION_LIST, Notifications } from '../../src';
import type { Notification } from '../../src/app/notifications';
import type { Draft } from '../../src/domain/catalog';

/** How a list backend is made for one test: no store (the in-memory list) or a fresh read store. */
export interface ListBackend {
  name: string;
  open(): Promise<{ store?: ReadStore; dispose(): Promise<void> }>;
}

export const memoryBackend: ListBackend = { name: 'in memory', open: async () => ({ dispose: async () => undefined }) };

const draft = (title: string): Draft => ({ type: 'system', title, body: `about ${title}`, data: { title, n: 1 } });

/** createdAt, then id, both descending: the order of the list. */
const newestFirst = (a: Notification, b: Notification) =>
  a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;

/**
 * The notification list through `Notifications`, on one backend: tenant and user isolation, cursor paging through
 * several pages, the unread filter and count after mark-read and mark-all-read, a second replica on the same log
 * (and store), and replays that must change nothing.
 */
export function notificationListSuite(backend: ListBackend): void {
  describe(`notification list: ${backend.name}`, () => {
    let log: ReturnType<typeof createSqliteEventLog>;
    let opened: { store?: ReadStore; dispose(): Promise<void> };
    const apps: Notifications[] = [];
    let now = Date.UTC(2026, 10, 1, 9, 0, 0);
    const clock = { now: () => new Date(now) };
    const tick = (ms = 1000) => (now += ms);

    async function startApp(): Promise<Notifications> {
      // no background poll: the tests call catchUp themselves
      const app = new Notifications({ events: log.events, clock, pollMs: 3_600_000, readModels: opened.store });
      await app.start();
      apps.push(app);
      return app;
    }

    /** Every page of one user's list, with the limit given. */
    async function allPages(app: Notifications, tenantId: string, userId: string, unreadOnly: boolean, limit: number) {
      const pages: Notification[][] = [];
      let cursor = '';
      do {
        const page = await app.list(tenantId, userId, unreadOnly, { cursor, limit });
        pages.push(page.items);
        cursor = page.nextCursor;
        if (pages.length > 100) throw new Error('the cursor does not advance');
      } while (cursor);
      return pages;
    }

    /** What a user sees: every item (one page), and the unread count both ways. */
    async function view(app: Notifications, tenantId: string, userId: string) {
      const page = await app.list(tenantId, userId, false, { cursor: '', limit: 200 });
      return { items: page.items, unreadCount: page.unreadCount, count: await app.unreadCount(tenantId, userId) };
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

    it('keeps tenants and users apart: lists, counts and mark-read', async () => {
      const app = await startApp();
      for (const [tenantId, userId, n] of [
        ['t1', 'u1', 3],
        ['t1', 'u2', 2],
        ['t2', 'u1', 1],
      ] as const)
        for (let i = 0; i < n; i++) {
          tick();
          await app.notify(tenantId, userId, draft(`${tenantId}/${userId}/${i}`), `${tenantId}.${userId}.${i}`);
        }
      const u1 = await view(app, 't1', 'u1');
      expect(u1.items.map((n) => n.id)).toEqual(['t1.u1.2', 't1.u1.1', 't1.u1.0']);
      expect(u1.items.every((n) => n.tenantId === 't1' && n.userId === 'u1')).toBe(true);
      expect(u1.items[0]).toMatchObject({
        type: 'system',
        title: 't1/u1/2',
        body: 'about t1/u1/2',
        data: { title: 't1/u1/2', n: 1 },
        read: false,
        inApp: true,
        emailMode: 'daily',
      });
      expect([u1.unreadCount, u1.count]).toEqual([3, 3]);
      expect((await view(app, 't1', 'u2')).items.map((n) => n.id)).toEqual(['t1.u2.1', 't1.u2.0']);
      expect((await view(app, 't2', 'u1')).items.map((n) => n.id)).toEqual(['t2.u1.0']);
      expect(await view(app, 't2', 'u2')).toEqual({ items: [], unreadCount: 0, count: 0 });

      // another user's, and another tenant's, mark-read changes nothing of u1's in t1
      await app.markRead('t1', 'u2', ['t1.u1.0', 't1.u1.1']);
      await app.markRead('t2', 'u1', ['t1.u1.0']);
      await app.markRead('t2', 'u1', [], true);
      expect((await view(app, 't1', 'u1')).count).toBe(3);
      expect((await view(app, 't2', 'u1')).count).toBe(0);
      expect((await view(app, 't1', 'u2')).count).toBe(2);
    });

    it('pages newest first with cursors through several pages, ties broken by id, both with and without the unread filter', async () => {
      const app = await startApp();
      const ids: string[] = [];
      for (let i = 0; i < 23; i++) {
        if (i % 3 !== 0) tick(); // every third one has the same createdAt as the one before it
        const id = `n${String((i * 7) % 23).padStart(2, '0')}`;
        ids.push(id);
        await app.notify('t1', 'u1', draft(id), id);
        await app.notify('t1', 'u2', draft(id), `other.${id}`); // another user's, interleaved
      }
      const all = (await view(app, 't1', 'u1')).items;
      expect(all).toHaveLength(23);
      expect([...all].sort(newestFirst).map((n) => n.id)).toEqual(all.map((n) => n.id));
      const pages = await allPages(app, 't1', 'u1', false, 5);
      expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
      expect(pages.flat().map((n) => n.id)).toEqual(all.map((n) => n.id));

      const read = ids.filter((_, i) => i % 2 === 0); // 12 read, 11 unread
      await app.markRead('t1', 'u1', read);
      const unreadPages = await allPages(app, 't1', 'u1', true, 4);
      expect(unreadPages.map((p) => p.length)).toEqual([4, 4, 3]);
      expect(unreadPages.flat().map((n) => n.id)).toEqual(all.map((n) => n.id).filter((id) => !read.includes(id)));
      expect(unreadPages.flat().every((n) => !n.read)).toBe(true);
      const first = await app.list('t1', 'u1', true, { cursor: '', limit: 4 });
      expect(first.unreadCount).toBe(11);
      expect(first.nextCursor).not.toBe('');
      // the other user's list did not move
      expect((await view(app, 't1', 'u2')).count).toBe(23);
    });

    it('reflects mark-read and mark-all-read in the unread filter and count; an email-only notification is not listed', async () => {
      const app = await startApp();
      for (let i = 0; i < 5; i++) {
        tick();
        await app.notify('t1', 'u1', draft(`n${i}`), `n${i}`);
      }
      await app.markRead('t1', 'u1', ['n1', 'n3', 'no-such-id']);
      let v = await view(app, 't1', 'u1');
      expect([v.unreadCount, v.count]).toEqual([3, 3]);
      expect(v.items.filter((n) => n.read).map((n) => n.id)).toEqual(['n3', 'n1']);
      expect((await app.list('t1', 'u1', true, { cursor: '', limit: 0 })).items.map((n) => n.id)).toEqual([
        'n4',
        'n2',
        'n0',
      ]);

      await app.markRead('t1', 'u1', [], true);
      v = await view(app, 't1', 'u1');
      expect([v.unreadCount, v.count]).toEqual([0, 0]);
      expect(v.items.every((n) => n.read)).toBe(true);
      expect((await app.list('t1', 'u1', true, { cursor: '', limit: 0 })).items).toEqual([]);

      tick();
      await app.notify('t1', 'u1', draft('later'), 'later');
      expect((await app.list('t1', 'u1', true, { cursor: '', limit: 0 })).items.map((n) => n.id)).toEqual(['later']);
      expect(await app.unreadCount('t1', 'u1')).toBe(1);

      // in-app off for system notifications: the next one is emailed only
      await app.setPreferences('t1', 'u1', { types: { system: { inApp: false, email: 'daily' } } });
      tick();
      await app.notify('t1', 'u1', draft('email only'), 'email-only');
      expect(app.byId.get('email-only')).toMatchObject({ inApp: false });
      expect((await view(app, 't1', 'u1')).items.map((n) => n.id)).not.toContain('email-only');
      expect(await app.unreadCount('t1', 'u1')).toBe(1);
    });

    it('a second replica on the same log (and store) sees what the first wrote after catchUp, and the other way round', async () => {
      const a = await startApp();
      const b = await startApp();
      tick();
      await a.notify('t1', 'u1', draft('from a'), 'a1');
      tick();
      await b.notify('t1', 'u1', draft('from b'), 'b1'); // b's own append comes after a's, before b caught up
      tick();
      await a.notify('t1', 'u1', draft('from a again'), 'a2');
      await b.catchUp();
      expect((await view(b, 't1', 'u1')).items.map((n) => n.id)).toEqual(['a2', 'b1', 'a1']);
      await b.markRead('t1', 'u1', ['a1', 'b1']);
      await a.catchUp();
      const seen = await view(a, 't1', 'u1');
      expect(seen.items.map((n) => [n.id, n.read])).toEqual([
        ['a2', false],
        ['b1', true],
        ['a1', true],
      ]);
      expect(seen.count).toBe(1);
      // a third one started later (a restart) builds the same list from the log
      const c = await startApp();
      expect(await view(c, 't1', 'u1')).toEqual(seen);
    });

    it('a replay of the log (twice) changes nothing', async () => {
      const app = await startApp();
      for (let i = 0; i < 6; i++) {
        tick();
        await app.notify('t1', `u${i % 2}`, draft(`n${i}`), `n${i}`);
      }
      await app.markRead('t1', 'u0', ['n0', 'n2']);
      await app.markRead('t1', 'u1', [], true);
      tick();
      await app.notify('t1', 'u1', draft('n6'), 'n6');
      const before = [await view(app, 't1', 'u0'), await view(app, 't1', 'u1')];
      const events = await log.events.readAll();
      await app.fold(events);
      await app.fold(events);
      await app.fold([...events].reverse()); // and out of order
      await app.catchUp();
      expect([await view(app, 't1', 'u0'), await view(app, 't1', 'u1')]).toEqual(before);
      expect(before[1].items.map((n) => [n.id, n.read])).toEqual([
        ['n6', false],
        ['n5', true],
        ['n3', true],
        ['n1', true],
      ]);
    });

    if (backend.name !== memoryBackend.name)
      it('keeps one document per in-app notification in the read store, with the fields the API answers', async () => {
        const app = await startApp();
        tick();
        await app.notify('t1', 'u1', draft('stored'), 'stored');
        await app.markRead('t1', 'u1', ['stored']);
        const docs = await opened.store!.collection(NOTIFICATION_LIST);
        const doc = await docs.get('t1', 'stored');
        expect(doc?.data).toEqual({
          userId: 'u1',
          type: 'system',
          title: 'stored',
          body: 'about stored',
          dataJson: JSON.stringify({ title: 'stored', n: 1 }),
          read: true,
          createdAt: new Date(now).toISOString(),
          emailMode: 'daily',
        });
        expect(await docs.get('t2', 'stored')).toBeUndefined();
      });
  });
}
