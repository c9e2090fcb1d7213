import { DomainError, type EventEnvelope } from '@agentry/kernel';
import type { GraphState } from '../domain/graph/decider';

export interface GraphSummary {
  id: string;
  version: number;
  name: string;
  description: string;
  isActive: boolean;
  createdAt: string;
  updatedAt: string;
  nodeCount: number;
}

export interface ListGraphsQuery {
  /** Filters on name and description: a substring in memory, whole words on the read store. */
  query?: string;
  /** `updatedAt`: newest first (default); `name`: by lower-cased name. Ties are broken by id (same direction). */
  sort?: 'updatedAt' | 'name';
  /** The `nextCursor` of the previous page of the same query (opaque). */
  cursor?: string;
  /** 1..200, default 50. */
  limit?: number;
}

export interface GraphListPage {
  items: GraphSummary[];
  nextCursor?: string;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;
export const clampLimit = (limit: number | undefined) =>
  Math.min(Math.max(Math.trunc(limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);

/**
 * The graph list port: one summary per live graph of a tenant, sorted and paged with a keyset cursor. A read model of
 * the `graph` category (never the source of truth). Adapters: `InMemoryGraphList` (the default, embedded mode: a view
 * of the graph service's own fold) and `ReadStoreGraphList` (libs/read-store: SQLite or MongoDB, AGENTRY_READ_STORE).
 */
export interface GraphList {
  /** Folds what the log holds beyond what the list has seen (start, and writes of other replicas). */
  catchUp(): Promise<void>;
  /** Events this service has just appended or read; applying the same events again changes nothing. */
  apply(events: EventEnvelope[]): Promise<void>;
  list(tenantId: string, q: ListGraphsQuery): Promise<GraphListPage>;
  /** Admin rebuild: folds the whole log again. */
  rebuild(): Promise<void>;
  /** Waits for writes in flight (a read store is closed by whoever opened it). */
  close(): Promise<void>;
}

/** What the in-memory list reads of each graph (the graph service's own fold). */
export interface GraphEntry {
  tenantId: string;
  state: GraphState;
  updatedAt: string;
}

export const encodeCursor = (key: [string, string]) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

export function decodeCursor(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // reported below
  }
  throw new DomainError('VALIDATION_FAILED', 'invalid cursor', {
    errors: { cursor: 'not a cursor returned by this API' },
  });
}

/** Code-point order (what SQLite and MongoDB sort by), not the locale's. */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The list straight from the graph service's in-memory fold: a scan of the graphs, filtered by tenant and by a
 * case-insensitive substring of name or description, then sorted. Nothing to catch up: the fold is its source.
 */
export class InMemoryGraphList implements GraphList {
  constructor(private readonly graphs: () => Iterable<[string, GraphEntry]>) {}

  async catchUp(): Promise<void> {}
  async apply(): Promise<void> {}
  async rebuild(): Promise<void> {}
  async close(): Promise<void> {}

  async list(tenantId: string, q: ListGraphsQuery): Promise<GraphListPage> {
    const limit = clampLimit(q.limit);
    const needle = q.query?.trim().toLowerCase();
    const byName = q.sort === 'name';
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    const keyOf = (r: GraphSummary): [string, string] => [byName ? r.name.toLowerCase() : r.updatedAt, r.id];
    // name: ascending; updatedAt: newest first
    const order = (a: [string, string], b: [string, string]) =>
      (byName ? 1 : -1) * (cmp(a[0], b[0]) || cmp(a[1], b[1]));
    const rows: GraphSummary[] = [];
    for (const [id, entry] of this.graphs()) {
      if (entry.tenantId !== tenantId || entry.state.deleted || !entry.state.versions.length) continue;
      const g = entry.state.versions[entry.state.versions.length - 1];
      if (needle && !`${g.name}\n${g.description}`.toLowerCase().includes(needle)) continue;
      const row: GraphSummary = {
        id,
        version: g.version,
        name: g.name,
        description: g.description,
        isActive: true,
        createdAt: entry.state.versions[0].createdAt,
        updatedAt: entry.updatedAt,
        nodeCount: g.nodes.length,
      };
      if (after && order(keyOf(row), after) <= 0) continue;
      rows.push(row);
    }
    rows.sort((a, b) => order(keyOf(a), keyOf(b)));
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeCursor(keyOf(items[items.length - 1])) : undefined };
  }
}
