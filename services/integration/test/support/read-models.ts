import { createSqliteReadStore, type ReadStore } from '@agentry/read-store';

/**
 * The credential and webhook-trigger list adapters the service's tests run against: in memory (the default) and
 * the read store on SQLite (`readModels`). `open` makes a fresh store (undefined: in memory); whoever opens it
 * closes it.
 */
export const LIST_BACKENDS: Array<{ name: string; open: () => ReadStore | undefined }> = [
  { name: 'lists in memory', open: () => undefined },
  { name: 'lists on the read store (SQLite)', open: () => createSqliteReadStore({ path: ':memory:' }) },
];
