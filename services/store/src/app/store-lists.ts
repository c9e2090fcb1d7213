import type { EventEnvelope } from '@agentry/kernel';
import type { ListingState } from '../domain/listing/decider';

/**
 * The store's list read models (issue #10). Each list has a port and two adapters: in memory (the default, a scan
 * of the store's own fold) and libs/read-store (`store-lists-read-store.ts`: SQLite or MongoDB, AGENTRY_READ_STORE).
 * Lists of listings and library agents answer ids in list order, and the store builds the views from its fold (as
 * the discovery search does); ratings are answered whole.
 */
export interface ListReadModel {
  /** Folds what the log holds beyond what the list has seen (start, and writes of other replicas). */
  catchUp(): Promise<void>;
  /** Events the store has just appended (a list after a write sees it); applying them again changes nothing. */
  apply(events: EventEnvelope[]): Promise<void>;
  /** Admin rebuild: folds the whole log again. */
  rebuild(): Promise<void>;
  /** Waits for writes in flight (a read store is closed by whoever opened it). */
  close(): Promise<void>;
}

/** A tenant's own listings, newest first (`createdAt`, ties by id, both descending). */
export interface MyListingsList extends ListReadModel {
  ids(tenantId: string): Promise<string[]>;
}

/** A tenant's library agents, newest first (`addedAt`, ties by id, both descending). */
export interface LibraryList extends ListReadModel {
  ids(tenantId: string): Promise<string[]>;
}

/** Listing versions of every tenant in one review status, oldest submission (or draft) first: the admin queue. */
export interface ReviewQueueList extends ListReadModel {
  versions(status: string): Promise<Array<{ listingId: string; version: number }>>;
}

export interface RatingRow {
  listingId: string;
  userId: string;
  score: number;
  comment: string;
  createdAt: string;
  updatedAt: string;
}

/** A listing's ratings (of every tenant), last updated first (ties by user, descending), paged. */
export interface RatingList extends ListReadModel {
  page(
    listingId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: RatingRow[]; nextCursor?: string }>;
}

export interface StoreLists {
  myListings: MyListingsList;
  library: LibraryList;
  reviewQueue: ReviewQueueList;
  ratings: RatingList;
}

/** Most ids an unpaged list answers (the gRPC list has no cursor: the read store is read page by page up to this). */
export const UNPAGED_MAX = 10_000;

/** Code-point order (what SQLite and MongoDB sort by), not the locale's. */
export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A review-queue entry's key: listing, then the zero-padded version (so versions sort as numbers). */
export const reviewKey = (listingId: string, version: number) => `${listingId}.${String(version).padStart(6, '0')}`;

/** What the in-memory lists read of the store's fold. */
export interface StoreFold {
  listings(): Iterable<ListingState>;
  library(): Iterable<{ id: string; tenantId: string; addedAt: string }>;
  ratings(): Iterable<RatingRow>;
}

class FoldView implements ListReadModel {
  async catchUp(): Promise<void> {}
  async apply(): Promise<void> {}
  async rebuild(): Promise<void> {}
  async close(): Promise<void> {}
}

const newestFirst = <T>(rows: T[], key: (r: T) => [string, string]) =>
  rows.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return cmp(y[0], x[0]) || cmp(y[1], x[1]);
  });

/** The lists as scans of the store's in-memory fold (embedded mode, and any store without AGENTRY_READ_STORE=mongo). */
export function inMemoryStoreLists(fold: StoreFold): StoreLists {
  const myListings = new (class extends FoldView implements MyListingsList {
    async ids(tenantId: string): Promise<string[]> {
      const mine = [...fold.listings()].filter((s) => s.creatorTenantId === tenantId);
      return newestFirst(mine, (s) => [s.createdAt, s.id]).map((s) => s.id);
    }
  })();
  const library = new (class extends FoldView implements LibraryList {
    async ids(tenantId: string): Promise<string[]> {
      const agents = [...fold.library()].filter((a) => a.tenantId === tenantId);
      return newestFirst(agents, (a) => [a.addedAt, a.id]).map((a) => a.id);
    }
  })();
  const reviewQueue = new (class extends FoldView implements ReviewQueueList {
    async versions(status: string): Promise<Array<{ listingId: string; version: number }>> {
      const out: Array<{ listingId: string; version: number; at: string; key: string }> = [];
      for (const s of fold.listings())
        for (const v of s.versions)
          if (v.status === status)
            out.push({
              listingId: s.id,
              version: v.version,
              at: v.submittedAt || v.createdAt,
              key: reviewKey(s.id, v.version),
            });
      // Oldest submission first: a queue.
      return out
        .sort((a, b) => cmp(a.at, b.at) || cmp(a.key, b.key))
        .map(({ listingId, version }) => ({ listingId, version }));
    }
  })();
  const ratings = new (class extends FoldView implements RatingList {
    async page(listingId: string, cursor: string | undefined, limit: number) {
      const all = newestFirst(
        [...fold.ratings()].filter((r) => r.listingId === listingId),
        (r) => [r.updatedAt, r.userId],
      );
      // an offset cursor (what this list has always answered)
      const start = cursor ? Math.max(0, Number.parseInt(cursor, 10) || 0) : 0;
      const items = all.slice(start, start + limit);
      return { items, nextCursor: start + limit < all.length ? String(start + limit) : undefined };
    }
  })();
  return { myListings, library, reviewQueue, ratings };
}
