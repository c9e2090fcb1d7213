import Database from 'better-sqlite3';
import { DomainError } from '@agentry/kernel';
import type { CatalogueEntry, CatalogueQuery, SearchIndex } from '../../app/ports';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS listings (
  rowid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  creator_handle TEXT NOT NULL,
  featured INTEGER NOT NULL,
  rating REAL NOT NULL,
  rating_count INTEGER NOT NULL,
  runs INTEGER NOT NULL,
  approved_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS listings_newest ON listings (approved_at, id);
CREATE INDEX IF NOT EXISTS listings_rating ON listings (rating, rating_count, id);
CREATE INDEX IF NOT EXISTS listings_runs ON listings (runs, id);
CREATE INDEX IF NOT EXISTS listings_creator ON listings (creator_handle);
CREATE TABLE IF NOT EXISTS listing_categories (category TEXT NOT NULL, listing_rowid INTEGER NOT NULL, PRIMARY KEY (category, listing_rowid)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS listing_categories_by_listing ON listing_categories (listing_rowid);
CREATE VIRTUAL TABLE IF NOT EXISTS listings_fts USING fts5(name, sub_heading, description, creator, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
`;

/** Sort key columns per sort, all descending (id last as the tie-breaker), so a keyset cursor is one row-value comparison. */
const KEYS = {
  newest: ['l.approved_at', 'l.id'],
  rating: ['l.rating', 'l.rating_count', 'l.id'],
  runs: ['l.runs', 'l.rating', 'l.id'],
} as const;

/** Free text → an FTS5 query: every word must match, as a prefix; operators in the input are never interpreted. */
export function ftsQuery(text: string): string {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words
    .slice(0, 12)
    .map((w) => `"${w}"*`)
    .join(' ');
}

const encodeCursor = (v: unknown[]) => Buffer.from(JSON.stringify(v)).toString('base64url');
function decodeCursor(c: string, length: number): unknown[] {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === length && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v;
  } catch {
    /* fall through */
  }
  throw new DomainError('VALIDATION_FAILED', 'the cursor is not valid', { errors: { cursor: 'invalid' } });
}

/**
 * Discovery read model in SQLite with FTS5, in memory by default (`:memory:`): it is rebuilt from the store's events
 * on start, so it never needs migrating; pass a file path to keep it beside the data.
 */
export function createSqliteSearchIndex(path = ':memory:'): SearchIndex {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA);
  const st = {
    rowidOf: db.prepare<[string], number>('SELECT rowid FROM listings WHERE id = ?').pluck(),
    insert: db.prepare('INSERT INTO listings (id, creator_handle, featured, rating, rating_count, runs, approved_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    update: db.prepare('UPDATE listings SET creator_handle = ?, featured = ?, rating = ?, rating_count = ?, runs = ?, approved_at = ? WHERE rowid = ?'),
    delete: db.prepare('DELETE FROM listings WHERE rowid = ?'),
    ftsDelete: db.prepare('DELETE FROM listings_fts WHERE rowid = ?'),
    ftsInsert: db.prepare('INSERT INTO listings_fts (rowid, name, sub_heading, description, creator) VALUES (?, ?, ?, ?, ?)'),
    catDelete: db.prepare('DELETE FROM listing_categories WHERE listing_rowid = ?'),
    catInsert: db.prepare('INSERT OR IGNORE INTO listing_categories (category, listing_rowid) VALUES (?, ?)'),
    categories: db.prepare<[], { name: string; listingCount: number }>('SELECT category AS name, count(*) AS listingCount FROM listing_categories GROUP BY category ORDER BY listingCount DESC, name'),
  };

  const upsert = db.transaction((e: CatalogueEntry) => {
    const values = [e.creatorHandle, e.featured ? 1 : 0, e.ratingAverage, e.ratingCount, e.runCount, e.approvedAt] as const;
    let rowid = st.rowidOf.get(e.id);
    if (rowid === undefined) rowid = Number(st.insert.run(e.id, ...values).lastInsertRowid);
    else {
      st.update.run(...values, rowid);
      st.ftsDelete.run(rowid);
      st.catDelete.run(rowid);
    }
    st.ftsInsert.run(rowid, e.name, e.subHeading, e.description, `${e.creatorName} ${e.creatorHandle}`);
    for (const c of e.categories) st.catInsert.run(c, rowid);
  });
  const remove = db.transaction((id: string) => {
    const rowid = st.rowidOf.get(id);
    if (rowid === undefined) return;
    st.delete.run(rowid);
    st.ftsDelete.run(rowid);
    st.catDelete.run(rowid);
  });

  function search(q: CatalogueQuery): { ids: string[]; nextCursor?: string; total: number } {
    const limit = Math.min(Math.max(q.limit ?? 24, 1), 100);
    const match = q.query ? ftsQuery(q.query) : '';
    const sort = q.sort ?? (match ? 'relevance' : 'newest');
    if (sort === 'relevance' && !match) return search({ ...q, sort: 'newest' });
    const where: string[] = [];
    const params: unknown[] = [];
    let from = 'listings l';
    if (match) {
      from += ' JOIN listings_fts f ON f.rowid = l.rowid';
      where.push('listings_fts MATCH ?');
      params.push(match);
    }
    if (q.category) {
      where.push('l.rowid IN (SELECT listing_rowid FROM listing_categories WHERE category = ?)');
      params.push(q.category.trim().toLowerCase());
    }
    if (q.featuredOnly) where.push('l.featured = 1');
    if (q.creatorHandle) {
      where.push('l.creator_handle = ?');
      params.push(q.creatorHandle.trim().toLowerCase());
    }
    if (q.minRating) {
      where.push('l.rating >= ?');
      params.push(q.minRating);
    }
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = db.prepare<unknown[], number>(`SELECT count(*) FROM ${from} ${filter}`).pluck().get(...params) ?? 0;

    if (sort === 'relevance') {
      const offset = q.cursor ? Number(decodeCursor(q.cursor, 1)[0]) : 0;
      const rows = db
        .prepare<unknown[], { id: string }>(`SELECT l.id FROM ${from} ${filter} ORDER BY bm25(listings_fts, 10.0, 4.0, 1.0, 6.0), l.runs DESC, l.id DESC LIMIT ? OFFSET ?`)
        .all(...params, limit + 1, offset);
      const ids = rows.slice(0, limit).map((r) => r.id);
      return { ids, total, nextCursor: rows.length > limit ? encodeCursor([offset + limit]) : undefined };
    }
    const keys = KEYS[sort];
    const cols = keys.map((k, i) => `${k} AS k${i}`).join(', ');
    const pageWhere = [...where];
    const pageParams = [...params];
    if (q.cursor) {
      pageWhere.push(`(${keys.join(', ')}) < (${keys.map(() => '?').join(', ')})`);
      pageParams.push(...decodeCursor(q.cursor, keys.length));
    }
    const rows = db
      .prepare<unknown[], Record<string, string | number>>(
        `SELECT ${cols} FROM ${from} ${pageWhere.length ? `WHERE ${pageWhere.join(' AND ')}` : ''} ORDER BY ${keys.map((k) => `${k} DESC`).join(', ')} LIMIT ?`,
      )
      .all(...pageParams, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      ids: page.map((r) => String(r[`k${keys.length - 1}`])),
      total,
      nextCursor: rows.length > limit && last ? encodeCursor(keys.map((_, i) => last[`k${i}`])) : undefined,
    };
  }

  return {
    upsert: (e) => upsert(e),
    remove: (id) => remove(id),
    search: async (q) => search(q),
    categories: async () => st.categories.all(),
    close: async () => void db.close(),
  };
}
