import type { BlockRegistry } from '@agentry/block-sdk';
import type { EventStore } from '@agentry/event-log';
import type { ReadStore } from '@agentry/read-store';
import { catchUpCategories } from '@agentry/runtime';
import { DomainError, notFound, streamIdOf, type Clock, type EventEnvelope, type Graph, type GraphProblems } from '@agentry/kernel';
import type { GraphCommand } from '../domain/graph/commands';
import { graphDecider } from '../domain/graph/decider';
import type { GraphEvent, GraphVersionContent } from '../domain/graph/events';
import { validateGraph } from '../domain/graph/validate';
import { InMemoryGraphList, type GraphEntry, type GraphList, type GraphListPage, type ListGraphsQuery } from './graph-list';
import { ReadStoreGraphList } from './graph-list-read-store';

export type { GraphSummary, GraphListPage, ListGraphsQuery } from './graph-list';

interface Entry extends GraphEntry {
  streamVersion: number;
}

const CATEGORY = 'graph';

export interface GraphAppDeps {
  events: EventStore;
  blocks: BlockRegistry;
  clock: Clock;
  newId: () => string;
  /**
   * Where the graph list lives (issue #10): a read store (SQLite or MongoDB) holds it as a projection
   * (`ReadStoreGraphList`); without one the list is a scan of the in-memory fold (`InMemoryGraphList`).
   */
  readModels?: ReadStore;
  /** A list write that failed after its append (the list catches up from the log later). */
  onListError?: (err: unknown) => void;
}

/**
 * Graph use cases. State of record is the `graph-*` streams; the map below is a projection
 * rebuilt from the log on start and advanced by this service's own appends (it is the single writer).
 * The list is behind the `GraphList` port: the same map, or a read-store projection.
 */
export class GraphApp {
  private readonly graphs = new Map<string, Entry>();
  /** Global position of the last graph event folded into the map. */
  private position = 0;
  private readonly graphList: GraphList;

  constructor(private readonly deps: GraphAppDeps) {
    this.graphList = deps.readModels ? new ReadStoreGraphList(deps.events, deps.readModels) : new InMemoryGraphList(() => this.graphs);
  }

  async start(): Promise<void> {
    this.position = await catchUpCategories(this.deps.events, [CATEGORY], 0, (page) => page.forEach((e) => this.apply(e)), 5000);
    await this.graphList.catchUp();
  }

  /** Folds graph events appended since (by another replica) into the map and the list. */
  async sync(): Promise<void> {
    this.position = await catchUpCategories(this.deps.events, [CATEGORY], this.position, (page) => page.forEach((e) => this.apply(e)));
    await this.graphList.catchUp();
  }

  /** Waits for list writes in flight (the read store stays open: its opener closes it). */
  close(): Promise<void> {
    return this.graphList.close();
  }

  /** Admin (issue #6): folds every graph again from the log and swaps the result in; returns the events folded. */
  async rebuild(): Promise<number> {
    const fresh = new GraphApp({ ...this.deps, readModels: undefined });
    let count = 0;
    // Read to the head, then swap in the same turn: appends while reading are in the fresh fold.
    const end = await catchUpCategories(this.deps.events, [CATEGORY], 0, (page) => {
      for (const e of page) fresh.apply(e);
      count += page.length;
    }, 5000);
    this.graphs.clear();
    for (const [id, entry] of fresh.graphs) this.graphs.set(id, entry);
    this.position = Math.max(this.position, end);
    await this.graphList.rebuild();
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

  /** Live graphs of a tenant, sorted and paged (see `ListGraphsQuery`). */
  list(tenantId: string, q: ListGraphsQuery = {}): Promise<GraphListPage> {
    return this.graphList.list(tenantId, q);
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
      let appended: EventEnvelope[];
      try {
        appended = (await this.deps.events.append(streamId, events, { expectedVersion: entry?.streamVersion ?? 0, tenantId })).events;
      } catch (err) {
        if (attempt >= 2 || !(err instanceof DomainError) || err.code !== 'VERSION_CONFLICT') throw err;
        // Another writer got there first (a second replica): catch up from the log and decide again.
        const theirs = await this.deps.events.readStream(streamId, { fromVersion: (entry?.streamVersion ?? 0) + 1 });
        for (const e of theirs) this.apply(e);
        await this.applyToList(theirs);
        continue;
      }
      for (const e of appended) this.apply(e);
      await this.applyToList(appended); // a list right after the write sees it
      return;
    }
  }

  /**
   * The write is in the log already: a list that cannot take it now (read store unreachable) must not fail the
   * command; the next catch-up (follow, restart) folds it from the log.
   */
  private async applyToList(events: EventEnvelope[]): Promise<void> {
    try {
      await this.graphList.apply(events);
    } catch (err) {
      this.deps.onListError?.(err);
    }
  }

  /** Folds one event (own appends included; they do not move `position`: another replica's may come before them). */
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
