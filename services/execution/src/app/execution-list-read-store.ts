import type { EventStore } from '@agentry/event-log';
import type { ListQuery, ReadCollection, ReadStore } from '@agentry/read-store';
import type { ExecutionEvent } from '../domain/execution/events';
import type { ExecutionSummary } from '../domain/execution/view';
import type { ExecutionList, ExecutionListPage, ListFilter, TenantCounts, TenantUsage } from './execution-index';
import { KeyedMutex } from './keyed-mutex';

/** One execution's summary as a read-store document (scalar fields only; absent values are null). */
type SummaryDoc = {
  userId: string;
  graphId: string;
  graphVersion: number;
  status: string;
  trigger: string;
  requestedAt: string;
  /** requestedAt's UTC day (YYYY-MM-DD): the executionsPerDay quota counts on it. */
  requestedDay: string;
  startedAt: string | null;
  endedAt: string | null;
  parentExecutionId: string | null;
  errorMessage: string | null;
  errorCode: string | null;
  nodeRuns: number;
  tokens: number;
  costUsd: number;
};

/** Executions not finished, of every tenant (recovery), under one system key: removed (tombstone) when they end. */
type OpenDoc = { tenantId: string; requestedAt: string };
const SYSTEM_TENANT = '~system';

const PAGE = 5000;
const SCAN_PAGE = 500;
const TERMINAL = new Set(['COMPLETED', 'FAILED', 'TERMINATED']);

/**
 * Every list query of `ExecutionList.list` (equality filters in any order, then requestedAt), and the counters:
 * status (not finished) and requestedDay (requested per UTC day). Tenant is the implied first key of each.
 */
const EQUALITIES: Array<Array<keyof SummaryDoc & string>> = [[], ['graphId'], ['status'], ['trigger'], ['graphId', 'status'], ['graphId', 'trigger'], ['status', 'trigger'], ['graphId', 'status', 'trigger']];
export const EXECUTION_SUMMARIES = {
  name: 'execution_summaries',
  indexes: [...EQUALITIES.map((eq) => [...eq, 'requestedAt'] as Array<keyof SummaryDoc & string>), ['requestedDay', 'requestedAt']] as Array<Array<keyof SummaryDoc & string>>,
};
const OPEN = { name: 'execution_open', indexes: [] };
const CHECKPOINT = { name: 'execution_list_checkpoint', indexes: [] };

/** The document an event folds into (undefined: it does not change the summary). */
function fold(doc: SummaryDoc | undefined, e: ExecutionEvent): SummaryDoc | undefined {
  if (e.type === 'ExecutionRequested') {
    if (doc) return undefined;
    const d = e.data;
    return {
      userId: d.userId,
      graphId: d.graphId,
      graphVersion: d.graphVersion,
      status: 'RUNNING',
      trigger: d.trigger,
      requestedAt: d.requestedAt,
      requestedDay: d.requestedAt.slice(0, 10),
      startedAt: null,
      endedAt: null,
      parentExecutionId: d.parentExecutionId ?? null,
      errorMessage: null,
      errorCode: null,
      nodeRuns: 0,
      tokens: 0,
      costUsd: 0,
    };
  }
  if (!doc) return undefined;
  switch (e.type) {
    case 'NodeExecutionQueued':
    case 'NodeRetryScheduled':
      return { ...doc, nodeRuns: doc.nodeRuns + 1 };
    case 'NodeUsageRecorded':
      return {
        ...doc,
        tokens: doc.tokens + (e.data.usage.inputTokens ?? 0) + (e.data.usage.outputTokens ?? 0),
        costUsd: doc.costUsd + (e.data.usage.costUsd ?? 0),
      };
    case 'ExecutionStarted':
      return { ...doc, startedAt: e.data.startedAt };
    case 'ExecutionCompleted':
      return { ...doc, status: 'COMPLETED', endedAt: e.data.endedAt };
    case 'ExecutionFailed':
      return { ...doc, status: 'FAILED', endedAt: e.data.endedAt, errorMessage: e.data.reason, errorCode: e.data.code ?? null };
    case 'ExecutionTerminated':
      return { ...doc, status: 'TERMINATED', endedAt: e.data.endedAt, errorMessage: e.data.reason, errorCode: 'TERMINATED' };
    default:
      return undefined;
  }
}

function toSummary(tenantId: string, id: string, d: SummaryDoc): ExecutionSummary {
  const s: ExecutionSummary = {
    id,
    tenantId,
    userId: d.userId,
    graphId: d.graphId,
    graphVersion: d.graphVersion,
    status: d.status as ExecutionSummary['status'],
    trigger: d.trigger as ExecutionSummary['trigger'],
    requestedAt: d.requestedAt,
    parentExecutionId: d.parentExecutionId ?? undefined,
  };
  if (d.startedAt !== null) s.startedAt = d.startedAt;
  if (d.endedAt !== null) s.endedAt = d.endedAt;
  if (d.errorMessage !== null) s.error = d.errorCode === null ? { message: d.errorMessage } : { message: d.errorMessage, code: d.errorCode };
  return s;
}

interface Collections {
  summaries: ReadCollection<SummaryDoc>;
  open: ReadCollection<OpenDoc>;
  checkpoint: ReadCollection<{ position: number }>;
}

/**
 * The execution list as a projection into libs/read-store (SQLite or MongoDB): one summary document per execution,
 * upserted with the global position of the event that changed it, so a redelivered or replayed event is a no-op.
 * The engine applies each append right after it (the quota counters see a start before it returns); a start-up
 * folds the log from the checkpoint the previous build reached (0 for a fresh store), which also repairs
 * appends whose apply a crash lost. Writes of one execution are serialised (read, fold, guarded upsert).
 */
export class ReadStoreExecutionList implements ExecutionList {
  private opened?: Promise<Collections>;
  private building?: Promise<void>;
  private readonly mutex = new KeyedMutex();
  /** Tenant of each execution seen (events other than ExecutionRequested do not carry it in their data). */
  private readonly tenantOf = new Map<string, string>();

  constructor(
    private readonly events: EventStore,
    private readonly store: ReadStore,
  ) {}

  private collections(): Promise<Collections> {
    this.opened ??= (async () => ({
      summaries: await this.store.collection<SummaryDoc>(EXECUTION_SUMMARIES),
      open: await this.store.collection<OpenDoc>(OPEN),
      checkpoint: await this.store.collection<{ position: number }>(CHECKPOINT),
    }))();
    return this.opened;
  }

  ensureBuilt(): Promise<void> {
    this.building ??= this.build();
    return this.building;
  }

  private async build(): Promise<void> {
    const c = await this.collections();
    let after = (await c.checkpoint.get(SYSTEM_TENANT, 'build'))?.data.position ?? 0;
    for (;;) {
      const page = await this.events.readAll({ after, limit: PAGE, categories: ['execution'] });
      // consecutive events of one stream (one append) fold into one write
      for (let i = 0; i < page.length; ) {
        let j = i + 1;
        while (j < page.length && page[j].streamId === page[i].streamId) j++;
        const run = page.slice(i, j);
        const id = page[i].streamId.slice('execution-'.length);
        try {
          await this.applyMany(c, page[i].tenantId, id, run.map((env) => ({ type: env.type, data: env.data }) as ExecutionEvent), run.map((env) => env.globalPosition));
        } catch (err) {
          // A corrupt event: the stream's own rebuild reports it; the list skips it. Store failures propagate.
          if (!(err instanceof TypeError)) throw err;
        }
        i = j;
      }
      if (page.length > 0) after = page[page.length - 1].globalPosition;
      if (page.length < PAGE) break;
    }
    await c.checkpoint.upsert(SYSTEM_TENANT, 'build', { position: after }, after);
  }

  async apply(executionId: string, _state: unknown, events: ExecutionEvent[], positions: number[]): Promise<void> {
    const c = await this.collections();
    const requested = events.find((e) => e.type === 'ExecutionRequested');
    const tenantId = requested?.type === 'ExecutionRequested' ? requested.data.tenantId : await this.tenantOfExecution(c, executionId);
    if (tenantId === undefined) return; // not known yet: the build reads it from the start
    await this.applyMany(c, tenantId, executionId, events, positions);
  }

  private async tenantOfExecution(c: Collections, executionId: string): Promise<string | undefined> {
    const known = this.tenantOf.get(executionId);
    if (known !== undefined) return known;
    // an execution not finished is in the open collection with its tenant; a finished one (rare) in its stream
    const tenantId = (await c.open.get(SYSTEM_TENANT, executionId))?.data.tenantId ?? (await this.events.readStream(`execution-${executionId}`))[0]?.tenantId;
    if (tenantId === undefined || !(await c.summaries.get(tenantId, executionId))) return undefined;
    return tenantId;
  }

  /**
   * Folds events of one execution (in stream order) into its summary and writes it once, at the position of the
   * last event that changed it; events at or before the stored position are skipped (already applied).
   */
  private applyMany(c: Collections, tenantId: string, id: string, events: ExecutionEvent[], positions: number[]): Promise<void> {
    return this.mutex.run(id, async () => {
      const stored = await c.summaries.get(tenantId, id);
      let doc = stored?.data;
      let at = stored?.position ?? 0;
      let changed = false;
      for (let i = 0; i < events.length; i++) {
        if (positions[i] <= at) continue; // redelivered or replayed
        const next = fold(doc, events[i]);
        if (!next) continue;
        doc = next;
        at = positions[i];
        changed = true;
      }
      if (!changed || !doc) return;
      const ended = TERMINAL.has(doc.status);
      // open first, summary next: a crash in between leaves the summary behind, and the next build writes it
      if (!stored && !ended) await c.open.upsert(SYSTEM_TENANT, id, { tenantId, requestedAt: doc.requestedAt }, at);
      await c.summaries.upsert(tenantId, id, doc, at);
      if (ended) {
        // (a crash before this leaves a finished execution in `open`: recovery finds nothing to resume in it)
        if (stored && !TERMINAL.has(stored.data.status)) await c.open.remove(SYSTEM_TENANT, id, at);
        this.tenantOf.delete(id);
      } else this.tenantOf.set(id, tenantId);
    });
  }

  async tenantCounts(tenantId: string, day: string): Promise<TenantCounts> {
    const { summaries } = await this.collections();
    const [running, requestedOnDay] = await Promise.all([
      summaries.count({ tenantId, where: { status: 'RUNNING' } }),
      summaries.count({ tenantId, where: { requestedDay: day } }),
    ]);
    return { running, requestedOnDay };
  }

  /** Sums the tenant's executions requested since `since`, page by page (only with a tenant budget configured). */
  async tenantUsage(tenantId: string, since: string): Promise<TenantUsage> {
    const { summaries } = await this.collections();
    const total: TenantUsage = { nodeRuns: 0, tokens: 0, costUsd: 0 };
    let cursor: string | undefined;
    do {
      const page = await summaries.list({ tenantId, orderBy: { field: 'requestedAt' }, range: { gte: since }, limit: SCAN_PAGE, cursor });
      for (const d of page.items) {
        total.nodeRuns += d.data.nodeRuns;
        total.tokens += d.data.tokens;
        total.costUsd += d.data.costUsd;
      }
      cursor = page.nextCursor;
    } while (cursor);
    return total;
  }

  async nonTerminalIds(): Promise<string[]> {
    const { open } = await this.collections();
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await open.list({ tenantId: SYSTEM_TENANT, limit: SCAN_PAGE, cursor });
      ids.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor);
    return ids;
  }

  async list(tenantId: string, filter: ListFilter): Promise<ExecutionListPage> {
    const { summaries } = await this.collections();
    const where: ListQuery<SummaryDoc>['where'] = {};
    if (filter.graphId !== undefined) where.graphId = filter.graphId;
    if (filter.status !== undefined) where.status = filter.status;
    if (filter.trigger !== undefined) where.trigger = filter.trigger;
    const range: ListQuery<SummaryDoc>['range'] = {};
    if (filter.from !== undefined) range.gte = filter.from;
    if (filter.to !== undefined) range.lt = filter.to;
    const page = await summaries.list({
      tenantId,
      where,
      orderBy: { field: 'requestedAt', direction: 'desc' },
      range,
      limit: Math.min(Math.max(filter.limit ?? 50, 1), 500),
      cursor: filter.cursor,
    });
    return { items: page.items.map((d) => toSummary(tenantId, d.id, d.data)), nextCursor: page.nextCursor };
  }

  /** Waits for writes in flight; the store stays open (its opener closes it). */
  async close(): Promise<void> {
    await this.building?.catch(() => undefined);
    await this.mutex.idle();
  }
}
