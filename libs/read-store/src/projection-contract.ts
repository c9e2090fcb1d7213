import { createSqliteEventLog } from '@agentry/event-log/sqlite';
import type { EventEnvelope } from '@agentry/kernel';
import type { ReadStoreFixture } from './contract';
import { ReadModelProjection, type ProjectionSpec } from './projection';

type Plan = { name: string; status: string; updatedAt: string; edits: number };

const PLANS: ProjectionSpec<Plan> = {
  name: 'contract-plans-v1',
  categories: ['plan'],
  collection: { name: 'contract_plans', indexes: [['status', 'updatedAt'], ['updatedAt']] },
  fold(current, e: EventEnvelope) {
    const data = e.data as { name?: string; status?: string };
    switch (e.type) {
      case 'PlanCreated':
        return { name: data.name ?? '', status: 'draft', updatedAt: e.occurredAt, edits: 0 };
      case 'PlanRenamed':
        return (
          current && { ...current, name: data.name ?? current.name, updatedAt: e.occurredAt, edits: current.edits + 1 }
        );
      case 'PlanStatusSet':
        return current && { ...current, status: data.status ?? current.status, updatedAt: e.occurredAt };
      case 'PlanDeleted':
        return null;
      default:
        return undefined;
    }
  },
};

/**
 * ReadModelProjection on a store: idempotent folds keyed by event position, checkpointed catch-up, tenant-scoped
 * lists, removal. The log is an in-memory SQLite event log; the store is the adapter under test.
 */
export function projectionContract(name: string, makeFixture: () => Promise<ReadStoreFixture>): void {
  describe(`read-model projection: ${name}`, () => {
    let fixture: ReadStoreFixture;
    let log: ReturnType<typeof createSqliteEventLog>;
    beforeEach(async () => {
      fixture = await makeFixture();
      log = createSqliteEventLog({ path: ':memory:' });
    });
    afterEach(async () => {
      await log.close();
      await fixture.dispose();
    });

    const append = (tenantId: string, id: string, type: string, data: object) =>
      log.events.append(`plan-${id}`, [{ type, data }], { expectedVersion: 'any', tenantId });

    it('folds the log into one document per aggregate, by tenant, and resumes from its checkpoint', async () => {
      await append('t1', 'a', 'PlanCreated', { name: 'alpha' });
      await append('t1', 'a', 'PlanRenamed', { name: 'alpha 2' });
      await append('t2', 'b', 'PlanCreated', { name: 'beta' });
      await log.events.append('other-x', [{ type: 'Ignored', data: {} }], { expectedVersion: 'any', tenantId: 't1' });
      const p = new ReadModelProjection(log.events, fixture.store, PLANS);
      expect(await p.catchUp()).toBe(3);
      const docs = await p.collection();
      expect((await docs.get('t1', 'a'))?.data).toMatchObject({ name: 'alpha 2', edits: 1 });
      expect(await docs.get('t2', 'a')).toBeUndefined();
      expect((await docs.list({ tenantId: 't2' })).items.map((d) => d.id)).toEqual(['b']);

      await append('t1', 'a', 'PlanStatusSet', { status: 'active' });
      // a second projection object on the same store (another replica, or after a restart) reads only what is new
      const again = new ReadModelProjection(log.events, fixture.store, PLANS);
      expect(await again.catchUp()).toBe(1);
      expect((await docs.get('t1', 'a'))?.data).toMatchObject({ status: 'active', edits: 1 });
      const active = await docs.list({
        tenantId: 't1',
        where: { status: 'active' },
        orderBy: { field: 'updatedAt', direction: 'desc' },
      });
      expect(active.items.map((d) => d.id)).toEqual(['a']);
    });

    it('applies an event once however often it is delivered, and never goes back to an older state', async () => {
      const created = await append('t1', 'a', 'PlanCreated', { name: 'alpha' });
      const renamed = await append('t1', 'a', 'PlanRenamed', { name: 'alpha 2' });
      const p = new ReadModelProjection(log.events, fixture.store, PLANS);
      await p.apply([...created.events, ...renamed.events]);
      await p.apply(renamed.events); // redelivered
      await p.apply(created.events); // replayed out of order
      await Promise.all([p.apply(renamed.events), p.catchUp(), p.catchUp()]);
      const doc = await (await p.collection()).get('t1', 'a');
      expect(doc?.data).toMatchObject({ name: 'alpha 2', edits: 1 });
      expect(doc?.position).toBe(renamed.lastPosition);
    });

    it('removes a deleted aggregate for good: a replay of its earlier events does not bring it back', async () => {
      const created = await append('t1', 'a', 'PlanCreated', { name: 'alpha' });
      await append('t1', 'a', 'PlanDeleted', {});
      const p = new ReadModelProjection(log.events, fixture.store, PLANS);
      await p.catchUp();
      const docs = await p.collection();
      expect(await docs.get('t1', 'a')).toBeUndefined();
      await p.apply(created.events);
      expect(await docs.get('t1', 'a')).toBeUndefined();
      expect((await docs.list({ tenantId: 't1' })).items).toEqual([]);
    });
  });
}
