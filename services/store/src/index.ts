import type { EventStore } from '@agentry/event-log';
import { ServiceAdmin, startGrpcServer } from '@agentry/grpc';
import { newId, systemClock, type Clock } from '@agentry/kernel';
import type { Logger } from '@agentry/observability';
import { storeV1 } from '@agentry/proto-ts';
import { graphServiceClient } from './adapters/grpc/graph-client';
import { storeServiceImplementation } from './adapters/grpc/server';
import { createMongoSearchIndex } from './adapters/search/mongo-search-index';
import { createSqliteSearchIndex } from './adapters/search/sqlite-search-index';
import type { GraphPort } from './app/ports';
import { StoreApp } from './app/store-app';

export { StoreApp, STORE_ADMIN_ROLE } from './app/store-app';
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
  /** AGENTRY_READ_STORE: `mongo` keeps the discovery index in MongoDB (a text index) at `mongoUrl`. */
  readStore?: 'sqlite' | 'mongo';
  mongoUrl?: string;
  clock?: Clock;
}

export async function startStoreService(options: StoreServiceOptions) {
  const graphClient = options.graphs ? undefined : graphServiceClient(options.graphAddress ?? NOWHERE);
  const search =
    options.readStore === 'mongo'
      ? await createMongoSearchIndex({ url: options.mongoUrl, onError: (err) => options.logger.error({ err }, 'store search index write failed') })
      : createSqliteSearchIndex(options.searchIndexPath);
  const app = new StoreApp({ events: options.events, clock: options.clock ?? systemClock, newId, graphs: options.graphs ?? graphClient!, search });
  await app.start();
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
  options.logger.info({ address: server.address }, 'store service listening');
  return {
    name: 'store' as const,
    app,
    address: server.address,
    port: server.port,
    close: async () => {
      await server.close();
      await app.close();
      graphClient?.close();
    },
  };
}
