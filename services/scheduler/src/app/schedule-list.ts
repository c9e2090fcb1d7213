import type { EventEnvelope } from '@agentry/kernel';
import type { Schedule } from './schedules';

/** What the schedule list answers of each schedule (what ListSchedules returns). */
export type ScheduleSummary = Pick<
  Schedule,
  | 'id'
  | 'tenantId'
  | 'userId'
  | 'name'
  | 'graphId'
  | 'graphVersion'
  | 'cron'
  | 'timezone'
  | 'inputs'
  | 'missedRunPolicy'
  | 'paused'
  | 'createdAt'
  | 'lastTick'
  | 'lastExecutionId'
>;

/**
 * The schedule list port: a tenant's live schedules (all of them, or one graph's), oldest first (createdAt, then id).
 * A read model of the `schedule` category. Adapters: `InMemoryScheduleList` (the default: a view of the scheduler's
 * own fold) and `ReadStoreScheduleList` (libs/read-store: SQLite or MongoDB, AGENTRY_READ_STORE).
 */
export interface ScheduleList {
  /** Folds what the log holds beyond what the list has seen (start, and writes of other replicas). */
  catchUp(): Promise<void>;
  /** Events just appended or read from the log; applying the same events again changes nothing. */
  apply(events: EventEnvelope[]): Promise<void>;
  list(tenantId: string, graphId?: string): Promise<ScheduleSummary[]>;
  /** Admin rebuild: folds the whole log again. */
  rebuild(): Promise<void>;
  /** Waits for writes in flight (a read store is closed by whoever opened it). */
  close(): Promise<void>;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
export const scheduleOrder = (a: ScheduleSummary, b: ScheduleSummary) =>
  cmp(a.createdAt, b.createdAt) || cmp(a.id, b.id);

/** The list straight from the scheduler's in-memory fold (a scan). Nothing to catch up: the fold is its source. */
export class InMemoryScheduleList implements ScheduleList {
  constructor(private readonly schedules: () => Iterable<Schedule>) {}

  async catchUp(): Promise<void> {}
  async apply(): Promise<void> {}
  async rebuild(): Promise<void> {}
  async close(): Promise<void> {}

  async list(tenantId: string, graphId?: string): Promise<ScheduleSummary[]> {
    const rows: Schedule[] = [];
    for (const s of this.schedules())
      if (s.tenantId === tenantId && !s.deleted && (!graphId || s.graphId === graphId)) rows.push(s);
    return rows.sort(scheduleOrder);
  }
}
