import mongoose, { Schema, type Connection, type Model, type QueryFilter } from 'mongoose';
import type { CollectionSpec, FieldValue, ListQuery, ReadCollection, ReadDocument, ReadStore, StoredDocument } from './ports';
import { checkSpec, clampLimit, decodeCursor, encodeCursor, requireIndex, words } from './query';

interface MongoReadDoc {
  tenantId: string;
  docId: string;
  position: number;
  deleted: boolean;
  data: Record<string, unknown>;
  /** Distinct words of the text fields: `$all` makes every query word required ($text alone ORs them). */
  words?: string[];
}

const DUPLICATE_KEY = 11000;
const isDuplicateKey = (err: unknown) => (err as { code?: number } | undefined)?.code === DUPLICATE_KEY;

/** Opens a mongoose connection of its own (closed by `close`), or uses the one given. */
export async function createMongoReadStore(options: { url?: string; dbName?: string; connection?: Connection }): Promise<ReadStore & { connection: Connection }> {
  if (!options.connection && !options.url) throw new Error('read-store: MONGO_URL is required for the mongo read store');
  const connection = options.connection ?? (await mongoose.createConnection(options.url!, { dbName: options.dbName, autoIndex: false, serverSelectionTimeoutMS: 10_000 }).asPromise());
  return {
    kind: 'mongo',
    connection,
    async collection<T extends ReadDocument>(spec: CollectionSpec<T>): Promise<ReadCollection<T>> {
      checkSpec(spec as CollectionSpec<ReadDocument>);
      return mongoCollection(connection, spec);
    },
    async close() {
      if (!options.connection) await connection.close();
    },
  };
}

function modelFor(connection: Connection, spec: CollectionSpec<ReadDocument>): Model<MongoReadDoc> {
  const name = `rs_${spec.name}`;
  const existing = connection.models[name] as Model<MongoReadDoc> | undefined;
  if (existing) return existing;
  const schema = new Schema<MongoReadDoc>(
    {
      tenantId: { type: String, required: true },
      docId: { type: String, required: true },
      position: { type: Number, required: true },
      deleted: { type: Boolean, default: false },
      data: { type: Schema.Types.Mixed, default: {} },
      words: { type: [String], default: undefined },
    },
    { collection: name, versionKey: false, minimize: false, strict: true, autoIndex: false },
  );
  schema.index({ tenantId: 1, docId: 1 }, { unique: true });
  schema.index({ position: -1 });
  // Tenant first in every index; `deleted` is an equality in every query, so it comes next.
  for (const index of spec.indexes) schema.index({ tenantId: 1, deleted: 1, ...Object.fromEntries(index.map((f) => [`data.${f}`, 1])), docId: 1 });
  if (spec.text?.length) {
    // language "none": whole words, no stemming or stop words (the SQLite adapter matches the same way)
    schema.index({ tenantId: 1, deleted: 1, ...Object.fromEntries(spec.text.map((f) => [`data.${f}`, 'text'])) }, { default_language: 'none', name: `${name}_text` });
    schema.index({ tenantId: 1, deleted: 1, words: 1 });
  }
  return connection.model<MongoReadDoc>(name, schema);
}

async function mongoCollection<T extends ReadDocument>(connection: Connection, spec: CollectionSpec<T>): Promise<ReadCollection<T>> {
  const model = modelFor(connection, spec as CollectionSpec<ReadDocument>);
  await model.createIndexes();
  const textWords = (data: T) => [...new Set(words((spec.text ?? []).map((f) => [data[f]].flat().join(' ')).join(' ')))];

  /** Writes only over an older position: the filter misses a newer document, the upsert then collides with it. */
  async function guarded(tenantId: string, id: string, position: number, data: T | undefined): Promise<boolean> {
    const set: Partial<MongoReadDoc> = { position, deleted: !data, data: data ?? {} };
    if (spec.text?.length) set.words = data ? textWords(data) : [];
    try {
      const r = await model.updateOne({ tenantId, docId: id, position: { $lt: position } }, { $set: set }, { upsert: true });
      return r.modifiedCount + r.upsertedCount > 0;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  function filter(q: Pick<ListQuery<T>, 'tenantId' | 'where' | 'text'>): QueryFilter<MongoReadDoc> {
    const f: Record<string, unknown> = { tenantId: q.tenantId, deleted: false };
    for (const [k, v] of Object.entries(q.where ?? {})) f[`data.${k}`] = v;
    const w = q.text === undefined ? [] : words(q.text);
    if (w.length) {
      f.$text = { $search: w.join(' ') };
      f.words = { $all: w };
    }
    return f as QueryFilter<MongoReadDoc>;
  }

  const toDoc = (d: MongoReadDoc): StoredDocument<T> => ({ tenantId: d.tenantId, id: d.docId, position: d.position, data: d.data as T });

  return {
    upsert: (tenantId, id, data, position) => guarded(tenantId, id, position, data),
    remove: (tenantId, id, position) => guarded(tenantId, id, position, undefined),
    async get(tenantId, id) {
      const d = await model.findOne({ tenantId, docId: id, deleted: false }).lean<MongoReadDoc>();
      return d ? toDoc(d) : undefined;
    },
    async position() {
      const d = await model.findOne({}, { position: 1 }).sort({ position: -1 }).lean<MongoReadDoc>();
      return d?.position ?? 0;
    },
    async count(q) {
      requireIndex(spec as CollectionSpec<ReadDocument>, q);
      return model.countDocuments(filter(q));
    },
    async list(q) {
      requireIndex(spec as CollectionSpec<ReadDocument>, q);
      const limit = clampLimit(q.limit);
      const f = filter(q) as Record<string, unknown>;
      const dir = q.orderBy?.direction === 'desc' ? -1 : 1;
      const cmp = dir === -1 ? '$lt' : '$gt';
      const sortField = q.orderBy ? `data.${q.orderBy.field}` : undefined;
      if (q.range && sortField) {
        const bounds: Record<string, FieldValue> = {};
        if (q.range.gte !== undefined) bounds.$gte = q.range.gte;
        if (q.range.lt !== undefined) bounds.$lt = q.range.lt;
        if (Object.keys(bounds).length) f[sortField] = bounds;
      }
      if (q.cursor) {
        if (sortField) {
          const [v, id] = decodeCursor(q.cursor, 2);
          f.$or = [{ [sortField]: { [cmp]: v } }, { [sortField]: v, docId: { [cmp]: id } }];
        } else f.docId = { [cmp]: decodeCursor(q.cursor, 1)[0] };
      }
      const sort: Record<string, 1 | -1> = sortField ? { [sortField]: dir, docId: dir } : { docId: 1 };
      const rows = await model
        .find(f as QueryFilter<MongoReadDoc>)
        .sort(sort)
        .limit(limit + 1)
        .lean<MongoReadDoc[]>();
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const lastKey = (d: MongoReadDoc): FieldValue[] => (q.orderBy ? [(d.data[q.orderBy.field] ?? null) as FieldValue, d.docId] : [d.docId]);
      return { items: page.map(toDoc), nextCursor: rows.length > limit && last ? encodeCursor(lastKey(last)) : undefined };
    },
  };
}
