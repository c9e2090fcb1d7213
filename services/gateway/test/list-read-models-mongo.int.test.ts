import { randomUUID } from 'node:crypto';
import { createMongoReadStore } from '@agentry/read-store';
import { gatewayListsSuite } from './support/gateway-lists-suite';

/** The API-key and file list tests on the read store over a real MongoDB when MONGO_URL is set. */
const url = process.env.MONGO_URL ?? '';
if (!url)
  console.warn(
    'MongoDB gateway-list tests skipped: set MONGO_URL=mongodb://host:port to run the API-key and file lists against MongoDB',
  );
const describeIfMongo = url ? describe : describe.skip;

describeIfMongo('gateway lists on MongoDB', () => {
  gatewayListsSuite({
    name: 'read store (MongoDB)',
    open: async () => {
      const store = await createMongoReadStore({ url, dbName: `agentry_gateway_${randomUUID().slice(0, 8)}` });
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
