export * from './ports';
export { createSqliteReadStore } from './sqlite';
export { createMongoReadStore } from './mongo';
export { words } from './query';

import { createMongoReadStore } from './mongo';
import type { ReadStore } from './ports';
import { createSqliteReadStore } from './sqlite';

/**
 * The read store a service's configuration names (AGENTRY_READ_STORE): SQLite at `sqlitePath` (default in
 * memory: projections are rebuilt from the log) or MongoDB at `mongoUrl` (MONGO_URL).
 */
export async function openReadStore(options: { backend: 'sqlite' | 'mongo'; mongoUrl?: string; sqlitePath?: string }): Promise<ReadStore> {
  if (options.backend === 'mongo') {
    if (!options.mongoUrl) throw new Error('MONGO_URL is required when AGENTRY_READ_STORE=mongo');
    return createMongoReadStore({ url: options.mongoUrl });
  }
  return createSqliteReadStore({ path: options.sqlitePath });
}
export { ReadModelProjection, type ProjectionSpec } from './projection';
