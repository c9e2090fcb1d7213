import Database from 'better-sqlite3';
import { createSqliteReadStore } from '@agentry/read-store';
import { integrationListSuite, memoryBackend } from './support/list-suite';

integrationListSuite(memoryBackend);

integrationListSuite({
  name: 'read store on SQLite',
  open: async () => {
    const db = new Database(':memory:');
    const store = createSqliteReadStore({ db });
    return {
      store,
      dump: async () => {
        const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
        return tables.map((t) => `${t}: ${JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all())}`).join('\n');
      },
      dispose: async () => {
        await store.close();
        db.close();
      },
    };
  },
});
