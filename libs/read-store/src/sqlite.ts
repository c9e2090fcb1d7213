import Database from 'better-sqlite3';
import type { CollectionSpec, FieldValue, ListQuery, ReadCollection, ReadDocument, ReadStore, StoredDocument } from './ports';
import { checkSpec, clampLimit, decodeCursor, encodeCursor, requireIndex, words } from './query';

const field = (f: string) => `json_extract(data, '$.${f}')`;
/** The same expression in queries (table alias `d`), so the planner matches it to the expression index. */
const qfield = (f: string) => `json_extract(d.data, '$.${f}')`;
/** SQLite has no boolean: json_extract answers 1/0 for true/false. */
const param = (v: FieldValue) => (typeof v === 'boolean' ? Number(v) : v);

interface Row {
  tenant_id: string;
  id: string;
  position: number;
  data: string;
}

/**
 * Read models in SQLite (embedded mode): a table per collection with the document as JSON, one expression
 * index per declared list query (tenant first) and an FTS5 table for text. Pass the database the event log
 * uses, or a path of its own.
 */
export function createSqliteReadStore(options: { path?: string; db?: Database.Database } = {}): ReadStore {
  const db = options.db ?? new Database(options.path ?? ':memory:');
  if (!options.db) db.pragma('journal_mode = WAL');
  return {
    kind: 'sqlite',
    async collection<T extends ReadDocument>(spec: CollectionSpec<T>): Promise<ReadCollection<T>> {
      checkSpec(spec as CollectionSpec<ReadDocument>);
      return sqliteCollection(db, spec);
    },
    async close() {
      if (!options.db) db.close();
    },
  };
}

function sqliteCollection<T extends ReadDocument>(db: Database.Database, spec: CollectionSpec<T>): ReadCollection<T> {
  const t = `rs_${spec.name}`;
  const fts = `${t}_fts`;
  db.exec(`CREATE TABLE IF NOT EXISTS ${t} (
    rowid INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, id TEXT NOT NULL, position INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL, UNIQUE (tenant_id, id))`);
  spec.indexes.forEach((index, i) => db.exec(`CREATE INDEX IF NOT EXISTS ${t}_i${i} ON ${t} (tenant_id, deleted, ${index.map(field).join(', ')}, id)`));
  if (spec.text?.length) db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS ${fts} USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')`);
  const textOf = (data: T) => words((spec.text ?? []).map((f) => [data[f]].flat().join(' ')).join(' ')).join(' ');

  // The guard is in the statement: an existing row changes only for a later position.
  const write = db.prepare<[string, string, number, number, string]>(
    `INSERT INTO ${t} (tenant_id, id, position, deleted, data) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (tenant_id, id) DO UPDATE SET position = excluded.position, deleted = excluded.deleted, data = excluded.data
     WHERE excluded.position > ${t}.position`,
  );
  const rowidOf = db.prepare<[string, string], number>(`SELECT rowid FROM ${t} WHERE tenant_id = ? AND id = ?`).pluck();
  const ftsDelete = spec.text?.length ? db.prepare(`DELETE FROM ${fts} WHERE rowid = ?`) : undefined;
  const ftsInsert = spec.text?.length ? db.prepare(`INSERT INTO ${fts} (rowid, body) VALUES (?, ?)`) : undefined;
  const getOne = db.prepare<[string, string], Row>(`SELECT tenant_id, id, position, data FROM ${t} WHERE tenant_id = ? AND id = ? AND deleted = 0`);
  const maxPosition = db.prepare<[], number>(`SELECT coalesce(max(position), 0) FROM ${t}`).pluck();

  const apply = db.transaction((tenantId: string, id: string, position: number, data: T | undefined): boolean => {
    const changed = write.run(tenantId, id, position, data ? 0 : 1, JSON.stringify(data ?? {})).changes > 0;
    if (changed && ftsDelete && ftsInsert) {
      const rowid = rowidOf.get(tenantId, id)!;
      ftsDelete.run(rowid);
      if (data) ftsInsert.run(rowid, textOf(data));
    }
    return changed;
  });
  const toDoc = (r: Row): StoredDocument<T> => ({ tenantId: r.tenant_id, id: r.id, position: r.position, data: JSON.parse(r.data) as T });

  /**
   * `index`: the declared index that serves the query, named with INDEXED BY: without statistics the planner may
   * prefer a shorter index on the sort field's range and filter the rest row by row.
   */
  function filter(q: Pick<ListQuery<T>, 'tenantId' | 'where' | 'text'>, index?: number): { from: string; where: string[]; params: unknown[] } {
    const where = ['d.tenant_id = ?', 'd.deleted = 0'];
    const params: unknown[] = [q.tenantId];
    for (const [k, v] of Object.entries(q.where ?? {}) as Array<[string, FieldValue]>) {
      where.push(v === null ? `${qfield(k)} IS NULL` : `${qfield(k)} = ?`);
      if (v !== null) params.push(param(v));
    }
    let from = index === undefined ? `${t} d` : `${t} d INDEXED BY ${t}_i${index}`;
    if (q.text !== undefined) {
      const w = words(q.text);
      if (w.length) {
        from += ` JOIN ${fts} f ON f.rowid = d.rowid`;
        where.push(`${fts} MATCH ?`);
        params.push(w.map((x) => `"${x}"`).join(' '));
      }
    }
    return { from, where, params };
  }

  return {
    async upsert(tenantId, id, data, position) {
      return apply(tenantId, id, position, data);
    },
    async remove(tenantId, id, position) {
      return apply(tenantId, id, position, undefined);
    },
    async get(tenantId, id) {
      const r = getOne.get(tenantId, id);
      return r ? toDoc(r) : undefined;
    },
    async position() {
      return maxPosition.get() ?? 0;
    },
    async count(q) {
      const f = filter(q, requireIndex(spec as CollectionSpec<ReadDocument>, q));
      return db.prepare<unknown[], number>(`SELECT count(*) FROM ${f.from} WHERE ${f.where.join(' AND ')}`).pluck().get(...f.params) ?? 0;
    },
    async list(q) {
      const index = requireIndex(spec as CollectionSpec<ReadDocument>, q);
      const limit = clampLimit(q.limit);
      const f = filter(q, index);
      const dir = q.orderBy?.direction === 'desc' ? 'DESC' : 'ASC';
      const keys = q.orderBy ? [qfield(q.orderBy.field), 'd.id'] : ['d.id'];
      const where = [...f.where];
      const params = [...f.params];
      if (q.range && q.orderBy) {
        if (q.range.gte !== undefined) {
          where.push(`${keys[0]} >= ?`);
          params.push(param(q.range.gte));
        }
        if (q.range.lt !== undefined) {
          where.push(`${keys[0]} < ?`);
          params.push(param(q.range.lt));
        }
      }
      if (q.cursor) {
        where.push(`(${keys.join(', ')}) ${dir === 'DESC' ? '<' : '>'} (${keys.map(() => '?').join(', ')})`);
        params.push(...decodeCursor(q.cursor, keys.length).map(param));
      }
      const rows = db
        .prepare<unknown[], Row & { k0: FieldValue }>(
          `SELECT d.tenant_id, d.id, d.position, d.data, ${keys[0]} AS k0 FROM ${f.from} WHERE ${where.join(' AND ')} ORDER BY ${keys.map((k) => `${k} ${dir}`).join(', ')} LIMIT ?`,
        )
        .all(...params, limit + 1);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map(toDoc),
        nextCursor: rows.length > limit && last ? encodeCursor(q.orderBy ? [last.k0, last.id] : [last.id]) : undefined,
      };
    },
  };
}
