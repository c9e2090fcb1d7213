import type { EventStore } from '@agentry/event-log';
import type { EventEnvelope } from '@agentry/kernel';
import {
  ReadModelProjection,
  type ListQuery,
  type ProjectionSpec,
  type ReadCollection,
  type ReadDocument,
  type ReadStore,
} from '@agentry/read-store';
import type { ListingEvent } from '../domain/listing/events';
import { CAT, type LibraryEvent, type RatingEvent } from './events';
import {
  reviewKey,
  UNPAGED_MAX,
  type LibraryList,
  type ListReadModel,
  type MyListingsList,
  type RatingList,
  type RatingRow,
  type ReviewQueueList,
  type StoreLists,
} from './store-lists';

/**
 * Store data read across tenants (a listing's public ratings, the admins' review queue) is kept under this
 * partition key in the tenant position of its documents and indexes: those lists never span real tenants.
 */
export const STORE_PARTITION = '~store';

const PAGE = 500;

/** Events as a cross-tenant projection files them: under STORE_PARTITION instead of the writer's tenant. */
const partitioned = (e: EventEnvelope): EventEnvelope => ({ ...e, tenantId: STORE_PARTITION });

/** The event log as a cross-tenant projection reads it (libs/read-store files documents under the event's tenant). */
function partitionedLog(events: EventStore): EventStore {
  return new Proxy(events, {
    get(target, key) {
      if (key === 'readAll')
        return async (...args: Parameters<EventStore['readAll']>) => (await target.readAll(...args)).map(partitioned);
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * One list as a ReadModelProjection (documents written at the position of the last event that changed them, so a
 * redelivered or replayed event is a no-op; a checkpoint per projection, shared by every instance on the store).
 */
class ProjectedList<T extends ReadDocument> implements ListReadModel {
  protected readonly projection: ReadModelProjection<T>;
  private readonly log: EventStore;

  constructor(
    events: EventStore,
    store: ReadStore,
    private readonly spec: ProjectionSpec<T>,
    private readonly crossTenant = false,
  ) {
    this.log = crossTenant ? partitionedLog(events) : events;
    this.projection = new ReadModelProjection(this.log, store, spec);
  }

  protected collection(): Promise<ReadCollection<T>> {
    return this.projection.collection();
  }

  async catchUp(): Promise<void> {
    await this.projection.catchUp();
  }

  apply(events: EventEnvelope[]): Promise<void> {
    return this.projection.apply(this.crossTenant ? events.map(partitioned) : events);
  }

  /** Folds the whole log again through the guarded writes: missing documents come back, current ones stay. */
  async rebuild(): Promise<void> {
    await this.projection.rebuild();
  }

  close(): Promise<void> {
    return this.projection.idle();
  }

  /** Every page of a list the API does not page, up to UNPAGED_MAX items. */
  protected async all(query: Omit<ListQuery<T>, 'cursor' | 'limit'>): Promise<string[]> {
    const docs = await this.collection();
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await docs.list({ ...query, limit: PAGE, cursor });
      ids.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor && ids.length < UNPAGED_MAX);
    return ids.slice(0, UNPAGED_MAX);
  }
}

const listingEvent = (e: EventEnvelope) => ({ type: e.type, data: e.data }) as ListingEvent;

/** A listing under its creator's tenant: what `myListings` sorts on, and its latest version's status. */
export type MyListingDoc = { slug: string; createdAt: string; latestVersion: number; status: string };

/** `store_my_listings`: one document per listing; index (tenant) `createdAt`. */
export const MY_LISTINGS: ProjectionSpec<MyListingDoc> = {
  name: 'store-my-listings-v1',
  categories: [CAT.listing],
  collection: { name: 'store_my_listings', indexes: [['createdAt']] },
  fold(current, envelope) {
    const e = listingEvent(envelope);
    switch (e.type) {
      case 'ListingCreated':
        return current ? undefined : { slug: e.data.slug, createdAt: e.data.createdAt, latestVersion: 0, status: '' };
      case 'ListingVersionDrafted':
        return current && { ...current, latestVersion: e.data.version, status: 'DRAFT' };
      case 'ListingVersionSubmitted':
        return current && e.data.version === current.latestVersion ? { ...current, status: 'PENDING' } : undefined;
      case 'ListingVersionApproved':
        return current && e.data.version === current.latestVersion ? { ...current, status: 'APPROVED' } : undefined;
      case 'ListingVersionRejected':
        return current && e.data.version === current.latestVersion ? { ...current, status: 'REJECTED' } : undefined;
      default:
        return undefined;
    }
  },
};

/** One listing version in the review workflow (cross-tenant: under STORE_PARTITION). */
export type ReviewDoc = { listingId: string; version: number; status: string; at: string };

/**
 * `store_review_queue`: one document per listing version, keyed `<listingId>.<version>`; index (partition)
 * `status, at`: the queue of one status, oldest submission (or draft) first.
 */
export const REVIEW_QUEUE: ProjectionSpec<ReviewDoc> = {
  name: 'store-review-queue-v1',
  categories: [CAT.listing],
  collection: { name: 'store_review_queue', indexes: [['status', 'at']] },
  idOf(e) {
    const listingId = e.streamId.slice(CAT.listing.length + 1);
    const version = (e.data as { version?: unknown } | null)?.version;
    return typeof version === 'number' ? reviewKey(listingId, version) : listingId;
  },
  fold(current, envelope) {
    const e = listingEvent(envelope);
    switch (e.type) {
      case 'ListingVersionDrafted':
        if (current) return undefined;
        return {
          listingId: envelope.streamId.slice(CAT.listing.length + 1),
          version: e.data.version,
          status: 'DRAFT',
          at: e.data.createdAt,
        };
      case 'ListingVersionSubmitted':
        return current && { ...current, status: 'PENDING', at: e.data.submittedAt };
      case 'ListingVersionApproved':
        return current && { ...current, status: 'APPROVED' };
      case 'ListingVersionRejected':
        return current && { ...current, status: 'REJECTED' };
      default:
        return undefined;
    }
  },
};

/** A library agent under its tenant: what `listLibrary` sorts on. */
export type LibraryDoc = { listingId: string; graphId: string; addedAt: string };

/** `store_library`: one document per library agent; index (tenant) `addedAt`. */
export const LIBRARY: ProjectionSpec<LibraryDoc> = {
  name: 'store-library-v1',
  categories: [CAT.library],
  collection: { name: 'store_library', indexes: [['addedAt']] },
  fold(current, envelope) {
    const e = { type: envelope.type, data: envelope.data } as LibraryEvent;
    if (e.type !== 'LibraryAgentAdded' || current) return undefined;
    return { listingId: e.data.listingId, graphId: e.data.graphId, addedAt: e.data.addedAt };
  },
};

/** One rating as the API shows it (the rater's tenant stays out); cross-tenant: under STORE_PARTITION. */
export type RatingDoc = {
  listingId: string;
  userId: string;
  score: number;
  comment: string;
  createdAt: string;
  updatedAt: string;
};

/** `store_ratings`: one document per (listing, user), keyed `<listingId>.<userId>`; index (partition) `listingId, updatedAt`. */
export const RATINGS: ProjectionSpec<RatingDoc> = {
  name: 'store-ratings-v1',
  categories: [CAT.rating],
  collection: { name: 'store_ratings', indexes: [['listingId', 'updatedAt']] },
  fold(current, envelope) {
    const e = { type: envelope.type, data: envelope.data } as RatingEvent;
    if (e.type !== 'ListingRated' && e.type !== 'ListingRatingEdited') return undefined;
    const d = e.data;
    return {
      listingId: d.listingId,
      userId: d.userId,
      score: d.score,
      comment: d.comment,
      createdAt: current?.createdAt ?? d.at,
      updatedAt: d.at,
    };
  },
};

class ReadStoreMyListings extends ProjectedList<MyListingDoc> implements MyListingsList {
  ids(tenantId: string): Promise<string[]> {
    return this.all({ tenantId, orderBy: { field: 'createdAt', direction: 'desc' } });
  }
}

class ReadStoreLibrary extends ProjectedList<LibraryDoc> implements LibraryList {
  ids(tenantId: string): Promise<string[]> {
    return this.all({ tenantId, orderBy: { field: 'addedAt', direction: 'desc' } });
  }
}

class ReadStoreReviewQueue extends ProjectedList<ReviewDoc> implements ReviewQueueList {
  async versions(status: string): Promise<Array<{ listingId: string; version: number }>> {
    const docs = await this.collection();
    const out: Array<{ listingId: string; version: number }> = [];
    let cursor: string | undefined;
    do {
      const page = await docs.list({
        tenantId: STORE_PARTITION,
        where: { status },
        orderBy: { field: 'at', direction: 'asc' },
        limit: PAGE,
        cursor,
      });
      out.push(...page.items.map((d) => ({ listingId: d.data.listingId, version: d.data.version })));
      cursor = page.nextCursor;
    } while (cursor && out.length < UNPAGED_MAX);
    return out.slice(0, UNPAGED_MAX);
  }
}

class ReadStoreRatings extends ProjectedList<RatingDoc> implements RatingList {
  async page(
    listingId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: RatingRow[]; nextCursor?: string }> {
    const docs = await this.collection();
    const page = await docs.list({
      tenantId: STORE_PARTITION,
      where: { listingId },
      orderBy: { field: 'updatedAt', direction: 'desc' },
      limit,
      cursor,
    });
    return { items: page.items.map((d) => ({ ...d.data })), nextCursor: page.nextCursor };
  }
}

/** The store's lists in a read store (AGENTRY_READ_STORE=mongo, or one injected by tests). */
export function readStoreLists(events: EventStore, store: ReadStore): StoreLists {
  return {
    myListings: new ReadStoreMyListings(events, store, MY_LISTINGS),
    library: new ReadStoreLibrary(events, store, LIBRARY),
    reviewQueue: new ReadStoreReviewQueue(events, store, REVIEW_QUEUE, true),
    ratings: new ReadStoreRatings(events, store, RATINGS, true),
  };
}
