import { createRegistry } from '@agentry/blocks';
import type { BlockRegistry } from '@agentry/block-sdk';
import type { EventStore } from '@agentry/event-log';
import { startGrpcServer } from '@agentry/grpc';
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
  const server = await startGrpcServer({ services: [graphGrpcService(app, blocks)], host: options.host, port: options.port });
  options.logger.info({ address: server.address }, 'graph service listening');
  return { name: 'graph' as const, app, address: server.address, port: server.port, close: () => server.close() };
}
