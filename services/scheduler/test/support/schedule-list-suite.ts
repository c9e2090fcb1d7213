import { createSqliteEventLog } from '@agentry/event-log/sqlite';
import type { ReadStore } from '@agentry/read-store';
import { ReadStoreScheduleList, SCHEDULE_SUMMARIES, Schedules, type ScheduleSummary } from '../../src';

/** How a list backend is made for one test: no store (the in-memory list) or a fresh read store. */
export interface ListBackend {
  name: string;
  open(): Promise<{ store?: ReadStore; dispose(): Promise<void> }>;
}

export const memoryBackend: ListBackend = { name: 'in memory', open: async () => ({ dispose: async () => undefined }) };

/** What ListSchedules shows of a schedule (the fields both adapters answer). */
const shown = (s: ScheduleSummary) => ({
  id: s.id,
  tenantId: s.tenantId,
  userId: s.userId,
  name: s.name,
  graphId: s.graphId,
  graphVersion: s.graphVersion,
  cron: s.cron,
  timezone: s.timezone,
  inputs: s.inputs,
  missedRunPolicy: s.missedRunPolicy,
  paused: s.paused,
  createdAt: s.createdAt,
  lastTick: s.lastTick,
  lastExecutionId: s.lastExecutionId,
});

/**
 * The schedule list through Schedules, on one backend: tenant isolation, the graph filter, creation order across more
 * schedules than one store page, deletes, pause and fires, a second replica on the same log and store, and replays.
 */
export function scheduleListSuite(backend: ListBackend): void {
  describe(`schedule list: ${backend.name}`, () => {
    let log: ReturnType<typeof createSqliteEventLog>;
    let opened: { store?: ReadStore; dispose(): Promise<void> };
    const apps: Schedules[] = [];
    const alice = { tenantId: 'tenant-a', userId: 'alice' };
    const bob = { tenantId: 'tenant-b', userId: 'bob' };
    // a clock one second further on each reading: distinct createdAt values, in creation order
    let now = Date.parse('2026-03-01T00:00:00Z');
    let ids = 0;
    const clock = { now: () => new Date((now += 1000)) };
    // ids that do not sort in creation order
    const newId = () => `s-${String((ids++ * 7919) % 10007).padStart(5, '0')}`;

    /** `blind`: a replica without the read store (its list writes never reach it). */
    async function startApp(options: { blind?: boolean } = {}): Promise<Schedules> {
      const store = options.blind ? undefined : opened.store;
      const app = new Schedules({ events: log.events, clock, newId, readModels: store });
      await app.start();
      apps.push(app);
      return app;
    }
    const input = (graphId: string, name = '') => ({
      graphId,
      graphVersion: 1,
      cron: '0 * * * *',
      timezone: 'UTC',
      inputs: { graphId, n: [1, 2] },
      name,
    });

    beforeEach(async () => {
      log = createSqliteEventLog({ path: ':memory:' });
      opened = await backend.open();
    });
    afterEach(async () => {
      for (const app of apps.splice(0)) await app.close();
      await opened.dispose();
      await log.close();
    });

    it('lists only the caller tenant’s schedules, all of them or one graph’s, in creation order', async () => {
      const app = await startApp();
      const a1 = await app.create(alice, input('g1', 'first'));
      const b1 = await app.create(bob, input('g1'));
      const a2 = await app.create(alice, input('g2', 'second'));
      const a3 = await app.create(alice, {
        ...input('g1', 'third'),
        timezone: 'Europe/Paris',
        missedRunPolicy: 'run_once',
      });

      expect((await app.list(alice.tenantId)).map((s) => s.id)).toEqual([a1.id, a2.id, a3.id]);
      expect((await app.list(alice.tenantId, 'g1')).map((s) => s.id)).toEqual([a1.id, a3.id]);
      expect((await app.list(alice.tenantId, 'g3')).map((s) => s.id)).toEqual([]);
      expect((await app.list(bob.tenantId)).map((s) => s.id)).toEqual([b1.id]);
      expect((await app.list(bob.tenantId, 'g2')).map((s) => s.id)).toEqual([]);
      expect((await app.list('tenant-c')).map((s) => s.id)).toEqual([]);
      const third = (await app.list(alice.tenantId, 'g1'))[1];
      expect(shown(third)).toEqual({
        id: a3.id,
        tenantId: alice.tenantId,
        userId: 'alice',
        name: 'third',
        graphId: 'g1',
        graphVersion: 1,
        cron: '0 * * * *',
        timezone: 'Europe/Paris',
        inputs: { graphId: 'g1', n: [1, 2] },
        missedRunPolicy: 'run_once',
        paused: false,
        createdAt: a3.createdAt,
        lastTick: undefined,
        lastExecutionId: undefined,
      });
    });

    it('answers every schedule in creation order, more than one store page of them', async () => {
      const app = await startApp();
      const created: string[] = [];
      // 1,060 for alice (more than two store pages of 500), 10 for bob
      const ofBob = (i: number) => i % 107 === 0;
      for (let i = 0; i < 1070; i++)
        created.push((await app.create(ofBob(i) ? bob : alice, input(i % 3 ? 'g1' : 'g2'))).id);
      const mine = created.filter((_, i) => !ofBob(i));
      expect(mine).toHaveLength(1060);
      expect((await app.list(alice.tenantId)).map((s) => s.id)).toEqual(mine);
      expect((await app.list(alice.tenantId, 'g1')).map((s) => s.id)).toEqual(
        created.filter((_, i) => !ofBob(i) && i % 3 !== 0),
      );
      expect((await app.list(bob.tenantId)).map((s) => s.id)).toEqual(created.filter((_, i) => ofBob(i)));
    });

    it('drops deleted schedules and shows pause, resume and fires', async () => {
      const app = await startApp();
      const keep = await app.create(alice, input('g1'));
      const gone = await app.create(alice, input('g1'));
      await app.delete(alice.tenantId, gone.id);
      expect((await app.list(alice.tenantId)).map((s) => s.id)).toEqual([keep.id]);
      expect((await app.list(alice.tenantId, 'g1')).map((s) => s.id)).toEqual([keep.id]);

      await app.pause(alice.tenantId, keep.id);
      expect((await app.list(alice.tenantId))[0].paused).toBe(true);
      await app.resume(alice.tenantId, keep.id);
      expect((await app.list(alice.tenantId))[0].paused).toBe(false);

      const nextHour = Math.ceil((now + 3600_000) / 3600_000) * 3600_000;
      const won = await app.claimDue(new Date(nextHour + 1000)); // just after a tick: on time, fired
      expect(won).toHaveLength(1);
      await app.recordStarted(won[0].schedule, won[0].tick, 'exec-1');
      const [listed] = await app.list(alice.tenantId);
      expect([listed.lastTick, listed.lastExecutionId]).toEqual([won[0].tick, 'exec-1']);
    });

    it('a replica that wrote since its last sync still picks up what another replica wrote before that', async () => {
      const first = await startApp();
      const second = await startApp();
      const early = await first.create(alice, input('g-early'));
      const own = await second.create(alice, input('g-own')); // a later position than `early`
      await second.sync();
      expect(second.get(alice.tenantId, early.id).graphId).toBe('g-early');
      expect((await second.list(alice.tenantId)).map((x) => x.id).sort()).toEqual([early.id, own.id].sort());
    });

    it('a second replica on the same log and store lists a schedule the first wrote, after catching up', async () => {
      const first = await startApp();
      const second = await startApp();
      const s = await first.create(alice, input('g1'));
      await second.sync();
      expect((await second.list(alice.tenantId)).map((x) => x.id)).toEqual([s.id]);
      expect(second.get(alice.tenantId, s.id).graphId).toBe('g1');

      // a writer whose list write never happened (an in-memory replica, or a crash right after the append)
      const blind = await startApp({ blind: true });
      const t = await blind.create(alice, input('g2'));
      await second.sync();
      expect((await second.list(alice.tenantId)).map((x) => x.id)).toEqual([s.id, t.id]);
      await blind.delete(alice.tenantId, s.id);
      if (opened.store) {
        await second.catchUpList(); // the periodic catch-up alone, from the projection's checkpoint
        expect((await second.list(alice.tenantId)).map((x) => x.id)).toEqual([t.id]);
      }
      await second.sync();
      expect((await second.list(alice.tenantId)).map((x) => x.id)).toEqual([t.id]);

      const third = await startApp(); // a restart
      expect((await third.list(alice.tenantId)).map((x) => x.id)).toEqual([t.id]);
    });

    it('a replay (catching up again, the same events applied twice, a rebuild) changes nothing', async () => {
      const app = await startApp();
      const a = await app.create(alice, input('g1'));
      const b = await app.create(alice, input('g2'));
      await app.pause(alice.tenantId, a.id);
      await app.delete(alice.tenantId, b.id);
      await app.create(bob, input('g1'));
      const snapshot = async () => [
        (await app.list(alice.tenantId)).map(shown),
        (await app.list(bob.tenantId)).map(shown),
      ];
      const before = await snapshot();
      const stored = async () => {
        if (!opened.store) return [];
        const docs = await opened.store.collection(SCHEDULE_SUMMARIES.collection);
        return [
          ...(await docs.list({ tenantId: alice.tenantId, limit: 500 })).items,
          ...(await docs.list({ tenantId: bob.tenantId, limit: 500 })).items,
        ];
      };
      const storedBefore = await stored();

      await app.sync();
      await app.catchUpList();
      const all = await log.events.readAll({ after: 0, limit: 1000, categories: ['schedule'] });
      if (opened.store) {
        const again = new ReadStoreScheduleList(log.events, opened.store);
        await again.apply(all);
        await again.apply(all);
        await again.apply([...all].reverse()); // out of order
        await again.catchUp();
        await again.close();
      }
      await app.rebuild();
      expect(await snapshot()).toEqual(before);
      expect(await stored()).toEqual(storedBefore);
      expect(before[0].map((s) => [s.id, s.paused])).toEqual([[a.id, true]]);
    });
  });
}
