import { createLogger } from '@agentry/observability';
import { createSqliteEventLog } from '@agentry/event-log/sqlite';
import { createSqliteReadStore } from '@agentry/read-store';
import { startGraphService } from '../src';
import { content, graphListSuite, memoryBackend } from './support/graph-list-suite';

// The same list tests on both GraphList adapters: the in-memory scan (default) and the read-store projection
// (SQLite here; MongoDB in graph-list-mongo.int.test.ts).
graphListSuite(memoryBackend);
graphListSuite({
  name: 'read store (SQLite)',
  open: async () => {
    const store = createSqliteReadStore({ path: ':memory:' });
    return { store, dispose: () => store.close() };
  },
});

describe('graph service read-store options', () => {
  const logger = createLogger({ name: 'test', level: 'silent' });

  it('uses an injected read store for the list and leaves it open; sqlite/nothing keeps the list in memory', async () => {
    const log = createSqliteEventLog({ path: ':memory:' });
    const store = createSqliteReadStore({ path: ':memory:' });
    try {
      const withStore = await startGraphService({
        events: log.events,
        logger,
        port: 0,
        host: '127.0.0.1',
        readModels: store,
        readModelFollowMs: 0,
      });
      const g = await withStore.app.create({ tenantId: 't', userId: 'u' }, content('Stored graph'));
      await withStore.close();
      const docs = await store.collection<{ name: string }>({ name: 'graph_summaries', indexes: [] });
      expect((await docs.get('t', g.id))?.data.name).toBe('Stored graph'); // the store is still open

      const inMemory = await startGraphService({
        events: log.events,
        logger,
        port: 0,
        host: '127.0.0.1',
        readStore: 'sqlite',
      });
      expect((await inMemory.app.list('t')).items.map((x) => x.id)).toEqual([g.id]);
      await inMemory.close();
    } finally {
      await store.close();
      await log.close();
    }
  });

  it('refuses readStore mongo without a MONGO_URL, naming it', async () => {
    const log = createSqliteEventLog({ path: ':memory:' });
    try {
      await expect(
        startGraphService({ events: log.events, logger, port: 0, host: '127.0.0.1', readStore: 'mongo' }),
      ).rejects.toThrow(/MONGO_URL/);
    } finally {
      await log.close();
    }
  });
});
