import type { EventStore } from '@agentry/event-log';
import { ServiceAdmin, startGrpcServer } from '@agentry/grpc';
import { newId, systemClock, type Clock } from '@agentry/kernel';
import type { Logger } from '@agentry/observability';
import { storeV1 } from '@agentry/proto-ts';
import { openReadStore, type ReadStore } from '@agentry/read-store';
import { graphServiceClient } from './adapters/grpc/graph-client';
import { storeServiceImplementation } from './adapters/grpc/server';
import { createMongoSearchIndex } from './adapters/search/mongo-search-index';
import { createSqliteSearchIndex } from './adapters/search/sqlite-search-index';
import type { GraphPort } from './app/ports';
import { StoreApp } from './app/store-app';

export { StoreApp, STORE_ADMIN_ROLE, type StoreAppDeps } from './app/store-app';
export { inMemoryStoreLists, type StoreLists } from './app/store-lists';
export { readStoreLists, LIBRARY, MY_LISTINGS, RATINGS, REVIEW_QUEUE, STORE_PARTITION } from './app/store-lists-read-store';
export { createSqliteSearchIndex } from './adapters/search/sqlite-search-index';
export { createMongoSearchIndex } from './adapters/search/mongo-search-index';
export type { CatalogueEntry, SearchIndex, GraphPort } from './app/ports';

const NOWHERE = '127.0.0.1:1';

export interface StoreServiceOptions {
  events: EventStore;
  logger: Logger;
  host?: string;
  port?: number;
  /** The graph service (submissions snapshot a graph version; installs fork it). */
  graphAddress?: string;
  /** Tests may pass their own graph port instead of an address. */
  graphs?: GraphPort;
  /** Where the discovery index lives (default in memory: it is rebuilt from the log on start). */
  searchIndexPath?: string;
  /**
   * AGENTRY_READ_STORE: `mongo` keeps the discovery index (a text index) and the lists (my listings, library,
   * ratings, review queue) in MongoDB at `mongoUrl` (MONGO_URL); otherwise both are local (SQLite FTS5, in memory).
   */
  readStore?: 'sqlite' | 'mongo';
  mongoUrl?: string;
  /** A read store for the lists opened by the caller (tests, a shared embedded store): wins over `readStore`; not closed here. */
  readModels?: ReadStore;
  /** With a read store: how often the store catches up with other instances' appends. Default 1 s; 0: never. */
  readModelFollowMs?: number;
  clock?: Clock;
}

export async function startStoreService(options: StoreServiceOptions) {
  const graphClient = options.graphs ? undefined : graphServiceClient(options.graphAddress ?? NOWHERE);
  // --- read store (issue #10): AGENTRY_READ_STORE=mongo keeps the store's lists in MongoDB too
  const ownStore = !options.readModels && options.readStore === 'mongo' ? await openReadStore({ backend: 'mongo', mongoUrl: options.mongoUrl }) : undefined;
  const readModels = options.readModels ?? ownStore;
  const search =
    options.readStore === 'mongo'
      ? await createMongoSearchIndex({ url: options.mongoUrl, onError: (err) => options.logger.error({ err }, 'store search index write failed') }).catch(async (err: unknown) => {
          await ownStore?.close();
          throw err;
        })
      : createSqliteSearchIndex(options.searchIndexPath);
  const app = new StoreApp({
    events: options.events,
    clock: options.clock ?? systemClock,
    newId,
    graphs: options.graphs ?? graphClient!,
    search,
    readModels,
    onListError: (err) => options.logger.warn({ err }, 'store list write failed; it catches up from the event log'),
  });
  try {
    await app.start();
  } catch (err) {
    await app.close().catch(() => undefined);
    await ownStore?.close();
    graphClient?.close();
    throw err;
  }
  const followMs = options.readModelFollowMs ?? 1000;
  let following = false;
  const follow =
    readModels && followMs > 0
      ? setInterval(() => {
          if (following) return;
          following = true;
          app
            .catchUp()
            .catch((err: unknown) => options.logger.warn({ err }, 'store read models could not catch up with the event log'))
            .finally(() => (following = false));
        }, followMs)
      : undefined;
  follow?.unref();
  // --- end read store
  // --- admin (issue #6): the store starts no work, so a drain only reports (nothing refused); rebuild re-folds the
  // catalogue, library and run counts and reindexes discovery.
  const admin = new ServiceAdmin('store', { rebuild: async () => [{ readModel: 'catalogue', events: await app.rebuild() }] });
  // --- end admin
  const server = await startGrpcServer({
    host: options.host,
    port: options.port,
    services: [
      { name: 'agentry.store.v1.StoreService', definition: storeV1.StoreServiceService, implementation: storeServiceImplementation(app) },
      admin.registration(),
    ],
  });
  options.logger.info({ address: server.address, readStore: readModels?.kind ?? 'memory' }, 'store service listening');
  return {
    name: 'store' as const,
    app,
    address: server.address,
    port: server.port,
    close: async () => {
      if (follow) clearInterval(follow);
      await server.close();
      await app.close();
      await ownStore?.close();
      graphClient?.close();
    },
  };
}
