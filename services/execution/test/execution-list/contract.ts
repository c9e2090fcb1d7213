import type { EventStore } from '@agentry/event-log';
import type { ExecutionList, ListFilter } from '../../src/app/execution-index';
import type { ExecutionEvent, Trigger } from '../../src/domain/execution/events';
import type { ExecutionSummary } from '../../src/domain/execution/view';
import { MemoryEventStore } from '../support/memory-event-log';

/** An execution list adapter over an event store, and what to release after the test. */
export interface ExecutionListFixture {
  list: ExecutionList;
  dispose(): Promise<void>;
}

const GRAPHS = ['g-mail', 'g-crm', 'g-report'];
const TRIGGERS: Trigger[] = ['manual', 'schedule', 'webhook', 'api'];
const DAY0 = Date.UTC(2026, 10, 20, 22, 0, 0);

/** Appends events to an execution's stream and hands them to the list as the engine does after an append. */
class Log {
  private readonly versions = new Map<string, number>();
  private readonly tenants = new Map<string, string>();
  constructor(readonly store: MemoryEventStore) {}

  async emit(id: string, events: ExecutionEvent[], list?: ExecutionList, tenantId?: string): Promise<{ version: number; positions: number[]; events: ExecutionEvent[] }> {
    const tenant = tenantId ?? this.tenants.get(id)!;
    this.tenants.set(id, tenant);
    const r = await this.store.append(`execution-${id}`, events.map((e) => ({ type: e.type, data: e.data })), { expectedVersion: this.versions.get(id) ?? 0, tenantId: tenant });
    this.versions.set(id, r.nextVersion);
    const applied = { version: r.nextVersion, positions: r.events.map((e) => e.globalPosition), events };
    if (list) await list.apply(id, { version: applied.version }, events, applied.positions);
    return applied;
  }
}

const requested = (tenantId: string, graphId: string, trigger: Trigger, requestedAt: string, parentExecutionId?: string): ExecutionEvent =>
  ({
    type: 'ExecutionRequested',
    data: { executionId: 'x', tenantId, userId: 'u-1', graphId, graphVersion: 3, inputs: {}, trigger, parentExecutionId, budget: {}, autoApproveReviews: false, plan: { nodes: [], links: [] }, requestedAt },
  }) as unknown as ExecutionEvent;
const started = (at: string): ExecutionEvent => ({ type: 'ExecutionStarted', data: { startedAt: at } });
const queued = (nodeExecId: string): ExecutionEvent => ({ type: 'NodeExecutionQueued', data: { nodeExecId, attempt: 1, input: {}, queuedAt: '2026-11-20T00:00:00.000Z' } });
const usage = (tokens: number, costUsd: number): ExecutionEvent => ({ type: 'NodeUsageRecorded', data: { nodeExecId: 'n#1', attempt: 1, usage: { inputTokens: tokens, outputTokens: 0, costUsd } } }) as ExecutionEvent;
const completed = (at: string): ExecutionEvent => ({ type: 'ExecutionCompleted', data: { endedAt: at } });
const failed = (at: string): ExecutionEvent => ({ type: 'ExecutionFailed', data: { reason: 'boom', code: 'NODE_FAILED', endedAt: at } });
const terminated = (at: string): ExecutionEvent => ({ type: 'ExecutionTerminated', data: { reason: 'stop', endedAt: at } });

const newest = (a: ExecutionSummary, b: ExecutionSummary) => (a.requestedAt < b.requestedAt ? 1 : a.requestedAt > b.requestedAt ? -1 : a.id < b.id ? 1 : -1);

async function allPages(list: ExecutionList, tenantId: string, filter: ListFilter): Promise<ExecutionSummary[]> {
  const out: ExecutionSummary[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await list.list(tenantId, { ...filter, cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('paging did not end');
}

/**
 * What every execution list adapter does (services/execution README, "List"): the in-memory index, the read-store
 * projection on SQLite, and on MongoDB when MONGO_URL is set. `make` gets the event store to fold.
 */
export function executionListContract(name: string, make: (events: EventStore) => Promise<ExecutionListFixture>): void {
  describe(`execution list contract: ${name}`, () => {
    let store: MemoryEventStore;
    let log: Log;
    const fixtures: ExecutionListFixture[] = [];
    const open = async () => {
      const f = await make(store);
      fixtures.push(f);
      return f.list;
    };
    beforeEach(() => {
      store = new MemoryEventStore();
      log = new Log(store);
    });
    afterEach(async () => {
      for (const f of fixtures.splice(0)) await f.dispose();
    });

    /** 90 executions of tenant t-a (3 graphs, 4 triggers, mixed outcomes, over several UTC days) and 20 of t-b. */
    async function seed(list?: ExecutionList): Promise<ExecutionSummary[]> {
      const expected: ExecutionSummary[] = [];
      for (let i = 0; i < 110; i++) {
        const tenantId = i < 90 ? 't-a' : 't-b';
        const id = `e${String((i * 37) % 110).padStart(3, '0')}`; // ids not in time order
        // several executions share a requestedAt (ties go by id), spread over 3 UTC days
        const requestedAt = new Date(DAY0 + Math.floor(i / 3) * 97 * 60_000).toISOString();
        const graphId = GRAPHS[i % 3];
        const trigger = TRIGGERS[i % 4];
        await log.emit(id, [requested(tenantId, graphId, trigger, requestedAt)], list, tenantId);
        const s: ExecutionSummary = { id, tenantId, userId: 'u-1', graphId, graphVersion: 3, status: 'RUNNING', trigger, requestedAt };
        if (i % 5 !== 4) {
          await log.emit(id, [started(requestedAt), queued('n#1')], list);
          s.startedAt = requestedAt;
        }
        const end = new Date(Date.parse(requestedAt) + 1000).toISOString();
        if (i % 5 === 0) {
          await log.emit(id, [completed(end)], list);
          Object.assign(s, { status: 'COMPLETED', endedAt: end });
        } else if (i % 5 === 1) {
          await log.emit(id, [failed(end)], list);
          Object.assign(s, { status: 'FAILED', endedAt: end, error: { message: 'boom', code: 'NODE_FAILED' } });
        } else if (i % 5 === 2) {
          await log.emit(id, [terminated(end)], list);
          Object.assign(s, { status: 'TERMINATED', endedAt: end, error: { message: 'stop', code: 'TERMINATED' } });
        }
        expected.push(s);
      }
      return expected;
    }

    it('lists a tenant’s executions newest first, by every filter, each exactly once across cursor pages', async () => {
      const expected = await seed();
      const list = await open();
      await list.ensureBuilt();
      const mine = expected.filter((s) => s.tenantId === 't-a').sort(newest);
      const days = [...new Set(mine.map((s) => s.requestedAt))].sort();
      const from = days[5];
      const to = days[20];
      const filters: ListFilter[] = [
        {},
        { graphId: 'g-crm' },
        { status: 'RUNNING' },
        { status: 'FAILED' },
        { trigger: 'webhook' },
        { graphId: 'g-mail', status: 'COMPLETED' },
        { graphId: 'g-report', trigger: 'api' },
        { status: 'TERMINATED', trigger: 'manual' },
        { graphId: 'g-mail', status: 'RUNNING', trigger: 'schedule' },
        { from },
        { to },
        { from, to },
        { graphId: 'g-crm', status: 'FAILED', from, to },
        { graphId: 'nope' },
      ];
      for (const f of filters) {
        const want = mine.filter(
          (s) =>
            (f.graphId === undefined || s.graphId === f.graphId) &&
            (f.status === undefined || s.status === f.status) &&
            (f.trigger === undefined || s.trigger === f.trigger) &&
            (f.from === undefined || s.requestedAt >= f.from) &&
            (f.to === undefined || s.requestedAt < f.to),
        );
        if (f.graphId !== 'nope') expect({ f, matches: want.length > 0 }).toEqual({ f, matches: true });
        for (const limit of [4, 500]) {
          const got = await allPages(list, 't-a', { ...f, limit });
          expect({ f, limit, got }).toEqual({ f, limit, got: want });
        }
      }
      // default page size 50, with a cursor to the rest; the cursor of one page continues exactly after it
      const first = await list.list('t-a', {});
      expect(first.items).toHaveLength(50);
      const second = await list.list('t-a', { cursor: first.nextCursor, limit: 30 });
      expect([...first.items, ...second.items]).toEqual(mine.slice(0, 80));
      const last = await list.list('t-a', { cursor: second.nextCursor, limit: 30 });
      expect(last.items).toEqual(mine.slice(80));
      expect(last.nextCursor).toBeUndefined();
      await expect(Promise.resolve().then(() => list.list('t-a', { cursor: 'not-a-cursor' }))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('keeps tenants apart: lists, filters and counters', async () => {
      const expected = await seed();
      const list = await open();
      await list.ensureBuilt();
      const theirs = expected.filter((s) => s.tenantId === 't-b').sort(newest);
      expect(await allPages(list, 't-b', { limit: 7 })).toEqual(theirs);
      expect(await allPages(list, 't-b', { graphId: 'g-mail' })).toEqual(theirs.filter((s) => s.graphId === 'g-mail'));
      expect(await allPages(list, 't-c', {})).toEqual([]);
      expect(await list.tenantCounts('t-c', '2026-11-21')).toEqual({ running: 0, requestedOnDay: 0 });
      // an id of t-a is not reachable from t-b by any filter
      const ofA = new Set(expected.filter((s) => s.tenantId === 't-a').map((s) => s.id));
      expect((await allPages(list, 't-b', { limit: 500 })).some((s) => ofA.has(s.id))).toBe(false);
    });

    it('counts what quotas check: executions not finished, and requested per UTC day', async () => {
      const expected = await seed();
      const list = await open();
      await list.ensureBuilt();
      for (const tenantId of ['t-a', 't-b']) {
        const mine = expected.filter((s) => s.tenantId === tenantId);
        for (const day of ['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23']) {
          expect(await list.tenantCounts(tenantId, day)).toEqual({
            running: mine.filter((s) => s.status === 'RUNNING').length,
            requestedOnDay: mine.filter((s) => s.requestedAt.startsWith(day)).length,
          });
        }
      }
      expect((await list.nonTerminalIds()).sort()).toEqual(expected.filter((s) => s.status === 'RUNNING').map((s) => s.id).sort());
    });

    it('takes live appends, and applying the same events again (redelivery, or seen by the build too) changes nothing', async () => {
      // some history before the list starts, the rest live
      const before = await log.emit('old-1', [requested('t-a', 'g-mail', 'api', '2026-11-21T08:00:00.000Z')], undefined, 't-a');
      const list = await open();
      await list.ensureBuilt();
      const day = '2026-11-21';
      expect(await list.tenantCounts('t-a', day)).toEqual({ running: 1, requestedOnDay: 1 });
      // the build already read these: applying them live too counts once
      await list.apply('old-1', { version: before.version }, before.events, before.positions);
      expect(await list.tenantCounts('t-a', day)).toEqual({ running: 1, requestedOnDay: 1 });

      const a = await log.emit('live-1', [requested('t-a', 'g-crm', 'manual', '2026-11-21T09:00:00.000Z'), started('2026-11-21T09:00:00.000Z')], list, 't-a');
      const b = await log.emit('live-1', [queued('n#1'), usage(120, 0.5)], list);
      expect(await list.tenantCounts('t-a', day)).toEqual({ running: 2, requestedOnDay: 2 });
      await list.apply('live-1', { version: a.version }, a.events, a.positions);
      await list.apply('live-1', { version: b.version }, b.events, b.positions);
      expect(await list.tenantCounts('t-a', day)).toEqual({ running: 2, requestedOnDay: 2 });
      expect(await list.tenantUsage('t-a', '2026-11-21T00:00:00.000Z')).toEqual({ nodeRuns: 1, tokens: 120, costUsd: 0.5 });

      const c = await log.emit('live-1', [completed('2026-11-21T09:00:05.000Z')], list);
      await list.apply('live-1', { version: c.version }, c.events, c.positions);
      expect(await list.tenantCounts('t-a', day)).toEqual({ running: 1, requestedOnDay: 2 });
      expect(await list.nonTerminalIds()).toEqual(['old-1']);
      const page = await list.list('t-a', {});
      expect(page.items.map((s) => [s.id, s.status])).toEqual([
        ['live-1', 'COMPLETED'],
        ['old-1', 'RUNNING'],
      ]);
      expect(page.items[0]).toMatchObject({ startedAt: '2026-11-21T09:00:00.000Z', endedAt: '2026-11-21T09:00:05.000Z', graphId: 'g-crm', trigger: 'manual' });

      // a second list over the same log (a restart) folds to the same answers
      const again = await open();
      await again.ensureBuilt();
      expect(await again.list('t-a', {})).toEqual(page);
      expect(await again.tenantCounts('t-a', day)).toEqual({ running: 1, requestedOnDay: 2 });
      expect(await again.tenantUsage('t-a', '2026-11-21T00:00:00.000Z')).toEqual({ nodeRuns: 1, tokens: 120, costUsd: 0.5 });
      expect(await again.tenantUsage('t-a', '2026-11-21T08:30:00.000Z')).toEqual({ nodeRuns: 1, tokens: 120, costUsd: 0.5 });
      expect(await again.tenantUsage('t-a', '2026-11-21T10:00:00.000Z')).toEqual({ nodeRuns: 0, tokens: 0, costUsd: 0 });
    });
  });
}
