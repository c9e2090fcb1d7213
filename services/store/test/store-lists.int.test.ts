import { createSqliteEventLog } from '@agentry/event-log/sqlite';
import { connect } from '@agentry/grpc';
import { createLogger } from '@agentry/observability';
import { storeV1 } from '@agentry/proto-ts';
import { createSqliteReadStore } from '@agentry/read-store';
import { MY_LISTINGS, RATINGS, STORE_PARTITION, startStoreService } from '../src';
import { fakeGraphs } from './fake-graphs';
import { memoryBackend, storeListsSuite } from './support/store-lists-suite';

// The same list tests on both adapters of each store list: the in-memory scan (default) and the read-store
// projection (SQLite here; MongoDB in store-lists-mongo.int.test.ts).
storeListsSuite(memoryBackend);
storeListsSuite({
  name: 'read store (SQLite)',
  open: async () => {
    const store = createSqliteReadStore({ path: ':memory:' });
    return { store, dispose: () => store.close() };
  },
});

describe('store service read-store options', () => {
  const logger = createLogger({ name: 'test', level: 'silent' });
  const creator = { tenantId: 't1', userId: 'u1', roles: [] };
  const rater = { tenantId: 't2', userId: 'u2', roles: [] };
  const admin = { tenantId: 't9', userId: 'a1', roles: ['admin'] };

  it('serves the lists over gRPC from an injected read store, which it leaves open', async () => {
    const log = createSqliteEventLog({ path: ':memory:' });
    const store = createSqliteReadStore({ path: ':memory:' });
    const graphs = fakeGraphs();
    const service = await startStoreService({
      events: log.events,
      logger,
      graphs,
      readModels: store,
      readModelFollowMs: 0,
    });
    const client = connect(storeV1.StoreServiceClient, service.address);
    try {
      const source = graphs.seed('t1', { name: 'Digest', description: '', nodes: [], links: [] });
      const fields = {
        subHeading: 'news',
        description: 'summarises your feeds',
        categories: [],
        images: [],
        videoUrl: '',
        draft: false,
      };
      const { listing } = await client.createListing({
        caller: creator,
        graphId: source.id,
        graphVersion: 1,
        name: 'Daily digest',
        ...fields,
      });
      const id = listing!.id;
      expect((await client.listMyListings({ caller: creator })).items.map((l) => l.id)).toEqual([id]);
      expect((await client.listReviewQueue({ caller: admin, status: '' })).items.map((q) => q.listing!.id)).toEqual([
        id,
      ]);
      await client.reviewListingVersion({ caller: admin, listingId: id, version: 1, decision: 'APPROVE', reason: '' });
      await client.rateListing({ caller: rater, listingId: id, score: 5, comment: 'great' });
      const agent = (await client.addToLibrary({ caller: rater, listingId: id })).agent!;
      expect((await client.listLibrary({ caller: rater })).items.map((a) => a.id)).toEqual([agent.id]);
      const ratings = await client.listRatings({ listingId: id, page: { cursor: '', limit: 10 } });
      expect(ratings.items.map((r) => r.comment)).toEqual(['great']);
      expect(ratings.page?.nextCursor).toBe('');
    } finally {
      client.close();
      await service.close();
    }
    try {
      // the documents are in the store, which is still open
      const mine = await store.collection(MY_LISTINGS.collection);
      expect((await mine.list({ tenantId: 't1' })).items).toHaveLength(1);
      const ratings = await store.collection(RATINGS.collection);
      expect((await ratings.list({ tenantId: STORE_PARTITION })).items.map((d) => d.data.comment)).toEqual(['great']);
    } finally {
      await store.close();
      await log.close();
    }
  });

  it('refuses readStore mongo without a MONGO_URL, naming it', async () => {
    const log = createSqliteEventLog({ path: ':memory:' });
    try {
      await expect(
        startStoreService({ events: log.events, logger, graphs: fakeGraphs(), readStore: 'mongo' }),
      ).rejects.toThrow(/MONGO_URL/);
    } finally {
      await log.close();
    }
  });
});
