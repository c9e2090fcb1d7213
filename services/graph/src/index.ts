import { createRegistry } from '@agentry/blocks';
import type { BlockRegistry } from '@agentry/block-sdk';
import type { EventStore } from '@agentry/event-log';
import { ServiceAdmin, startGrpcServer } from '@agentry/grpc';
import { newId, systemClock, type Clock } from '@agentry/kernel';
import type { Logger } from '@agentry/observability';
import { GraphApp } from './app/graph-app';
import { graphGrpcService } from './adapters/grpc/server';

export { GraphApp } from './app/graph-app';
export { validateGraph } from './domain/graph/validate';
export { parseGraphDocument } from './domain/graph/import';

export interface GraphServiceOptions {
  events: EventStore;
  logger: Logger;
  blocks?: BlockRegistry;
  clock?: Clock;
  host?: string;
  port?: number;
}

export async function startGraphService(options: GraphServiceOptions) {
  const blocks = options.blocks ?? createRegistry();
  const app = new GraphApp({ events: options.events, blocks, clock: options.clock ?? systemClock, newId });
  await app.start();
  // --- admin (issue #6): graph holds definitions only, no work to drain (the drain switch is reported, nothing refused);
  // rebuild re-folds every graph from the log.
  const admin = new ServiceAdmin('graph', { rebuild: async () => [{ readModel: 'graphs', events: await app.rebuild() }] });
  // --- end admin
  const server = await startGrpcServer({ services: [graphGrpcService(app, blocks), admin.registration()], host: options.host, port: options.port });
  options.logger.info({ address: server.address }, 'graph service listening');
  return { name: 'graph' as const, app, address: server.address, port: server.port, close: () => server.close() };
}
