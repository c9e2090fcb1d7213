import type { EventStore } from '@agentry/event-log';
import { implement, requireCaller, startGrpcServer } from '@agentry/grpc';
import { newId, systemClock } from '@agentry/kernel';
import type { Logger } from '@agentry/observability';
import { storeV1 } from '@agentry/proto-ts';
import { Listings } from './app/listings';

export { Listings } from './app/listings';

export async function startStoreService(options: { events: EventStore; logger: Logger; host?: string; port?: number }) {
  const listings = new Listings({ events: options.events, clock: systemClock, newId });
  await listings.start();
  const server = await startGrpcServer({
    host: options.host,
    port: options.port,
    services: [
      {
        name: 'agentry.store.v1.StoreService',
        definition: storeV1.StoreServiceService,
        implementation: implement('store', storeV1.StoreServiceService, {
          async createListing(req) {
            const caller = requireCaller(req.caller);
            const listing = await listings.submit(caller.tenantId, {
              graphId: req.graphId,
              graphVersion: req.graphVersion,
              name: req.name,
              subHeading: req.subHeading,
              description: req.description,
              categories: req.categories,
            });
            return { listing };
          },
          async listListings(req) {
            const page = listings.list({ query: req.query || undefined, category: req.category || undefined, cursor: req.page?.cursor || undefined, limit: req.page?.limit || undefined });
            return { items: page.items, page: { nextCursor: page.nextCursor ?? '' } };
          },
          async getListing(req) {
            return { listing: listings.get(req.listingId) };
          },
        }),
      },
    ],
  });
  options.logger.info({ address: server.address }, 'store service listening');
  return { name: 'store' as const, app: listings, address: server.address, port: server.port, close: () => server.close() };
}
