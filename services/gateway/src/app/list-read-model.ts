import type { EventStore } from '@agentry/event-log';
import { DomainError, type EventEnvelope } from '@agentry/kernel';
import {
  ReadModelProjection,
  type ProjectionSpec,
  type ReadCollection,
  type ReadDocument,
  type ReadStore,
} from '@agentry/read-store';

/** One page of a list, newest first; `nextCursor` (opaque) is absent on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface PageQuery {
  /** The `nextCursor` of the previous page of the same query. */
  cursor?: string;
  /** 1..500, default 50. */
  limit?: number;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;
export const clampLimit = (limit: number | undefined) =>
  Math.min(Math.max(Math.trunc(limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);

/**
 * What a gateway list read model does besides answering its list, on both adapters: the in-memory one (a view of
 * the gateway's own fold, nothing to do) and the read-store one (a `ReadModelProjection` in libs/read-store).
 */
export interface ListReadModel {
  /** Folds what the log holds beyond what the list has seen (start, and writes of other replicas). */
  catchUp(): Promise<void>;
  /** Events this gateway has just appended (a list after a write sees it); applying them again changes nothing. */
  apply(events: EventEnvelope[]): Promise<void>;
  /** Catches up every `intervalMs` (0 = never); answers the stop function. */
  follow(intervalMs: number, onError?: (err: unknown) => void): () => void;
  /** Admin rebuild: folds the whole log again. */
  rebuild(): Promise<void>;
  /** Waits for writes in flight (a read store is closed by whoever opened it). */
  close(): Promise<void>;
}

/** The in-memory lists read the gateway's own fold: nothing to catch up, apply or close. */
export class FoldView implements ListReadModel {
  async catchUp(): Promise<void> {}
  async apply(): Promise<void> {}
  follow(): () => void {
    return () => undefined;
  }
  async rebuild(): Promise<void> {}
  async close(): Promise<void> {}
}


/**
 * A list kept in libs/read-store (SQLite or MongoDB): one document per aggregate, written with the position of the
 * last event that changed it, so redelivered or replayed events are no-ops. Its checkpoint is shared by every
 * replica on the same store.
 */
export class ProjectedList<T extends ReadDocument> implements ListReadModel {
  protected readonly projection: ReadModelProjection<T>;

  constructor(
    private readonly events: EventStore,
    store: ReadStore,
    private readonly spec: ProjectionSpec<T>,
  ) {
    this.projection = new ReadModelProjection(events, store, spec);
  }

  protected collection(): Promise<ReadCollection<T>> {
    return this.projection.collection();
  }

  async catchUp(): Promise<void> {
    await this.projection.catchUp();
  }

  apply(events: EventEnvelope[]): Promise<void> {
    return this.projection.apply(events);
  }

  follow(intervalMs: number, onError?: (err: unknown) => void): () => void {
    if (intervalMs <= 0) return () => undefined;
    return this.projection.follow(intervalMs, onError);
  }

  /**
   * Folds the whole log again through the guarded writes: documents missing from the store come back, the ones at
   * their position stay as they are (the store is not emptied from here).
   */
  async rebuild(): Promise<void> {
    await this.projection.rebuild();
  }

  close(): Promise<void> {
    return this.projection.idle();
  }
}

/** Absent values are null in a read-store document (scalars only) and absent again in the API. */
export const orNull = (v: string | undefined): string | null => v ?? null;
export const orUndefined = (v: string | null): string | undefined => v ?? undefined;

/** Code-point order (what SQLite and MongoDB sort by), not the locale's. */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A page of an in-memory list, newest first: `createdAt` descending, ties by id descending (the read store's
 * order). The cursor is the last item's (createdAt, id) (the read store's keyset cursor has the same form), so
 * a page stays right when items before it are deleted.
 */
export function newestFirstPage<T extends { id: string; createdAt: string }>(items: T[], q: PageQuery): Page<T> {
  const limit = clampLimit(q.limit);
  const after = q.cursor === undefined ? undefined : decodeKey(q.cursor);
  const order = (a: T, b: T) => cmp(b.createdAt, a.createdAt) || cmp(b.id, a.id);
  const rows = items
    .filter((i) => !after || cmp(i.createdAt, after[0]) < 0 || (i.createdAt === after[0] && cmp(i.id, after[1]) < 0))
    .sort(order);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page,
    nextCursor:
      rows.length > limit && last
        ? Buffer.from(JSON.stringify([last.createdAt, last.id])).toString('base64url')
        : undefined,
  };
}

function decodeKey(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // reported below
  }
  throw new DomainError('VALIDATION_FAILED', 'the cursor is not valid', { errors: { cursor: 'invalid' } });
}
