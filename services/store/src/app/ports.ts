import type { Graph } from '@agentry/kernel';
import type { GraphSnapshot } from '../domain/listing/events';

export interface Caller {
  tenantId: string;
  userId: string;
  roles: string[];
}

/** The graph service as the store needs it (over gRPC in every mode; the store never touches graph streams). */
export interface GraphPort {
  get(caller: Caller, graphId: string, version: number): Promise<Graph>;
  create(caller: Caller, content: GraphSnapshot, forkedFrom: { id: string; version: number }): Promise<Graph>;
  update(caller: Caller, graphId: string, baseVersion: number, content: GraphSnapshot): Promise<Graph>;
  delete(caller: Caller, graphId: string): Promise<void>;
}

/** One approved listing as the catalogue search sees it. */
export interface CatalogueEntry {
  id: string;
  name: string;
  subHeading: string;
  description: string;
  categories: string[];
  creatorHandle: string;
  creatorName: string;
  featured: boolean;
  ratingAverage: number;
  ratingCount: number;
  runCount: number;
  approvedAt: string;
}

export type CatalogueSort = 'relevance' | 'newest' | 'rating' | 'runs';

export interface CatalogueQuery {
  query?: string;
  category?: string;
  sort?: CatalogueSort;
  featuredOnly?: boolean;
  creatorHandle?: string;
  minRating?: number;
  cursor?: string;
  limit?: number;
}

/**
 * Read model for discovery (embedded: SQLite FTS5; production: a MongoDB text index). A projection, never the source
 * of truth. Writes are fire-and-forget in call order (an adapter over the network queues them); reads see every
 * write made before them.
 */
export interface SearchIndex {
  upsert(entry: CatalogueEntry): void;
  remove(id: string): void;
  search(q: CatalogueQuery): Promise<{ ids: string[]; nextCursor?: string; total: number }>;
  categories(): Promise<Array<{ name: string; listingCount: number }>>;
  close(): Promise<void>;
}
