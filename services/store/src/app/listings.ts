import type { EventStore } from '@agentry/event-log';
import { DomainError, notFound, streamIdOf, type Clock, type EventEnvelope } from '@agentry/kernel';
import { replayCategories } from '@agentry/runtime';

export interface Listing {
  id: string;
  slug: string;
  name: string;
  subHeading: string;
  description: string;
  categories: string[];
  creatorTenantId: string;
  graphId: string;
  graphVersion: number;
  status: 'DRAFT' | 'PENDING' | 'APPROVED' | 'REJECTED';
  createdAt: string;
}

type ListingEvent = { type: 'ListingSubmitted'; data: Listing };

/** Store listings (issue: store & library); this slice covers submit, browse and read. */
export class Listings {
  private readonly byId = new Map<string, Listing>();

  constructor(private readonly deps: { events: EventStore; clock: Clock; newId: () => string }) {}

  async start(): Promise<void> {
    await replayCategories(this.deps.events, ['listing'], (e) => this.apply(e));
  }

  async submit(tenantId: string, input: Omit<Listing, 'id' | 'slug' | 'creatorTenantId' | 'status' | 'createdAt'>): Promise<Listing> {
    const errors: Record<string, string> = {};
    if (!input.name.trim()) errors.name = 'required';
    if (!input.graphId) errors.graphId = 'required';
    if (input.graphVersion < 1) errors.graphVersion = 'a positive version';
    if (Object.keys(errors).length) throw new DomainError('VALIDATION_FAILED', 'the listing is not valid', { errors });
    const id = this.deps.newId();
    const slug = `${input.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60)}-${id.slice(0, 8)}`;
    const listing: Listing = { ...input, id, slug, creatorTenantId: tenantId, status: 'PENDING', createdAt: this.deps.clock.now().toISOString() };
    const result = await this.deps.events.append(streamIdOf('listing', id), [{ type: 'ListingSubmitted', data: listing }], { expectedVersion: 0, tenantId });
    for (const e of result.events) this.apply(e);
    return listing;
  }

  /** Public catalogue: approved listings only, plus a text filter. */
  list(filter: { query?: string; category?: string; cursor?: string; limit?: number }): { items: Listing[]; nextCursor?: string } {
    const needle = filter.query?.toLowerCase();
    const rows = [...this.byId.values()]
      .filter((l) => l.status === 'APPROVED')
      .filter((l) => !needle || `${l.name} ${l.description}`.toLowerCase().includes(needle))
      .filter((l) => !filter.category || l.categories.includes(filter.category))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
    const start = filter.cursor ? rows.findIndex((l) => l.id === filter.cursor) + 1 : 0;
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
    const items = rows.slice(start, start + limit);
    return { items, nextCursor: start + limit < rows.length ? items[items.length - 1]?.id : undefined };
  }

  get(id: string, tenantId?: string): Listing {
    const l = this.byId.get(id);
    if (!l || (l.status !== 'APPROVED' && l.creatorTenantId !== tenantId)) throw notFound('listing', id);
    return l;
  }

  private apply(envelope: EventEnvelope): void {
    const event = { type: envelope.type, data: envelope.data } as ListingEvent;
    if (event.type === 'ListingSubmitted') this.byId.set(event.data.id, event.data);
  }
}
