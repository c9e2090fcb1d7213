import { catalogueEntry, searchIndexContract } from './search-index.contract';
import { createSqliteSearchIndex } from '../src';

searchIndexContract('sqlite FTS5', async () => createSqliteSearchIndex());

describe('SQLite discovery index specifics', () => {
  it('also matches the last word as a prefix (type-ahead); the MongoDB text index matches whole words only', async () => {
    const index = createSqliteSearchIndex();
    try {
      for (let i = 0; i < 200; i++) index.upsert(catalogueEntry(i));
      const invoices = (await index.search({ query: 'invoice', limit: 100 })).total;
      expect(invoices).toBeGreaterThan(0);
      expect((await index.search({ query: 'invoi', limit: 100 })).total).toBe(invoices);
    } finally {
      await index.close();
    }
  });
});
