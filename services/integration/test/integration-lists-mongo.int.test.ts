import { randomUUID } from 'node:crypto';
import { createMongoReadStore } from '@agentry/read-store';
import { integrationListSuite } from './support/list-suite';

/** The credential and webhook-trigger list suite on MongoDB (mongoose) when MONGO_URL is set (mongodb://host:27017). */
const url = process.env.MONGO_URL ?? '';
if (!url)
  console.warn(
    'MongoDB credential and webhook list tests skipped: set MONGO_URL=mongodb://host:port to run the integration list suite against MongoDB',
  );
const describeIfMongo = url ? describe : describe.skip;

describeIfMongo('credential and webhook-trigger lists on MongoDB', () => {
  integrationListSuite({
    name: 'read store on MongoDB',
    open: async () => {
      const store = await createMongoReadStore({ url, dbName: `agentry_il_${randomUUID().slice(0, 8)}` });
      const db = store.connection.db!;
      return {
        store,
        dump: async () => {
          const names = (await db.listCollections().toArray()).map((c) => c.name);
          const parts = await Promise.all(
            names.map(async (n) => `${n}: ${JSON.stringify(await db.collection(n).find({}).toArray())}`),
          );
          return parts.join('\n');
        },
        dispose: async () => {
          await store.connection.dropDatabase();
          await store.close();
        },
      };
    },
  });
});
