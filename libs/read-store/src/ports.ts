/**
 * Read-model port: a projection writes typed documents keyed by (tenant, id), each write guarded by the
 * position of the event that produced it, and list queries read them back by tenant, equality filters, one
 * sort field (keyset cursor) and optional text. Adapters: SQLite (embedded) and MongoDB through mongoose.
 */

/** A scalar a document field may hold; `string[]` is allowed for text fields only. */
export type FieldValue = string | number | boolean | null;
export type ReadDocument = Record<string, FieldValue | string[]>;

/** What a collection looks like and which list queries it serves (an index per list query, tenant first). */
export interface CollectionSpec<T extends ReadDocument> {
  /** Table / collection name: lower-case letters, digits and `_`. */
  name: string;
  /**
   * Every list query's index, tenant implied as its first key: the equality fields first, the sort field last.
   * A list query no index serves is refused (so production never scans a collection).
   */
  indexes: Array<Array<keyof T & string>>;
  /** Fields searched by `text` (one text index, tenant first). */
  text?: Array<keyof T & string>;
}

export interface StoredDocument<T> {
  tenantId: string;
  id: string;
  /** Position of the event that last wrote it. */
  position: number;
  data: T;
}

export interface ListQuery<T extends ReadDocument> {
  tenantId: string;
  /** Equality on scalar fields. */
  where?: Partial<{ [K in keyof T]: FieldValue }>;
  /** Sort field (ties broken by id, same direction); without it documents come by id. */
  orderBy?: { field: keyof T & string; direction?: 'asc' | 'desc' };
  /** Bounds on the sort field (needs `orderBy`): `gte` inclusive, `lt` exclusive; served by the same index. */
  range?: { gte?: FieldValue; lt?: FieldValue };
  /** Every word must occur as a whole word (case-insensitive) in one of the spec's text fields. */
  text?: string;
  /** 1..500, default 50. */
  limit?: number;
  /** From a previous page's `nextCursor` with the same query. */
  cursor?: string;
}

export interface ListPage<T> {
  items: Array<StoredDocument<T>>;
  nextCursor?: string;
}

export interface ReadCollection<T extends ReadDocument> {
  /**
   * Writes the document unless the stored one was written at this position or a later one (redelivered or
   * replayed events are no-ops). Answers whether it wrote.
   */
  upsert(tenantId: string, id: string, data: T, position: number): Promise<boolean>;
  /** Removes the document with the same guard; a tombstone keeps the position so an older upsert cannot revive it. */
  remove(tenantId: string, id: string, position: number): Promise<boolean>;
  get(tenantId: string, id: string): Promise<StoredDocument<T> | undefined>;
  list(query: ListQuery<T>): Promise<ListPage<T>>;
  count(query: Pick<ListQuery<T>, 'tenantId' | 'where' | 'text'>): Promise<number>;
  /** Highest position written to this collection (where a projection resumes its subscription). */
  position(): Promise<number>;
}

export interface ReadStore {
  readonly kind: 'sqlite' | 'mongo';
  collection<T extends ReadDocument>(spec: CollectionSpec<T>): Promise<ReadCollection<T>>;
  close(): Promise<void>;
}
