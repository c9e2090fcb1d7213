import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { searchIndexContract } from './search-index.contract';
import { createMongoSearchIndex } from '../src';

/** The discovery-index contract on a real MongoDB when MONGO_URL is set (e.g. `mongodb://localhost:27017`). */
const url = process.env.MONGO_URL ?? '';
if (!url) console.warn('store MongoDB search index tests skipped: set MONGO_URL=mongodb://host:port to run the discovery index contract against MongoDB');
const describeIfMongo = url ? describe : describe.skip;

describeIfMongo('store discovery index on MongoDB', () => {
  const connections: Connection[] = [];
  const open = async () => {
    const index = await createMongoSearchIndex({ url, dbName: `agentry_store_${randomUUID().slice(0, 8)}` });
    connections.push(index.connection);
    return index;
  };
  searchIndexContract('mongo text index', open, async (index) => {
    const conn = (index as Awaited<ReturnType<typeof createMongoSearchIndex>>).connection;
    await conn.dropDatabase();
    await index.close();
  });

  it('searches through one text index over name, description and creator', async () => {
    const index = await open();
    try {
      const indexes = await index.connection.db!.collection('store_listings').indexes();
      const text = indexes.find((i) => i.name === 'listings_text');
      expect(text?.weights).toMatchObject({ name: 10, description: 1, creator: 6 });
    } finally {
      await index.connection.dropDatabase();
      await index.close();
    }
  });
});
