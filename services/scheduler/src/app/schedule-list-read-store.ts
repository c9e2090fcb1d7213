import type { EventStore } from '@agentry/event-log';
import type { EventEnvelope } from '@agentry/kernel';
import { ReadModelProjection, type ProjectionSpec, type ReadStore } from '@agentry/read-store';
import type { MissedRunPolicy } from '../domain/cron';
import type { ScheduleList, ScheduleSummary } from './schedule-list';
import type { ScheduleEvent } from './schedules';

/** One live schedule as a read-store document (scalars only: `inputs` as JSON, absent values null). */
export type ScheduleDoc = {
  userId: string;
  name: string;
  graphId: string;
  graphVersion: number;
  cron: string;
  timezone: string;
  /** JSON of the execution inputs. */
  inputs: string;
  missedRunPolicy: string;
  paused: boolean;
  createdAt: string;
  lastTick: string | null;
  lastExecutionId: string | null;
};

/**
 * One document per live schedule, written at the position of the last event that changed it; a deleted schedule is
 * removed (tombstone). Indexes (tenant implied first): `graphId, createdAt` (one graph's schedules) and `createdAt`
 * (all of the tenant's), both in creation order.
 */
export const SCHEDULE_SUMMARIES: ProjectionSpec<ScheduleDoc> = {
  name: 'schedule-summaries-v1',
  categories: ['schedule'],
  collection: { name: 'schedule_summaries', indexes: [['graphId', 'createdAt'], ['createdAt']] },
  fold(current, envelope: EventEnvelope) {
    const e = { type: envelope.type, data: envelope.data } as ScheduleEvent;
    if (e.type === 'ScheduleCreated') {
      if (current) return undefined;
      const d = e.data;
      return {
        userId: d.userId,
        name: d.name,
        graphId: d.graphId,
        graphVersion: d.graphVersion,
        cron: d.cron,
        timezone: d.timezone,
        inputs: JSON.stringify(d.inputs ?? {}),
        missedRunPolicy: d.missedRunPolicy ?? 'skip',
        paused: false,
        createdAt: d.createdAt,
        lastTick: null,
        lastExecutionId: null,
      };
    }
    if (!current) return undefined;
    switch (e.type) {
      case 'SchedulePaused':
        return current.paused ? undefined : { ...current, paused: true };
      case 'ScheduleResumed':
        return current.paused ? { ...current, paused: false } : undefined;
      case 'ScheduleDeleted':
        return null;
      case 'ScheduleFired':
        return { ...current, lastTick: e.data.tick };
      case 'ScheduleRunsSkipped':
        return { ...current, lastTick: e.data.lastTick };
      case 'ScheduleExecutionStarted':
        return { ...current, lastExecutionId: e.data.executionId };
      default:
        return undefined;
    }
  },
};

/** ListSchedules has no paging: at most this many schedules of one tenant (or graph) are answered. */
export const MAX_LISTED = 10_000;

function toSummary(tenantId: string, id: string, d: ScheduleDoc): ScheduleSummary {
  const s: ScheduleSummary = {
    id,
    tenantId,
    userId: d.userId,
    name: d.name,
    graphId: d.graphId,
    graphVersion: d.graphVersion,
    cron: d.cron,
    timezone: d.timezone,
    inputs: JSON.parse(d.inputs) as Record<string, unknown>,
    missedRunPolicy: d.missedRunPolicy as MissedRunPolicy,
    paused: d.paused,
    createdAt: d.createdAt,
  };
  if (d.lastTick !== null) s.lastTick = d.lastTick;
  if (d.lastExecutionId !== null) s.lastExecutionId = d.lastExecutionId;
  return s;
}

/**
 * The schedule list as a libs/read-store projection (SQLite or MongoDB through mongoose): the scheduler applies its
 * own appends and the events it syncs from the log right away, catches up from the projection's checkpoint on start
 * and periodically. ListSchedules has no paging, so `list` reads every page (at most MAX_LISTED schedules).
 */
export class ReadStoreScheduleList implements ScheduleList {
  private readonly projection: ReadModelProjection<ScheduleDoc>;

  constructor(events: EventStore, store: ReadStore) {
    this.projection = new ReadModelProjection(events, store, SCHEDULE_SUMMARIES);
  }

  async catchUp(): Promise<void> {
    await this.projection.catchUp();
  }

  apply(events: EventEnvelope[]): Promise<void> {
    return this.projection.apply(events);
  }

  /** Folds the whole log again through the guarded writes: missing documents come back, current ones stay. */
  async rebuild(): Promise<void> {
    await this.projection.rebuild();
  }

  async list(tenantId: string, graphId?: string): Promise<ScheduleSummary[]> {
    const docs = await this.projection.listAll(
      { tenantId, where: graphId ? { graphId } : undefined, orderBy: { field: 'createdAt', direction: 'asc' } },
      MAX_LISTED,
    );
    return docs.map((d) => toSummary(tenantId, d.id, d.data));
  }

  close(): Promise<void> {
    return this.projection.idle();
  }
}
