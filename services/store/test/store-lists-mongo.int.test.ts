import { randomUUID } from 'node:crypto';
import { createMongoReadStore } from '@agentry/read-store';
import { storeListsSuite } from './support/store-lists-suite';

/** The store list tests on the read store over a real MongoDB when MONGO_URL is set (e.g. `mongodb://localhost:27017`). */
const url = process.env.MONGO_URL ?? '';
if (!url)
  console.warn(
    'MongoDB store-list tests skipped: set MONGO_URL=mongodb://host:port to run my listings, library, ratings and the review queue against MongoDB',
  );
const describeIfMongo = url ? describe : describe.skip;

describeIfMongo('store lists on MongoDB', () => {
  storeListsSuite({
    name: 'read store (MongoDB)',
    open: async () => {
      const store = await createMongoReadStore({ url, dbName: `agentry_store_${randomUUID().slice(0, 8)}` });
      return {
        store,
        dispose: async () => {
          await store.connection.dropDatabase();
          await store.close();
        },
      };
    },
  });
});
