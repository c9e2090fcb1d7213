import { randomUUID } from 'node:crypto';
import { createMongoReadStore } from '@agentry/read-store';
import { graphListSuite } from './support/graph-list-suite';

/** The graph list tests on the read store over a real MongoDB when MONGO_URL is set (e.g. `mongodb://localhost:27017`). */
const url = process.env.MONGO_URL ?? '';
if (!url)
  console.warn(
    'MongoDB graph-list tests skipped: set MONGO_URL=mongodb://host:port to run the graph list against MongoDB',
  );
const describeIfMongo = url ? describe : describe.skip;

describeIfMongo('graph list on MongoDB', () => {
  graphListSuite({
    name: 'read store (MongoDB)',
    open: async () => {
      const store = await createMongoReadStore({ url, dbName: `agentry_graph_${randomUUID().slice(0, 8)}` });
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
