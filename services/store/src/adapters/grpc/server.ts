import { implement, requireCaller, type Caller } from '@agentry/grpc';
import { storeV1 } from '@agentry/proto-ts';
import type { StoreApp } from '../../app/store-app';
import type { CatalogueSort } from '../../app/ports';

const SORTS: ReadonlyArray<CatalogueSort> = ['relevance', 'newest', 'rating', 'runs'];
/** A caller is optional on public reads: present only when the gateway had a signed-in user. */
const optionalCaller = (c: { tenantId: string; userId: string; roles: string[] } | undefined): Caller | undefined => (c?.tenantId ? requireCaller(c) : undefined);
const details = (d: storeV1.ListingDetails | undefined) => ({
  name: d?.name ?? '',
  subHeading: d?.subHeading ?? '',
  description: d?.description ?? '',
  categories: d?.categories ?? [],
  images: d?.images ?? [],
  videoUrl: d?.videoUrl ?? '',
});

export function storeServiceImplementation(app: StoreApp) {
  return implement('store', storeV1.StoreServiceService, {
    async createListing(req) {
      const caller = requireCaller(req.caller);
      const listing = await app.createListing(caller, { graphId: req.graphId, graphVersion: req.graphVersion, draft: req.draft, details: details(req) });
      return { listing };
    },
    async addListingVersion(req) {
      return { listing: await app.addListingVersion(requireCaller(req.caller), req.listingId, { graphVersion: req.graphVersion, draft: req.draft, details: details(req.details) }) };
    },
    async updateListingVersion(req) {
      return { listing: await app.editListingVersion(requireCaller(req.caller), req.listingId, req.version, details(req.details)) };
    },
    async submitListingVersion(req) {
      return { listing: await app.submitListingVersion(requireCaller(req.caller), req.listingId, req.version) };
    },
    async reviewListingVersion(req) {
      return { listing: await app.reviewListingVersion(requireCaller(req.caller), req.listingId, req.version, req.decision, req.reason) };
    },
    async setListingFeatured(req) {
      return { listing: await app.setFeatured(requireCaller(req.caller), req.listingId, req.featured) };
    },
    async listListings(req) {
      const sort = SORTS.find((s) => s === req.sort);
      const out = await app.search({
        query: req.query || undefined,
        category: req.category || undefined,
        sort,
        featuredOnly: req.featuredOnly,
        creatorHandle: req.creatorHandle || undefined,
        minRating: req.minRating || undefined,
        cursor: req.page?.cursor || undefined,
        limit: req.page?.limit || undefined,
      });
      return { items: out.items, page: { nextCursor: out.nextCursor ?? '' }, total: out.total };
    },
    async getListing(req) {
      return { listing: app.getListing(req.listingId, optionalCaller(req.caller)) };
    },
    async listMyListings(req) {
      return { items: await app.myListings(requireCaller(req.caller)) };
    },
    async listReviewQueue(req) {
      return { items: await app.reviewQueue(requireCaller(req.caller), req.status || 'PENDING') };
    },
    async listCategories() {
      return { items: await app.categories() };
    },
    async rateListing(req) {
      return { rating: await app.rate(requireCaller(req.caller), req.listingId, req.score, req.comment) };
    },
    async editRating(req) {
      return { rating: await app.editRating(requireCaller(req.caller), req.listingId, req.score, req.comment) };
    },
    async listRatings(req) {
      const out = await app.listRatings(req.listingId, req.page?.cursor || undefined, req.page?.limit || undefined);
      return { items: out.items, page: { nextCursor: out.nextCursor ?? '' } };
    },
    async saveCreatorProfile(req) {
      return { creator: await app.saveProfile(requireCaller(req.caller), { handle: req.handle, name: req.name, bio: req.bio, links: req.links, avatar: req.avatar }) };
    },
    async getCreator(req) {
      return app.getCreator(req.handle, optionalCaller(req.caller));
    },
    async uploadMedia(req) {
      return app.uploadMedia(requireCaller(req.caller), req.data);
    },
    async getMedia(req) {
      return app.getMedia(req.mediaId);
    },
    async addToLibrary(req) {
      return { agent: await app.addToLibrary(requireCaller(req.caller), req.listingId) };
    },
    async listLibrary(req) {
      return { items: await app.listLibrary(requireCaller(req.caller)) };
    },
    async getLibraryAgent(req) {
      return { agent: app.getLibraryAgent(requireCaller(req.caller), req.libraryAgentId) };
    },
    async updateLibraryAgent(req) {
      return { agent: await app.updateLibraryAgent(requireCaller(req.caller), req.libraryAgentId) };
    },
    async savePreset(req) {
      return { agent: await app.savePreset(requireCaller(req.caller), req.libraryAgentId, req.name, req.inputs ?? {}) };
    },
    async deletePreset(req) {
      return { agent: await app.deletePreset(requireCaller(req.caller), req.libraryAgentId, req.presetId) };
    },
  });
}
