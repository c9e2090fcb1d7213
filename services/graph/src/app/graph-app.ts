import type { BlockRegistry } from '@agentry/block-sdk';
import type { EventStore } from '@agentry/event-log';
import { replayCategories } from '@agentry/runtime';
import { DomainError, notFound, streamIdOf, type Clock, type EventEnvelope, type Graph, type GraphProblems } from '@agentry/kernel';
import type { GraphCommand } from '../domain/graph/commands';
import { graphDecider, type GraphState } from '../domain/graph/decider';
import type { GraphEvent, GraphVersionContent } from '../domain/graph/events';
import { validateGraph } from '../domain/graph/validate';

interface Entry {
  tenantId: string;
  state: GraphState;
  streamVersion: number;
  updatedAt: string;
}

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
  query?: string;
  sort?: 'updatedAt' | 'name';
  cursor?: string;
  limit?: number;
}

const CATEGORY = 'graph';

/**
 * Graph use cases. State of record is the `graph-*` streams; the map below is a projection
 * rebuilt from the log on start and advanced by this service's own appends (it is the single writer).
 */
export class GraphApp {
  private readonly graphs = new Map<string, Entry>();

  constructor(private readonly deps: { events: EventStore; blocks: BlockRegistry; clock: Clock; newId: () => string }) {}

  async start(): Promise<void> {
    await replayCategories(this.deps.events, [CATEGORY], (e) => this.apply(e));
  }

  /** Admin (issue #6): folds every graph again from the log and swaps the result in; returns the events folded. */
  async rebuild(): Promise<number> {
    const fresh = new GraphApp(this.deps);
    let count = 0;
    // Read to the head (an empty page), then swap in the same turn: appends while reading are in the fresh fold.
    for (let after = 0; ; ) {
      const page = await this.deps.events.readAll({ after, limit: 5000, categories: [CATEGORY] });
      if (page.length === 0) break;
      for (const e of page) fresh.apply(e);
      count += page.length;
      after = page[page.length - 1].globalPosition;
    }
    this.graphs.clear();
    for (const [id, entry] of fresh.graphs) this.graphs.set(id, entry);
    return count;
  }


  validate(content: GraphVersionContent): GraphProblems {
    return validateGraph(content, this.deps.blocks);
  }

  async create(caller: { tenantId: string; userId: string }, content: GraphVersionContent, forkedFrom?: Graph['forkedFrom']): Promise<Graph> {
    this.assertValid(content);
    const graphId = this.deps.newId();
    await this.execute(caller.tenantId, graphId, { type: 'CreateGraph', graphId, tenantId: caller.tenantId, ownerId: caller.userId, content, forkedFrom, now: this.now() });
    return this.get(caller.tenantId, graphId);
  }

  async update(caller: { tenantId: string; userId: string }, graphId: string, baseVersion: number, content: GraphVersionContent): Promise<Graph> {
    this.entryFor(caller.tenantId, graphId);
    this.assertValid(content);
    await this.execute(caller.tenantId, graphId, { type: 'UpdateGraph', graphId, userId: caller.userId, baseVersion, content, now: this.now() });
    return this.get(caller.tenantId, graphId);
  }

  async delete(caller: { tenantId: string; userId: string }, graphId: string): Promise<void> {
    this.entryFor(caller.tenantId, graphId);
    await this.execute(caller.tenantId, graphId, { type: 'DeleteGraph', graphId, userId: caller.userId, now: this.now() });
  }

  /** version 0/undefined = the active (newest) version. Another tenant's graph is NOT_FOUND. */
  get(tenantId: string, graphId: string, version?: number): Graph {
    const entry = this.entryFor(tenantId, graphId);
    if (!version) return entry.state.versions[entry.state.versions.length - 1];
    const found = entry.state.versions.find((v) => v.version === version);
    if (!found) throw notFound('graph version', `${graphId}@${version}`);
    return found;
  }

  versions(tenantId: string, graphId: string): Array<{ version: number; createdAt: string; isActive: boolean }> {
    return this.entryFor(tenantId, graphId).state.versions.map((v) => ({ version: v.version, createdAt: v.createdAt, isActive: v.isActive }));
  }

  list(tenantId: string, q: ListGraphsQuery = {}): { items: GraphSummary[]; nextCursor?: string } {
    const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
    const needle = q.query?.trim().toLowerCase();
    const sort = q.sort ?? 'updatedAt';
    let rows: GraphSummary[] = [];
    for (const [id, entry] of this.graphs) {
      if (entry.tenantId !== tenantId || entry.state.deleted) continue;
      const g = entry.state.versions[entry.state.versions.length - 1];
      if (needle && !`${g.name}\n${g.description}`.toLowerCase().includes(needle)) continue;
      rows.push({ id, version: g.version, name: g.name, description: g.description, isActive: true, createdAt: entry.state.versions[0].createdAt, updatedAt: entry.updatedAt, nodeCount: g.nodes.length });
    }
    const key = (r: GraphSummary) => (sort === 'name' ? `${r.name.toLowerCase()}\u0000${r.id}` : `${r.updatedAt}\u0000${r.id}`);
    rows.sort((a, b) => (sort === 'name' ? key(a).localeCompare(key(b)) : key(b).localeCompare(key(a))));
    if (q.cursor) {
      const after = decodeCursor(q.cursor);
      rows = rows.filter((r) => (sort === 'name' ? key(r).localeCompare(after) > 0 : key(r).localeCompare(after) < 0));
    }
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeCursor(key(items[items.length - 1])) : undefined };
  }

  private assertValid(content: GraphVersionContent): void {
    const problems = this.validate(content);
    if (Object.keys(problems).length) throw new DomainError('VALIDATION_FAILED', 'the graph is not valid', { errors: problems });
  }

  private entryFor(tenantId: string, graphId: string): Entry {
    const entry = this.graphs.get(graphId);
    if (!entry || entry.tenantId !== tenantId || entry.state.deleted) throw notFound('graph', graphId);
    return entry;
  }

  private async execute(tenantId: string, graphId: string, command: GraphCommand): Promise<void> {
    const streamId = streamIdOf(CATEGORY, graphId);
    for (let attempt = 0; ; attempt++) {
      const entry = this.graphs.get(graphId);
      const state = entry?.state ?? graphDecider.initialState();
      const events = graphDecider.decide(command, state);
      try {
        const result = await this.deps.events.append(streamId, events, { expectedVersion: entry?.streamVersion ?? 0, tenantId });
        for (const e of result.events) this.apply(e);
        return;
      } catch (err) {
        if (attempt >= 2 || !(err instanceof DomainError) || err.code !== 'VERSION_CONFLICT') throw err;
        // Another writer got there first (a second replica): catch up from the log and decide again.
        for (const e of await this.deps.events.readStream(streamId, { fromVersion: (entry?.streamVersion ?? 0) + 1 })) this.apply(e);
      }
    }
  }

  private apply(envelope: EventEnvelope): void {
    const event = { type: envelope.type, data: envelope.data } as GraphEvent;
    const graphId = envelope.streamId.slice(CATEGORY.length + 1);
    const entry = this.graphs.get(graphId);
    if (entry && envelope.streamVersion <= entry.streamVersion) return; // already applied
    const state = graphDecider.evolve(entry?.state ?? graphDecider.initialState(), event);
    this.graphs.set(graphId, { tenantId: envelope.tenantId, state, streamVersion: envelope.streamVersion, updatedAt: envelope.occurredAt });
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

const encodeCursor = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
function decodeCursor(cursor: string): string {
  try {
    return Buffer.from(cursor, 'base64url').toString('utf8');
  } catch {
    throw new DomainError('VALIDATION_FAILED', 'invalid cursor', { errors: { cursor: 'not a cursor returned by this API' } });
  }
}
