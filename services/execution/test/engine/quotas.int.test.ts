import type { EventStore } from '@agentry/event-log';
import { createSqliteReadStore, type ReadStore } from '@agentry/read-store';
import type { ExecutionList } from '../../src/app/execution-index';
import { ReadStoreExecutionList } from '../../src/app/execution-list-read-store';
import { B } from '../support/blocks';
import { graph, TENANT } from '../support/graphs';
import { startHarness, type Harness } from '../support/harness';
import { tempSqliteLog } from '../support/sqlite';

/** What the gateway appends to the tenant stream (services/gateway/src/domain/accounts/events.ts). */
async function setQuotas(store: EventStore, tenantId: string, quotas: Record<string, number>) {
  await store.append(
    `tenant-${tenantId}`,
    [{ type: 'TenantQuotasSet', data: { tenantId, quotas, setBy: 'admin', at: new Date().toISOString() } }],
    {
      expectedVersion: 'any',
      tenantId,
    },
  );
}

/** The counters quotas check come from the engine's execution list: both adapters (issue #10). */
const LISTS: Array<[string, (() => { readStore: ReadStore; make: (store: EventStore) => ExecutionList }) | undefined]> = [
  ['in-memory execution list', undefined],
  [
    'read-store execution list (SQLite)',
    () => {
      const readStore = createSqliteReadStore();
      return { readStore, make: (store) => new ReadStoreExecutionList(store, readStore) };
    },
  ],
];

describe.each(LISTS)('tenant quotas (TenantQuotasSet on tenant-<id>), enforced at StartExecution: %s', (_name, listOf) => {
  let h: Harness;
  let readStore: ReadStore | undefined;
  let disposeLog: () => Promise<void>;
  let clockMs = Date.parse('2026-03-10T23:59:00.000Z');
  const clock = { now: () => new Date(clockMs) };
  const slow = graph([['s', B.slow, { tag: 'quota' }]]);
  const quick = graph([['e', B.echo, { value: 1 }]]);

  beforeEach(() => {
    const sqlite = tempSqliteLog();
    disposeLog = sqlite.dispose;
    const list = listOf?.();
    readStore = list?.readStore;
    h = startHarness({ store: sqlite.log.events, queue: sqlite.log.queue, clock, executionList: list?.make });
  });
  afterEach(async () => {
    await h.stop();
    await readStore?.close();
    await disposeLog();
  });

  const refusedWith = async (start: Promise<unknown>) => {
    const head = await h.store.headPosition();
    await expect(start).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    expect(await h.store.headPosition()).toBe(head); // nothing appended
  };

  it('refuses a start over concurrentExecutions, and allows it again once one has ended', async () => {
    await setQuotas(h.store, TENANT, { concurrentExecutions: 2 });
    const first = await h.start(slow);
    await h.start(slow);
    const head = await h.store.headPosition();
    const refused = h.start(slow);
    await expect(refused).rejects.toMatchObject({
      code: 'QUOTA_EXCEEDED',
      details: expect.objectContaining({ quota: 'concurrentExecutions', limit: 2, used: 2 }),
    });
    expect(await h.store.headPosition()).toBe(head);
    expect((await h.engine.list(TENANT, { graphId: slow.id })).items).toHaveLength(2);

    await h.engine.cancel(TENANT, first, 'make room');
    await h.settled(first);
    await expect(h.start(slow)).resolves.toEqual(expect.any(String));
  });

  it('refuses a start over executionsPerDay (UTC day), finished executions included; the next day is a new count', async () => {
    await setQuotas(h.store, TENANT, { executionsPerDay: 2 });
    for (let i = 0; i < 2; i++) expect((await h.settled(await h.start(quick))).status).toBe('COMPLETED');
    await refusedWith(h.start(quick));
    await expect(h.start(quick)).rejects.toMatchObject({
      details: expect.objectContaining({ quota: 'executionsPerDay', day: '2026-03-10' }),
    });
    clockMs += 2 * 60_000; // 2026-03-11T00:01Z
    expect((await h.settled(await h.start(quick))).status).toBe('COMPLETED');
  });

  it('takes the latest TenantQuotasSet as the complete set: a quota left out is unlimited again', async () => {
    await setQuotas(h.store, TENANT, { executionsPerDay: 1, storageBytes: 10 });
    await h.settled(await h.start(quick));
    await refusedWith(h.start(quick));
    await setQuotas(h.store, TENANT, { storageBytes: 10 });
    expect((await h.settled(await h.start(quick))).status).toBe('COMPLETED');
  });

  it("counts each tenant on its own: another tenant's quota does not apply", async () => {
    await setQuotas(h.store, 'tenant-2', { executionsPerDay: 0 });
    expect((await h.settled(await h.start(quick))).status).toBe('COMPLETED');
  });

  it('holds under concurrent requests: exactly the quota is started', async () => {
    await setQuotas(h.store, TENANT, { concurrentExecutions: 3 });
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => h.start(slow)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.map((r) => (r.reason as { code?: string }).code)).toEqual([
      'QUOTA_EXCEEDED',
      'QUOTA_EXCEEDED',
      'QUOTA_EXCEEDED',
    ]);
    for (const r of results) if (r.status === 'fulfilled') await h.engine.cancel(TENANT, r.value);
  });

  it('applies to forks too', async () => {
    const source = await h.settled(await h.start(quick));
    await setQuotas(h.store, TENANT, { executionsPerDay: 1 });
    await refusedWith(h.engine.fork(TENANT, source.id, { nodeId: 'e' }));
  });
});
