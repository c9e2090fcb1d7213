import mongoose, { Schema, type AnyBulkWriteOperation, type Connection, type Model, type QueryFilter } from 'mongoose';
import { DomainError } from '@agentry/kernel';
import type { CatalogueEntry, CatalogueQuery, SearchIndex } from '../../app/ports';

/** One approved listing in MongoDB: the catalogue is public, so no tenant here (listings carry the creator's). */
interface ListingDoc {
  _id: string;
  name: string;
  subHeading: string;
  description: string;
  /** creator name and handle, searched as one field */
  creator: string;
  creatorHandle: string;
  categories: string[];
  featured: boolean;
  rating: number;
  ratingCount: number;
  runs: number;
  approvedAt: string;
  /** Distinct lower-case words of the searched fields: `$all` makes every query word required ($text ORs them). */
  words: string[];
}

/** Sort keys per sort, all descending, `_id` last as the tie-breaker (the same orders as the SQLite index). */
const KEYS = {
  newest: ['approvedAt', '_id'],
  rating: ['rating', 'ratingCount', '_id'],
  runs: ['runs', 'rating', '_id'],
} as const satisfies Record<string, ReadonlyArray<keyof ListingDoc>>;

/** Words as the text index sees them with language "none": letters and digits, lower case, no accents. */
export function searchWords(text: string): string[] {
  return text.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').match(/[\p{L}\p{N}]+/gu) ?? [];
}

const encodeCursor = (v: unknown[]) => Buffer.from(JSON.stringify(v)).toString('base64url');
function decodeCursor(c: string, length: number): Array<string | number> {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === length && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v as Array<string | number>;
  } catch {
    /* fall through */
  }
  throw new DomainError('VALIDATION_FAILED', 'the cursor is not valid', { errors: { cursor: 'invalid' } });
}

function listingModel(connection: Connection, collection: string): Model<ListingDoc> {
  const name = `StoreListing_${collection}`;
  const existing = connection.models[name] as Model<ListingDoc> | undefined;
  if (existing) return existing;
  const schema = new Schema<ListingDoc>(
    {
      _id: { type: String, required: true },
      name: String,
      subHeading: String,
      description: String,
      creator: String,
      creatorHandle: String,
      categories: [String],
      featured: Boolean,
      rating: Number,
      ratingCount: Number,
      runs: Number,
      approvedAt: String,
      words: [String],
    },
    { collection, versionKey: false, autoIndex: false },
  );
  // The production search index of issue #9: one text index over name, description and creator (weights as the
  // SQLite bm25 ones), whole words without stemming so that every adapter matches the same listings.
  schema.index(
    { name: 'text', subHeading: 'text', description: 'text', creator: 'text' },
    { name: 'listings_text', default_language: 'none', weights: { name: 10, subHeading: 4, description: 1, creator: 6 } },
  );
  schema.index({ words: 1 });
  // one index per list order, and per filter that narrows a list
  schema.index({ approvedAt: -1, _id: -1 });
  schema.index({ rating: -1, ratingCount: -1, _id: -1 });
  schema.index({ runs: -1, rating: -1, _id: -1 });
  schema.index({ categories: 1, approvedAt: -1, _id: -1 });
  schema.index({ creatorHandle: 1, approvedAt: -1, _id: -1 });
  schema.index({ featured: 1, approvedAt: -1, _id: -1 });
  return connection.model<ListingDoc>(name, schema);
}

export interface MongoSearchIndexOptions {
  /** MONGO_URL; the connection is then the index's own and closed with it. */
  url?: string;
  dbName?: string;
  connection?: Connection;
  /** Collection name (default `store_listings`). */
  collection?: string;
  /** A failed write batch (the index is a projection: the next start rebuilds it from the log). */
  onError?: (err: unknown) => void;
}

/**
 * Discovery read model in MongoDB (AGENTRY_READ_STORE=mongo). Writes are queued in call order and sent as one
 * ordered bulk write per turn; every read first waits for the writes queued before it.
 */
export async function createMongoSearchIndex(options: MongoSearchIndexOptions): Promise<SearchIndex & { connection: Connection; flush(): Promise<void> }> {
  if (!options.connection && !options.url) throw new Error('store: MONGO_URL is required for the mongo search index');
  const connection = options.connection ?? (await mongoose.createConnection(options.url!, { dbName: options.dbName, autoIndex: false, serverSelectionTimeoutMS: 10_000 }).asPromise());
  const model = listingModel(connection, options.collection ?? 'store_listings');
  await model.createIndexes();

  let pending: Array<AnyBulkWriteOperation<ListingDoc>> = [];
  let tail: Promise<void> = Promise.resolve();
  let scheduled = false;
  const enqueue = (op: AnyBulkWriteOperation<ListingDoc>) => {
    pending.push(op);
    if (scheduled) return;
    scheduled = true;
    tail = tail.then(async () => {
      scheduled = false;
      const ops = pending;
      pending = [];
      if (ops.length) await model.bulkWrite(ops, { ordered: true }).then(undefined, (err: unknown) => options.onError?.(err));
    });
  };
  /** Resolves once every write queued so far is in MongoDB. */
  const flush = async () => {
    for (;;) {
      const t = tail;
      await t;
      if (t === tail && !scheduled && pending.length === 0) return;
    }
  };

  async function search(q: CatalogueQuery): Promise<{ ids: string[]; nextCursor?: string; total: number }> {
    await flush();
    const limit = Math.min(Math.max(q.limit ?? 24, 1), 100);
    const words = q.query ? [...new Set(searchWords(q.query))].slice(0, 12) : [];
    const sort = q.sort === 'relevance' && !words.length ? 'newest' : (q.sort ?? (words.length ? 'relevance' : 'newest'));
    const filter: Record<string, unknown> = {};
    if (words.length) {
      filter.$text = { $search: words.join(' ') };
      filter.words = { $all: words };
    }
    if (q.category) filter.categories = q.category.trim().toLowerCase();
    if (q.featuredOnly) filter.featured = true;
    if (q.creatorHandle) filter.creatorHandle = q.creatorHandle.trim().toLowerCase();
    if (q.minRating) filter.rating = { $gte: q.minRating };
    const total = await model.countDocuments(filter as QueryFilter<ListingDoc>);

    if (sort === 'relevance') {
      const offset = q.cursor ? Number(decodeCursor(q.cursor, 1)[0]) : 0;
      const rows = await model
        .find(filter as QueryFilter<ListingDoc>, { _id: 1, score: { $meta: 'textScore' } })
        .sort({ score: { $meta: 'textScore' }, runs: -1, _id: -1 })
        .skip(offset)
        .limit(limit + 1)
        .lean<Array<{ _id: string }>>();
      return { ids: rows.slice(0, limit).map((r) => r._id), total, nextCursor: rows.length > limit ? encodeCursor([offset + limit]) : undefined };
    }
    const keys = KEYS[sort];
    if (q.cursor) {
      // (k0, k1, …) < (v0, v1, …) as a disjunction MongoDB can answer from the sort index
      const v = decodeCursor(q.cursor, keys.length);
      filter.$or = keys.map((k, i) => ({ ...Object.fromEntries(keys.slice(0, i).map((p, j) => [p, v[j]])), [k]: { $lt: v[i] } }));
    }
    const rows = await model
      .find(filter as QueryFilter<ListingDoc>, Object.fromEntries(keys.map((k) => [k, 1])))
      .sort(Object.fromEntries(keys.map((k) => [k, -1])) as Record<string, -1>)
      .limit(limit + 1)
      .lean<ListingDoc[]>();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { ids: page.map((r) => r._id), total, nextCursor: rows.length > limit && last ? encodeCursor(keys.map((k) => last[k])) : undefined };
  }

  return {
    connection,
    flush,
    upsert(e: CatalogueEntry) {
      const creator = `${e.creatorName} ${e.creatorHandle}`;
      const doc: ListingDoc = {
        _id: e.id,
        name: e.name,
        subHeading: e.subHeading,
        description: e.description,
        creator,
        creatorHandle: e.creatorHandle,
        categories: [...new Set(e.categories)],
        featured: e.featured,
        rating: e.ratingAverage,
        ratingCount: e.ratingCount,
        runs: e.runCount,
        approvedAt: e.approvedAt,
        words: [...new Set(searchWords(`${e.name} ${e.subHeading} ${e.description} ${creator}`))],
      };
      enqueue({ replaceOne: { filter: { _id: e.id }, replacement: doc, upsert: true } });
    },
    remove(id: string) {
      enqueue({ deleteOne: { filter: { _id: id } } });
    },
    search,
    async categories() {
      await flush();
      const rows = await model.aggregate<{ _id: string; listingCount: number }>([
        { $unwind: '$categories' },
        { $group: { _id: '$categories', listingCount: { $sum: 1 } } },
        { $sort: { listingCount: -1, _id: 1 } },
      ]);
      return rows.map((r) => ({ name: r._id, listingCount: r.listingCount }));
    },
    async close() {
      await flush();
      if (!options.connection) await connection.close();
    },
  };
}
