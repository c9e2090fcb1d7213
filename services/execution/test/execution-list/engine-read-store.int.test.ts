import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteReadStore, type ReadStore } from '@agentry/read-store';
import { ReadStoreExecutionList } from '../../src/app/execution-list-read-store';
import { B } from '../support/blocks';
import { graph, MemoryGraphs, TENANT } from '../support/graphs';
import { startHarness, type Harness } from '../support/harness';
import { tempSqliteLog } from '../support/sqlite';

/** The engine with its execution list in libs/read-store (what AGENTRY_READ_STORE=mongo selects), here on SQLite. */
describe('engine on the read-store execution list', () => {
  let dir: string;
  let disposeLog: () => Promise<void>;
  const stores: ReadStore[] = [];
  const harnesses: Harness[] = [];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-exec-list-'));
  });
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.stop();
    for (const s of stores.splice(0)) await s.close();
    await disposeLog();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const readStore = () => {
    const s = createSqliteReadStore({ path: path.join(dir, 'read.db') });
    stores.push(s);
    return s;
  };

  it('lists and counts what the engine runs, and a restarted engine recovers the unfinished executions it lists', async () => {
    const sqlite = tempSqliteLog();
    disposeLog = sqlite.dispose;
    const graphs = new MemoryGraphs();
    const slow = graph([['s', B.slow, { tag: 'list' }]]);
    const quick = graph([['e', B.echo, { value: 1 }]]);
    const first = startHarness({ store: sqlite.log.events, queue: sqlite.log.queue, graphs, executionList: (events) => new ReadStoreExecutionList(events, readStore()) });
    harnesses.push(first);
    const slowIds = [await first.start(slow), await first.start(slow), await first.start(slow, {}, { trigger: 'api' })];
    const quickIds = [(await first.run(quick)).id, (await first.run(quick, {}, { trigger: 'webhook' })).id];
    const day = new Date().toISOString().slice(0, 10);
    // newest first by (requestedAt, id): executions started in the same millisecond go by id
    const keyed = await Promise.all([...slowIds, ...quickIds].map(async (id) => [(await first.engine.get(TENANT, id)).requestedAt, id] as const));
    const newestFirst = keyed.sort(([a, x], [b, y]) => (a < b || (a === b && x < y) ? 1 : -1)).map(([, id]) => id);
    expect((await first.engine.list(TENANT, {})).items.map((s) => s.id)).toEqual(newestFirst);
    expect((await first.engine.list(TENANT, { status: 'RUNNING' })).items.map((s) => s.id).sort()).toEqual([...slowIds].sort());
    expect((await first.engine.list(TENANT, { graphId: quick.id, trigger: 'webhook' })).items.map((s) => s.id)).toEqual([quickIds[1]]);
    await first.stop();
    harnesses.splice(0);

    // what a restart recovers comes from the persistent read store
    expect((await new ReadStoreExecutionList(sqlite.log.events, readStore()).nonTerminalIds()).sort()).toEqual([...slowIds].sort());
    // a new engine over the same log and the same (persistent) read store
    const second = startHarness({ store: sqlite.log.events, queue: sqlite.log.queue, graphs, executionList: (events) => new ReadStoreExecutionList(events, readStore()) });
    harnesses.push(second);
    await second.engine.recover();
    for (const id of slowIds) await second.engine.cancel(TENANT, id, 'done with it');
    for (const id of slowIds) expect((await second.settled(id)).status).toBe('TERMINATED');
    const page = await second.engine.list(TENANT, { limit: 3 });
    const rest = await second.engine.list(TENANT, { limit: 3, cursor: page.nextCursor });
    expect(rest.nextCursor).toBeUndefined();
    const all = [...page.items, ...rest.items];
    expect(all.map((s) => s.id)).toEqual(newestFirst);
    expect(all.map((s) => s.status)).toEqual(newestFirst.map((id) => (slowIds.includes(id) ? 'TERMINATED' : 'COMPLETED')));
    expect(await new ReadStoreExecutionList(sqlite.log.events, readStore()).tenantCounts(TENANT, day)).toEqual({ running: 0, requestedOnDay: 5 });
  });
});
