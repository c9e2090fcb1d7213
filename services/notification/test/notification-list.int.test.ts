import { createSqliteReadStore } from '@agentry/read-store';
import { memoryBackend, notificationListSuite } from './support/notification-list-suite';

notificationListSuite(memoryBackend);

notificationListSuite({
  name: 'read store on SQLite',
  open: async () => {
    const store = createSqliteReadStore({ path: ':memory:' });
    return { store, dispose: () => store.close() };
  },
});
