import { randomUUID } from 'node:crypto';
import { createMongoReadStore } from '@agentry/read-store';
import { ReadStoreExecutionList } from '../../src/app/execution-list-read-store';
import { executionListContract } from './contract';

/** The execution list contract on MongoDB (mongoose) when MONGO_URL is set (e.g. `mongodb://localhost:27017`). */
const url = process.env.MONGO_URL ?? '';
if (!url) console.warn('MongoDB execution list tests skipped: set MONGO_URL=mongodb://host:port to run the execution list contract against MongoDB');
const describeIfMongo = url ? describe : describe.skip;

describeIfMongo('execution list on MongoDB', () => {
  executionListContract('read store on MongoDB', async (events) => {
    const store = await createMongoReadStore({ url, dbName: `agentry_el_${randomUUID().slice(0, 8)}` });
    const list = new ReadStoreExecutionList(events, store);
    return {
      list,
      dispose: async () => {
        await list.ensureBuilt().catch(() => undefined);
        await list.close();
        await store.connection.dropDatabase();
        await store.close();
      },
    };
  });
});
