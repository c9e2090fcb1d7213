import { createSqliteReadStore, type ReadStore } from '@agentry/read-store';

/**
 * The notification list adapters the service's tests run against: in memory (the default) and the read store on
 * SQLite (`readModels`). `open` makes a fresh store (undefined: in memory); whoever opens it closes it.
 */
export const LIST_BACKENDS: Array<{ name: string; open: () => ReadStore | undefined }> = [
  { name: 'list in memory', open: () => undefined },
  { name: 'list on the read store (SQLite)', open: () => createSqliteReadStore({ path: ':memory:' }) },
];
