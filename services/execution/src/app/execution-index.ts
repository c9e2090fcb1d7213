import type { EventStore } from '@agentry/event-log';
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

/**
 * In-memory summaries of every execution, built once from the log (category 'execution') and kept up to
 * date by the engine after each append. A read model: rebuildable, never the source of truth.
 */
export class ExecutionIndex {
  private readonly byId = new Map<string, ExecutionSummary>();
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
  apply(executionId: string, state: ExecutionState, events: ExecutionEvent[]): void {
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
      this.byId.set(id, {
        id,
        tenantId: d.tenantId,
        userId: d.userId,
        graphId: d.graphId,
        graphVersion: d.graphVersion,
        status: 'RUNNING',
        trigger: d.trigger,
        requestedAt: d.requestedAt,
        parentExecutionId: d.parentExecutionId,
      });
      return;
    }
    const s = this.byId.get(id);
    if (!s) return;
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

  list(tenantId: string, filter: ListFilter): { items: ExecutionSummary[]; nextCursor?: string } {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
    const after = filter.cursor
      ? (JSON.parse(Buffer.from(filter.cursor, 'base64url').toString('utf8')) as [string, string])
      : undefined;
    const items = [...this.byId.values()]
      .filter(
        (s) =>
          s.tenantId === tenantId &&
          (filter.graphId === undefined || s.graphId === filter.graphId) &&
          (filter.status === undefined || s.status === filter.status) &&
          (filter.trigger === undefined || s.trigger === filter.trigger) &&
          (filter.from === undefined || s.requestedAt >= filter.from) &&
          (filter.to === undefined || s.requestedAt < filter.to),
      )
      // newest first; ties broken by id so the cursor is stable
      .sort((a, b) =>
        a.requestedAt === b.requestedAt ? (a.id < b.id ? 1 : -1) : a.requestedAt < b.requestedAt ? 1 : -1,
      )
      .filter((s) => !after || s.requestedAt < after[0] || (s.requestedAt === after[0] && s.id < after[1]));
    const page = items.slice(0, limit).map((s) => ({ ...s }));
    const last = page[page.length - 1];
    return {
      items: page,
      nextCursor:
        items.length > limit
          ? Buffer.from(JSON.stringify([last.requestedAt, last.id])).toString('base64url')
          : undefined,
    };
  }
}
