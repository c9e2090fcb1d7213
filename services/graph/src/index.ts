import { createRegistry } from '@agentry/blocks';
import type { BlockRegistry } from '@agentry/block-sdk';
import type { EventStore } from '@agentry/event-log';
import { ServiceAdmin, startGrpcServer } from '@agentry/grpc';
import { newId, systemClock, type Clock } from '@agentry/kernel';
import type { Logger } from '@agentry/observability';
import { openReadStore, type ReadStore } from '@agentry/read-store';
import { GraphApp } from './app/graph-app';
import { graphGrpcService } from './adapters/grpc/server';

export { GraphApp, type GraphAppDeps, type GraphSummary, type GraphListPage, type ListGraphsQuery } from './app/graph-app';
export { InMemoryGraphList, type GraphList } from './app/graph-list';
export { ReadStoreGraphList, GRAPH_SUMMARIES } from './app/graph-list-read-store';
export { validateGraph } from './domain/graph/validate';
export { parseGraphDocument } from './domain/graph/import';

export interface GraphServiceOptions {
  events: EventStore;
  logger: Logger;
  blocks?: BlockRegistry;
  clock?: Clock;
  host?: string;
  port?: number;
  /**
   * AGENTRY_READ_STORE: `mongo` keeps the graph list in MongoDB at `mongoUrl` (opened here, closed by `close`);
   * otherwise (`sqlite` or nothing) the list is a scan of the in-memory fold.
   */
  readStore?: 'sqlite' | 'mongo';
  mongoUrl?: string;
  /** A read store opened by the caller (tests, a shared embedded store): wins over `readStore`; not closed here. */
  readModels?: ReadStore;
  /** With a read store: how often the list (and the fold) catch up with graphs other replicas wrote. Default 1 s; 0: never. */
  readModelFollowMs?: number;
}

export async function startGraphService(options: GraphServiceOptions) {
  const blocks = options.blocks ?? createRegistry();
  // --- read store (issue #10): AGENTRY_READ_STORE=mongo projects the graph list into MongoDB
  const ownStore = !options.readModels && options.readStore === 'mongo' ? await openReadStore({ backend: 'mongo', mongoUrl: options.mongoUrl }) : undefined;
  const readModels = options.readModels ?? ownStore;
  const app = new GraphApp({
    events: options.events,
    blocks,
    clock: options.clock ?? systemClock,
    newId,
    readModels,
    onListError: (err) => options.logger.warn({ err }, 'graph list write failed; it catches up from the log'),
  });
  try {
    await app.start();
  } catch (err) {
    await ownStore?.close();
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
            .sync()
            .catch((err: unknown) => options.logger.warn({ err }, 'graph list catch-up failed'))
            .finally(() => (following = false));
        }, followMs)
      : undefined;
  follow?.unref();
  // --- end read store
  // --- admin (issue #6): graph holds definitions only, no work to drain (the drain switch is reported, nothing refused);
  // rebuild re-folds every graph from the log.
  const admin = new ServiceAdmin('graph', { rebuild: async () => [{ readModel: 'graphs', events: await app.rebuild() }] });
  // --- end admin
  const server = await startGrpcServer({ services: [graphGrpcService(app, blocks), admin.registration()], host: options.host, port: options.port }).catch(async (err: unknown) => {
    if (follow) clearInterval(follow);
    await ownStore?.close();
    throw err;
  });
  options.logger.info({ address: server.address, readStore: readModels?.kind ?? 'memory' }, 'graph service listening');
  return {
    name: 'graph' as const,
    app,
    address: server.address,
    port: server.port,
    close: async () => {
      if (follow) clearInterval(follow);
      await server.close();
      await app.close();
      await ownStore?.close();
    },
  };
}
