import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { readStoreContract } from '../src/contract';
import { projectionContract } from '../src/projection-contract';
import { createMongoReadStore } from '../src';

/** Runs the read-store contract against a real MongoDB when MONGO_URL is set (e.g. `mongodb://localhost:27017`). */
const url = process.env.MONGO_URL ?? '';
if (!url)
  console.warn(
    'MongoDB read-store tests skipped: set MONGO_URL=mongodb://host:port to run the read-store contract against MongoDB',
  );
const describeIfMongo = url ? describe : describe.skip;

describeIfMongo('MongoDB read store (mongoose)', () => {
  const mongoFixture = async () => {
    const dbName = `agentry_rs_${randomUUID().slice(0, 8)}`;
    const store = await createMongoReadStore({ url, dbName });
    return {
      store,
      dispose: async () => {
        await store.connection.dropDatabase();
        await store.close();
      },
    };
  };
  readStoreContract('mongo', mongoFixture);
  projectionContract('mongo', mongoFixture);

  it('keeps the tenant first in every index of a collection', async () => {
    const dbName = `agentry_rs_${randomUUID().slice(0, 8)}`;
    const conn = await mongoose.createConnection(url, { dbName }).asPromise();
    try {
      const store = await createMongoReadStore({ connection: conn });
      await store.collection<{ status: string; at: string; name: string }>({
        name: 'idx',
        indexes: [['status', 'at']],
        text: ['name'],
      });
      const indexes = (await conn.db!.collection('rs_idx').indexes()).filter(
        (i) => i.name !== '_id_' && !('position' in i.key),
      );
      expect(indexes.length).toBeGreaterThanOrEqual(3);
      for (const i of indexes) expect(Object.keys(i.key)[0]).toBe('tenantId');
    } finally {
      await conn.dropDatabase();
      await conn.close();
    }
  });
});
