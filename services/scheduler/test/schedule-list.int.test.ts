import { createSqliteEventLog } from '@agentry/event-log/sqlite';
import { createLogger } from '@agentry/observability';
import { createSqliteReadStore } from '@agentry/read-store';
import { startSchedulerService } from '../src';
import { memoryBackend, scheduleListSuite } from './support/schedule-list-suite';

// The same list tests on both ScheduleList adapters: the in-memory scan (default) and the read-store projection
// (SQLite here; MongoDB in schedule-list-mongo.int.test.ts).
scheduleListSuite(memoryBackend);
scheduleListSuite({
  name: 'read store (SQLite)',
  open: async () => {
    const store = createSqliteReadStore({ path: ':memory:' });
    return { store, dispose: () => store.close() };
  },
});

describe('scheduler service read-store options', () => {
  const logger = createLogger({ name: 'test', level: 'silent' });
  const base = { logger, executionAddress: '127.0.0.1:1', tickMs: 0, host: '127.0.0.1', port: 0 };
  const caller = { tenantId: 't', userId: 'u' };
  const input = { graphId: 'g', graphVersion: 1, cron: '0 9 * * *', timezone: 'UTC', inputs: {} };

  it('uses an injected read store for the list and leaves it open; sqlite/nothing keeps the list in memory', async () => {
    const log = createSqliteEventLog({ path: ':memory:' });
    const store = createSqliteReadStore({ path: ':memory:' });
    try {
      const withStore = await startSchedulerService({
        ...base,
        events: log.events,
        readModels: store,
        readModelFollowMs: 0,
      });
      const s = await withStore.app.create(caller, input);
      await withStore.close();
      const docs = await store.collection<{ graphId: string }>({ name: 'schedule_summaries', indexes: [] });
      expect((await docs.get('t', s.id))?.data.graphId).toBe('g'); // the store is still open

      const inMemory = await startSchedulerService({ ...base, events: log.events, readStore: 'sqlite' });
      expect((await inMemory.app.list('t')).map((x) => x.id)).toEqual([s.id]);
      await inMemory.close();
    } finally {
      await store.close();
      await log.close();
    }
  });

  it('refuses readStore mongo without a MONGO_URL, naming it', async () => {
    const log = createSqliteEventLog({ path: ':memory:' });
    try {
      await expect(startSchedulerService({ ...base, events: log.events, readStore: 'mongo' })).rejects.toThrow(
        /MONGO_URL/,
      );
    } finally {
      await log.close();
    }
  });
});
