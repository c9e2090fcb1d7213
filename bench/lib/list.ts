/**
 * `GET /api/v1/executions` at scale: 100,000 executions (ExecutionRequested/Started/ended events, real durable
 * SQLite log) across 2 tenants, 20 graphs, 3 triggers and 3 end states over 30 days, then the engine's
 * ListExecutions (what the gRPC/REST route calls) page by page with filters. In process: seeding 100k executions
 * through REST would take minutes; the route adds the same HTTP + gRPC cost to every page.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createRegistry } from '@agentry/blocks';
import { createSqliteEventLog } from '@agentry/event-log';
import { DomainError } from '@agentry/kernel';
import { createExecutionEngine, type ListFilter } from '@agentry/svc-execution/src/app/engine';
import { percentile, progress } from './util';

const TENANT = 'bench-list-tenant';
const GRAPHS = Array.from({ length: 20 }, (_, i) => `graph-${i}`);
const TRIGGERS = ['manual', 'api', 'schedule'] as const;
const ENDS = ['ExecutionCompleted', 'ExecutionCompleted', 'ExecutionCompleted', 'ExecutionFailed', 'ExecutionTerminated'] as const;

export interface ListResult {
  executions: number;
  seedMs: number;
  indexBuildMs: number;
  /** p50 / p99 of one page of 50, by query. */
  pages: Array<{ query: string; p50Ms: number; p99Ms: number; pages: number }>;
}

export async function listScenario(opts: { executions: number; pagesPerQuery: number }): Promise<ListResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-bench-list-'));
  const log = createSqliteEventLog({ path: path.join(dir, 'agentry.db') });
  try {
    const t0 = performance.now();
    const day0 = Date.parse('2026-10-01T00:00:00.000Z');
    const spanMs = 30 * 24 * 3600 * 1000;
    const batch: Promise<unknown>[] = [];
    for (let i = 0; i < opts.executions; i++) {
      const id = randomUUID();
      const tenantId = i % 10 === 0 ? 'bench-other-tenant' : TENANT;
      const requestedAt = new Date(day0 + Math.floor((i / opts.executions) * spanMs)).toISOString();
      const endedAt = new Date(Date.parse(requestedAt) + 1000).toISOString();
      const end = ENDS[i % ENDS.length];
      batch.push(
        log.events.append(
          `execution-${id}`,
          [
            {
              type: 'ExecutionRequested',
              data: { executionId: id, tenantId, userId: 'bench', graphId: GRAPHS[i % GRAPHS.length], graphVersion: 1, inputs: {}, trigger: TRIGGERS[i % TRIGGERS.length], budget: {}, autoApproveReviews: false, plan: { nodes: [], links: [] }, requestedAt },
            },
            { type: 'ExecutionStarted', data: { startedAt: requestedAt } },
            { type: end, data: end === 'ExecutionCompleted' ? { endedAt } : { endedAt, reason: 'bench', code: end === 'ExecutionFailed' ? 'NODE_FAILED' : 'TERMINATED' } },
          ],
          { expectedVersion: 0, tenantId },
        ),
      );
      // Appends issued in one tick share one commit (group commit): seed in chunks.
      if (batch.length === 2000) await Promise.all(batch.splice(0));
    }
    await Promise.all(batch);
    const seedMs = performance.now() - t0;
    progress(`  list: ${opts.executions.toLocaleString('en-US')} executions seeded in ${seedMs.toFixed(0)} ms`);

    const engine = createExecutionEngine({
      events: log.events,
      queue: log.queue,
      graphs: { get: async () => Promise.reject(new DomainError('NOT_FOUND', 'no graphs in this scenario')) },
      blocks: createRegistry(),
      clock: { now: () => new Date() },
      newId: randomUUID,
      options: { logger: { warn: () => {}, error: () => {} } },
    });
    const t1 = performance.now();
    await engine.recover(); // builds the index from the log
    const indexBuildMs = performance.now() - t1;

    const queries: Array<[string, ListFilter]> = [
      ['no filter', {}],
      ['graphId', { graphId: 'graph-7' }],
      ['status=FAILED', { status: 'FAILED' }],
      ['trigger=schedule', { trigger: 'schedule' }],
      ['time range (1 day)', { from: '2026-10-15T00:00:00.000Z', to: '2026-10-16T00:00:00.000Z' }],
      ['graphId + status + trigger + range', { graphId: 'graph-3', status: 'FAILED', trigger: 'api', from: '2026-10-05T00:00:00.000Z', to: '2026-10-25T00:00:00.000Z' }],
      // Worst case: a filter nothing matches walks the whole range of the graph (5,000 executions).
      ['no match (walks a graph range)', { graphId: 'graph-3', status: 'COMPLETED', from: '2026-10-05T00:00:00.000Z', to: '2026-10-25T00:00:00.000Z' }],
    ];
    const pages: ListResult['pages'] = [];
    for (const [query, filter] of queries) {
      const times: number[] = [];
      for (let round = 0; round < 3; round++) {
        let cursor: string | undefined;
        for (let p = 0; p < opts.pagesPerQuery; p++) {
          const s = performance.now();
          const page = await engine.list(TENANT, { ...filter, cursor, limit: 50 });
          times.push(performance.now() - s);
          cursor = page.nextCursor;
          if (!cursor) break;
        }
      }
      pages.push({ query, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), pages: times.length });
      progress(`  list: ${query}: page of 50 p50 ${percentile(times, 50).toFixed(3)} ms, p99 ${percentile(times, 99).toFixed(3)} ms (${times.length} pages)`);
    }
    await engine.close();
    return { executions: opts.executions, seedMs, indexBuildMs, pages };
  } finally {
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
