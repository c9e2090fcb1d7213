import type { EventStore } from '@agentry/event-log';
import type { EventEnvelope } from '@agentry/kernel';
import { ReadModelProjection, words, type ProjectionSpec, type ReadStore } from '@agentry/read-store';
import type { GraphEvent } from '../domain/graph/events';
import { clampLimit, type GraphList, type GraphListPage, type ListGraphsQuery } from './graph-list';

/** One live graph's summary as a read-store document (its newest version). */
export type GraphSummaryDoc = {
  name: string;
  /** The `name` sort key. */
  nameLower: string;
  description: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  nodeCount: number;
};

/**
 * One document per live graph, written at the position of the last event that changed it; a deleted graph is
 * removed (tombstone). Indexes (tenant implied first): `updatedAt` (the default sort, newest first) and `nameLower`
 * (sort by name); a text index over name and description serves `query`.
 */
export const GRAPH_SUMMARIES: ProjectionSpec<GraphSummaryDoc> = {
  name: 'graph-summaries-v1',
  categories: ['graph'],
  collection: { name: 'graph_summaries', indexes: [['updatedAt'], ['nameLower']], text: ['name', 'description'] },
  fold(current, envelope: EventEnvelope) {
    const e = { type: envelope.type, data: envelope.data } as GraphEvent;
    switch (e.type) {
      case 'GraphCreated':
        if (current) return undefined;
        return {
          name: e.data.name,
          nameLower: e.data.name.toLowerCase(),
          description: e.data.description,
          version: 1,
          createdAt: e.data.createdAt,
          updatedAt: envelope.occurredAt,
          nodeCount: e.data.nodes.length,
        };
      case 'GraphVersionCreated':
        if (!current) return undefined;
        return {
          ...current,
          name: e.data.name,
          nameLower: e.data.name.toLowerCase(),
          description: e.data.description,
          version: e.data.version,
          updatedAt: envelope.occurredAt,
          nodeCount: e.data.nodes.length,
        };
      case 'GraphDeleted':
        return null;
      default:
        return undefined;
    }
  },
};


/**
 * The graph list as a libs/read-store projection (SQLite or MongoDB through mongoose): the graph service applies
 * its own appends right after them (a list after a create sees it), catches up from the projection's checkpoint on
 * start and periodically (graphs other replicas wrote). `query` is the store's text search: every word must be a
 * whole word of the name or the description (the in-memory list matches a substring).
 */
export class ReadStoreGraphList implements GraphList {
  private readonly projection: ReadModelProjection<GraphSummaryDoc>;

  constructor(
    events: EventStore,
    store: ReadStore,
  ) {
    this.projection = new ReadModelProjection(events, store, GRAPH_SUMMARIES);
  }

  async catchUp(): Promise<void> {
    await this.projection.catchUp();
  }

  apply(events: EventEnvelope[]): Promise<void> {
    return this.projection.apply(events);
  }

  /**
   * Folds the whole log again through the guarded writes: documents missing from the store come back, the ones
   * already at their position stay as they are (the store cannot be emptied from here).
   */
  async rebuild(): Promise<void> {
    await this.projection.rebuild();
  }

  async list(tenantId: string, q: ListGraphsQuery): Promise<GraphListPage> {
    const text = q.query?.trim() || undefined;
    // a query without a word (only punctuation) matches no whole word
    if (text !== undefined && words(text).length === 0) return { items: [] };
    const byName = q.sort === 'name';
    const docs = await this.projection.collection();
    const page = await docs.list({
      tenantId,
      text,
      orderBy: byName ? { field: 'nameLower', direction: 'asc' } : { field: 'updatedAt', direction: 'desc' },
      limit: clampLimit(q.limit),
      cursor: q.cursor,
    });
    return {
      items: page.items.map(({ id, data: d }) => ({
        id,
        version: d.version,
        name: d.name,
        description: d.description,
        isActive: true,
        createdAt: d.createdAt,
        updatedAt: d.updatedAt,
        nodeCount: d.nodeCount,
      })),
      nextCursor: page.nextCursor,
    };
  }

  close(): Promise<void> {
    return this.projection.idle();
  }
}
