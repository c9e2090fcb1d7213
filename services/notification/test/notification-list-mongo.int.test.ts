import { randomUUID } from 'node:crypto';
import { createMongoReadStore } from '@agentry/read-store';
import { notificationListSuite } from './support/notification-list-suite';

/** The notification list suite on MongoDB (mongoose) when MONGO_URL is set (e.g. `mongodb://localhost:27017`). */
const url = process.env.MONGO_URL ?? '';
if (!url)
  console.warn(
    'MongoDB notification list tests skipped: set MONGO_URL=mongodb://host:port to run the notification list suite against MongoDB',
  );
const describeIfMongo = url ? describe : describe.skip;

describeIfMongo('notification list on MongoDB', () => {
  notificationListSuite({
    name: 'read store on MongoDB',
    open: async () => {
      const store = await createMongoReadStore({ url, dbName: `agentry_nl_${randomUUID().slice(0, 8)}` });
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
