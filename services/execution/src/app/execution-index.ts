import type { EventStore } from '@agentry/event-log';
import { DomainError } from '@agentry/kernel';
import type { ExecutionEvent, Trigger } from '../domain/execution/events';
import type { ExecutionState } from '../domain/execution/state';
import type { ExecutionSummary, ExecutionViewStatus } from '../domain/execution/view';

export interface TenantUsage {
  nodeRuns: number;
  tokens: number;
  costUsd: number;
}

export interface ListFilter {
  graphId?: string;
  status?: ExecutionViewStatus;
  trigger?: Trigger;
  /** ISO-8601, inclusive, on requestedAt. */
  from?: string;
  /** ISO-8601, exclusive, on requestedAt. */
  to?: string;
  cursor?: string;
  /** Default 50, at most 500. */
  limit?: number;
}

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'TERMINATED']);
const PAGE = 5000;

/** Executions of one tenant (or one graph) in (requestedAt, id) order: the keyset the list pages through. */
type Ordered = ExecutionSummary[];

const before = (a: ExecutionSummary, requestedAt: string, id: string) =>
  a.requestedAt < requestedAt || (a.requestedAt === requestedAt && a.id < id);

/** First index in `list` whose key is not before (requestedAt, id). */
function lowerBound(list: Ordered, requestedAt: string, id: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(list[mid], requestedAt, id)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts in key order; executions arrive almost in requestedAt order, so this is nearly always a push. */
function insertOrdered(list: Ordered, s: ExecutionSummary): void {
  const last = list[list.length - 1];
  if (!last || before(last, s.requestedAt, s.id)) list.push(s);
  else list.splice(lowerBound(list, s.requestedAt, s.id), 0, s);
}

export interface TenantCounts {
  /** Executions not finished yet. */
  running: number;
  /** Executions requested on the given UTC day (YYYY-MM-DD). */
  requestedOnDay: number;
}

export interface ExecutionListPage {
  items: ExecutionSummary[];
  nextCursor?: string;
}

/**
 * The execution list port: summaries of every execution (a read model of the 'execution' category, never the
 * source of truth), the list query, the counters tenant quotas check and the executions recovery resumes.
 * Adapters: `ExecutionIndex` (in memory, the default) and `ReadStoreExecutionList` (libs/read-store: SQLite or
 * MongoDB, AGENTRY_READ_STORE). Methods may answer synchronously; the engine awaits them all.
 */
export interface ExecutionList {
  /** Folds the log once per engine instance; later appends arrive through apply(). */
  ensureBuilt(): Promise<void>;
  /**
   * Events just appended to `execution-<executionId>`; `state.version` is the stream version after them and
   * `positions` their global positions. Applying the same events again changes nothing.
   */
  apply(executionId: string, state: Pick<ExecutionState, 'version'>, events: ExecutionEvent[], positions: number[]): void | Promise<void>;
  /** What tenant quotas count: executions not finished, and executions requested on a UTC day. */
  tenantCounts(tenantId: string, day: string): TenantCounts | Promise<TenantCounts>;
  /** Usage of a tenant's executions requested at or after `since` (ISO-8601). */
  tenantUsage(tenantId: string, since: string): TenantUsage | Promise<TenantUsage>;
  /** Executions not finished, every tenant (recovery). */
  nonTerminalIds(): string[] | Promise<string[]>;
  /** Newest first (requestedAt, id), keyset cursor; filters graph, status, trigger, [from, to). */
  list(tenantId: string, filter: ListFilter): ExecutionListPage | Promise<ExecutionListPage>;
  close?(): Promise<void>;
}

/**
 * In-memory summaries of every execution, built once from the log (category 'execution') and kept up to
 * date by the engine after each append. A read model: rebuildable, never the source of truth.
 */
export class ExecutionIndex implements ExecutionList {
  private readonly byId = new Map<string, ExecutionSummary>();
  private readonly byTenant = new Map<string, Ordered>();
  private readonly byGraph = new Map<string, Ordered>();
  private readonly counts = new Map<string, { running: number; byDay: Map<string, number> }>();
  private readonly usage = new Map<string, TenantUsage>();
  /** Last stream version applied per execution: events seen both live and while building count once. */
  private readonly applied = new Map<string, number>();
  private building?: Promise<void>;

  constructor(private readonly store: EventStore) {}

  /** Reads the log once per engine instance; later appends arrive through apply(). */
  ensureBuilt(): Promise<void> {
    this.building ??= this.build();
    return this.building;
  }

  private async build(): Promise<void> {
    let after = 0;
    for (;;) {
      const page = await this.store.readAll({ after, limit: PAGE, categories: ['execution'] });
      for (const env of page) {
        try {
          this.applyOne(
            env.streamId.slice('execution-'.length),
            { type: env.type, data: env.data } as ExecutionEvent,
            env.streamVersion,
          );
        } catch {
          // A corrupt event: the stream's own rebuild reports it; the index just skips it.
        }
      }
      if (page.length < PAGE) return;
      after = page[page.length - 1].globalPosition;
    }
  }

  /** Events just appended; `state.version` is the stream version after them. */
  apply(executionId: string, state: Pick<ExecutionState, 'version'>, events: ExecutionEvent[]): void {
    const first = state.version - events.length + 1;
    events.forEach((e, i) => this.applyOne(executionId, e, first + i));
  }

  private applyOne(id: string, e: ExecutionEvent, version: number): void {
    if (version <= (this.applied.get(id) ?? 0)) return;
    // Not known yet (the log is still being read): leave it to the build, which reads it from the start.
    if (e.type !== 'ExecutionRequested' && !this.byId.has(id)) return;
    this.applied.set(id, version);
    if (e.type === 'ExecutionRequested') {
      if (this.byId.has(id)) return;
      const d = e.data;
      const summary: ExecutionSummary = {
        id,
        tenantId: d.tenantId,
        userId: d.userId,
        graphId: d.graphId,
        graphVersion: d.graphVersion,
        status: 'RUNNING',
        trigger: d.trigger,
        requestedAt: d.requestedAt,
        parentExecutionId: d.parentExecutionId,
      };
      this.byId.set(id, summary);
      insertOrdered(this.orderedOf(this.byTenant, d.tenantId), summary);
      insertOrdered(this.orderedOf(this.byGraph, `${d.tenantId}/${d.graphId}`), summary);
      const c = this.countsOf(d.tenantId);
      c.running += 1;
      const day = d.requestedAt.slice(0, 10);
      c.byDay.set(day, (c.byDay.get(day) ?? 0) + 1);
      return;
    }
    const s = this.byId.get(id);
    if (!s) return;
    const ends = e.type === 'ExecutionCompleted' || e.type === 'ExecutionFailed' || e.type === 'ExecutionTerminated';
    if (ends && !TERMINAL.has(s.status)) this.countsOf(s.tenantId).running -= 1;
    switch (e.type) {
      case 'NodeExecutionQueued':
      case 'NodeRetryScheduled':
        this.usageOf(id).nodeRuns += 1;
        break;
      case 'NodeUsageRecorded': {
        const u = this.usageOf(id);
        u.tokens += (e.data.usage.inputTokens ?? 0) + (e.data.usage.outputTokens ?? 0);
        u.costUsd += e.data.usage.costUsd ?? 0;
        break;
      }
      case 'ExecutionStarted':
        s.startedAt = e.data.startedAt;
        break;
      case 'ExecutionCompleted':
        Object.assign(s, { status: 'COMPLETED', endedAt: e.data.endedAt });
        break;
      case 'ExecutionFailed':
        Object.assign(s, {
          status: 'FAILED',
          endedAt: e.data.endedAt,
          error: { message: e.data.reason, code: e.data.code },
        });
        break;
      case 'ExecutionTerminated':
        Object.assign(s, {
          status: 'TERMINATED',
          endedAt: e.data.endedAt,
          error: { message: e.data.reason, code: 'TERMINATED' },
        });
        break;
      default:
        break;
    }
  }

  private orderedOf(map: Map<string, Ordered>, key: string): Ordered {
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    return list;
  }

  private countsOf(tenantId: string) {
    let c = this.counts.get(tenantId);
    if (!c) this.counts.set(tenantId, (c = { running: 0, byDay: new Map() }));
    return c;
  }

  /** What tenant quotas count: executions not finished, and executions requested on a UTC day. */
  tenantCounts(tenantId: string, day: string): TenantCounts {
    const c = this.counts.get(tenantId);
    return { running: c?.running ?? 0, requestedOnDay: c?.byDay.get(day) ?? 0 };
  }

  private usageOf(id: string): TenantUsage {
    let u = this.usage.get(id);
    if (!u) this.usage.set(id, (u = { nodeRuns: 0, tokens: 0, costUsd: 0 }));
    return u;
  }

  /** Usage of a tenant's executions requested at or after `since` (ISO-8601). */
  tenantUsage(tenantId: string, since: string): TenantUsage {
    const total: TenantUsage = { nodeRuns: 0, tokens: 0, costUsd: 0 };
    for (const s of this.byId.values()) {
      if (s.tenantId !== tenantId || s.requestedAt < since) continue;
      const u = this.usage.get(s.id);
      if (!u) continue;
      total.nodeRuns += u.nodeRuns;
      total.tokens += u.tokens;
      total.costUsd += u.costUsd;
    }
    return total;
  }

  nonTerminalIds(): string[] {
    return [...this.byId.values()].filter((s) => !TERMINAL.has(s.status)).map((s) => s.id);
  }

  /**
   * Newest first, keyset-paginated on (requestedAt, id): a binary search finds where the page starts (cursor,
   * `to`) in the tenant's (or the graph's) ordered executions, then it walks back until the page is full or `from`
   * is passed. Cost: O(log n) plus the executions skipped by the status/trigger filters.
   */
  list(tenantId: string, filter: ListFilter): { items: ExecutionSummary[]; nextCursor?: string } {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
    const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
    const ordered =
      (filter.graphId === undefined
        ? this.byTenant.get(tenantId)
        : this.byGraph.get(`${tenantId}/${filter.graphId}`)) ?? [];
    // Start just before the cursor's key, and before `to` (exclusive).
    let end = after ? lowerBound(ordered, after[0], after[1]) : ordered.length;
    if (filter.to !== undefined) end = Math.min(end, lowerBound(ordered, filter.to, ''));
    const page: ExecutionSummary[] = [];
    let more = false;
    for (let i = end - 1; i >= 0; i--) {
      const s = ordered[i];
      if (filter.from !== undefined && s.requestedAt < filter.from) break;
      if (
        (filter.status !== undefined && s.status !== filter.status) ||
        (filter.trigger !== undefined && s.trigger !== filter.trigger)
      )
        continue;
      if (page.length === limit) {
        more = true;
        break;
      }
      page.push({ ...s });
    }
    const last = page[page.length - 1];
    return {
      items: page,
      nextCursor: more ? Buffer.from(JSON.stringify([last.requestedAt, last.id])).toString('base64url') : undefined,
    };
  }
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string')
      return [parsed[0], parsed[1]];
  } catch {
    // reported below
  }
  throw new DomainError('VALIDATION_FAILED', 'invalid cursor', { errors: { cursor: 'invalid' } });
}
