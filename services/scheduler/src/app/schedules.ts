import type { EventStore } from '@agentry/event-log';
import { DomainError, notFound, streamIdOf, type Clock, type EventEnvelope } from '@agentry/kernel';
import type { ReadStore } from '@agentry/read-store';
import { catchUpCategories } from '@agentry/runtime';
import { checkCron, decideDue, MISSED_RUN_POLICIES, type MissedRunPolicy } from '../domain/cron';
import { InMemoryScheduleList, type ScheduleList, type ScheduleSummary } from './schedule-list';
import { ReadStoreScheduleList } from './schedule-list-read-store';

export type { ScheduleSummary } from './schedule-list';

export interface ScheduleFire {
  tick: string;
  firedAt: string;
  executionId: string;
  status: 'requested' | 'skipped' | 'failed' | 'pending';
  reason: string;
}

export interface Schedule {
  id: string;
  tenantId: string;
  userId: string;
  name: string;
  graphId: string;
  graphVersion: number;
  cron: string;
  timezone: string;
  inputs: Record<string, unknown>;
  missedRunPolicy: MissedRunPolicy;
  paused: boolean;
  createdAt: string;
  resumedAt?: string;
  deleted: boolean;
  streamVersion: number;
  lastTick?: string;
  lastExecutionId?: string;
  fires: ScheduleFire[];
}

type Created = Pick<Schedule, 'id' | 'tenantId' | 'userId' | 'name' | 'graphId' | 'graphVersion' | 'cron' | 'timezone' | 'inputs' | 'createdAt'> & { missedRunPolicy?: MissedRunPolicy };
export type ScheduleEvent =
  | { type: 'ScheduleCreated'; data: Created }
  | { type: 'SchedulePaused'; data: { id: string; at: string } }
  | { type: 'ScheduleResumed'; data: { id: string; at: string } }
  | { type: 'ScheduleDeleted'; data: { id: string; deletedAt: string } }
  | { type: 'ScheduleFired'; data: { id: string; tick: string; firedAt: string; missed?: number; replica?: string } }
  | { type: 'ScheduleRunsSkipped'; data: { id: string; lastTick: string; missed: number; at: string } }
  | { type: 'ScheduleExecutionStarted'; data: { id: string; tick: string; executionId: string } }
  | { type: 'ScheduleFireFailed'; data: { id: string; tick: string; reason: string } };

const MAX_FIRES_KEPT = 100;

export interface SchedulesDeps {
  events: EventStore;
  clock: Clock;
  newId: () => string;
  replica?: string;
  lateGraceMs?: number;
  /**
   * Where the schedule list lives (issue #10): a read store (SQLite or MongoDB) holds it as a projection
   * (`ReadStoreScheduleList`); without one the list is a scan of the in-memory fold (`InMemoryScheduleList`).
   */
  readModels?: ReadStore;
  /** A list write that failed after its append (the list catches up from the log later). */
  onListError?: (err: unknown) => void;
}

/**
 * Schedules (cron + timezone). A fire is the append of ScheduleFired{tick} with an expected version,
 * so among several replicas exactly one wins each tick; only the winner requests the execution, and then
 * records ScheduleExecutionStarted{tick, executionId}, which links the fire to its execution.
 * The list is behind the `ScheduleList` port: the same map, or a read-store projection.
 */
export class Schedules {
  private readonly byId = new Map<string, Schedule>();
  private position = 0;
  private readonly scheduleList: ScheduleList;

  constructor(private readonly deps: SchedulesDeps) {
    this.scheduleList = deps.readModels ? new ReadStoreScheduleList(deps.events, deps.readModels) : new InMemoryScheduleList(() => this.byId.values());
  }

  async start(): Promise<void> {
    this.position = await catchUpCategories(this.deps.events, ['schedule'], 0, (page) => page.forEach((e) => this.apply(e)), 5000);
    await this.scheduleList.catchUp();
  }

  /** Catches the list up from its checkpoint (the service calls it periodically with a read store). */
  async catchUpList(): Promise<void> {
    await this.scheduleList.catchUp();
  }

  /** Waits for list writes in flight (the read store stays open: its opener closes it). */
  close(): Promise<void> {
    return this.scheduleList.close();
  }

  /** Admin (issue #6): folds every schedule again from the log and swaps the result in; returns the events folded. */
  async rebuild(): Promise<number> {
    const fresh = new Schedules({ ...this.deps, readModels: undefined });
    let count = 0;
    const end = await catchUpCategories(this.deps.events, ['schedule'], 0, (page) => {
      for (const e of page) fresh.apply(e);
      count += page.length;
    }, 5000);
    this.byId.clear();
    for (const [id, s] of fresh.byId) this.byId.set(id, s);
    this.position = end;
    await this.sync(); // what was appended while the fresh fold read the log
    await this.scheduleList.rebuild();
    return count;
  }

  /** Catches up with schedule events other replicas appended. */
  async sync(): Promise<void> {
    this.position = await catchUpCategories(this.deps.events, ['schedule'], this.position, async (page) => {
      for (const e of page) this.apply(e);
      await this.applyToList(page);
    });
  }

  async create(
    caller: { tenantId: string; userId: string },
    input: { graphId: string; graphVersion: number; cron: string; timezone: string; inputs: Record<string, unknown>; missedRunPolicy?: string; name?: string },
  ): Promise<Schedule> {
    const timezone = input.timezone || 'UTC';
    const errors = checkCron(input.cron, timezone);
    if (!input.graphId) errors.graphId = 'required';
    const missedRunPolicy = (input.missedRunPolicy || 'skip') as MissedRunPolicy;
    if (!MISSED_RUN_POLICIES.includes(missedRunPolicy)) errors.missedRunPolicy = `one of ${MISSED_RUN_POLICIES.join(', ')}`;
    if (Object.keys(errors).length) throw new DomainError('VALIDATION_FAILED', Object.values(errors).join('; '), { errors });
    const id = this.deps.newId();
    const data: Created = {
      id,
      tenantId: caller.tenantId,
      userId: caller.userId,
      name: input.name ?? '',
      graphId: input.graphId,
      graphVersion: input.graphVersion,
      cron: input.cron,
      timezone,
      inputs: input.inputs,
      missedRunPolicy,
      createdAt: this.deps.clock.now().toISOString(),
    };
    await this.append(caller.tenantId, id, 0, [{ type: 'ScheduleCreated', data }]);
    return this.byId.get(id)!;
  }

  /** A tenant's live schedules (or one graph's), oldest first (createdAt, then id). */
  list(tenantId: string, graphId?: string): Promise<ScheduleSummary[]> {
    return this.scheduleList.list(tenantId, graphId);
  }

  get(tenantId: string, id: string): Schedule {
    const s = this.byId.get(id);
    if (!s || s.tenantId !== tenantId || s.deleted) throw notFound('schedule', id);
    return s;
  }

  async pause(tenantId: string, id: string): Promise<Schedule> {
    const s = this.get(tenantId, id);
    if (!s.paused) await this.append(tenantId, id, s.streamVersion, [{ type: 'SchedulePaused', data: { id, at: this.now() } }]);
    return s;
  }

  /** Ticks that passed while paused are not fired (the schedule continues from now). */
  async resume(tenantId: string, id: string): Promise<Schedule> {
    const s = this.get(tenantId, id);
    if (s.paused) await this.append(tenantId, id, s.streamVersion, [{ type: 'ScheduleResumed', data: { id, at: this.now() } }]);
    return s;
  }

  async delete(tenantId: string, id: string): Promise<void> {
    const s = this.get(tenantId, id);
    await this.append(tenantId, id, s.streamVersion, [{ type: 'ScheduleDeleted', data: { id, deletedAt: this.now() } }]);
  }

  /** Claims every due tick; returns the schedules this replica won (and must start). Call on an interval. */
  async claimDue(now: Date): Promise<Array<{ schedule: Schedule; tick: string }>> {
    await this.sync();
    const won: Array<{ schedule: Schedule; tick: string }> = [];
    for (const s of this.byId.values()) {
      if (s.deleted || s.paused) continue;
      const since = new Date([s.lastTick, s.createdAt, s.resumedAt].filter((x): x is string => Boolean(x)).sort().pop()!);
      const decision = decideDue({ cron: s.cron, timezone: s.timezone, since, now, policy: s.missedRunPolicy, graceMs: this.deps.lateGraceMs ?? 60_000 });
      if (decision.kind === 'none') continue;
      const event: ScheduleEvent =
        decision.kind === 'fire'
          ? { type: 'ScheduleFired', data: { id: s.id, tick: decision.tick, firedAt: now.toISOString(), missed: decision.missed, replica: this.deps.replica } }
          : { type: 'ScheduleRunsSkipped', data: { id: s.id, lastTick: decision.lastTick, missed: decision.missed, at: now.toISOString() } };
      try {
        await this.append(s.tenantId, s.id, s.streamVersion, [event]);
        if (decision.kind === 'fire') won.push({ schedule: s, tick: decision.tick });
      } catch (err) {
        if (!(err instanceof DomainError) || err.code !== 'VERSION_CONFLICT') throw err;
        const theirs = await this.deps.events.readStream(streamIdOf('schedule', s.id), { fromVersion: s.streamVersion + 1 });
        for (const e of theirs) this.apply(e);
        await this.applyToList(theirs);
      }
    }
    return won;
  }

  async recordStarted(s: Schedule, tick: string, executionId: string): Promise<void> {
    await this.append(s.tenantId, s.id, 'any', [{ type: 'ScheduleExecutionStarted', data: { id: s.id, tick, executionId } }]);
  }

  async recordFailed(s: Schedule, tick: string, reason: string): Promise<void> {
    await this.append(s.tenantId, s.id, 'any', [{ type: 'ScheduleFireFailed', data: { id: s.id, tick, reason } }]);
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  private async append(tenantId: string, id: string, expectedVersion: number | 'any', events: ScheduleEvent[]): Promise<void> {
    const result = await this.deps.events.append(streamIdOf('schedule', id), events, { expectedVersion, tenantId });
    for (const e of result.events) this.apply(e);
    await this.applyToList(result.events); // a list right after the write sees it
  }

  /**
   * The write is in the log already: a list that cannot take it now (read store unreachable) must not fail the
   * command; the next catch-up (follow, restart) folds it from the log.
   */
  private async applyToList(events: EventEnvelope[]): Promise<void> {
    if (events.length === 0) return;
    try {
      await this.scheduleList.apply(events);
    } catch (err) {
      this.deps.onListError?.(err);
    }
  }

  /** Folds one event (own appends included; they do not move `position`: another replica's may come before them). */
  private apply(envelope: EventEnvelope): void {
    const event = { type: envelope.type, data: envelope.data } as ScheduleEvent;
    const id = envelope.streamId.slice('schedule-'.length);
    const s = this.byId.get(id);
    if (s && envelope.streamVersion <= s.streamVersion) return;
    if (event.type === 'ScheduleCreated') {
      this.byId.set(id, { missedRunPolicy: 'skip', ...event.data, paused: false, deleted: false, streamVersion: envelope.streamVersion, fires: [] });
      return;
    }
    if (!s) return;
    s.streamVersion = envelope.streamVersion;
    const fireOf = (tick: string) => s.fires.find((f) => f.tick === tick);
    switch (event.type) {
      case 'SchedulePaused':
        s.paused = true;
        break;
      case 'ScheduleResumed':
        s.paused = false;
        s.resumedAt = event.data.at;
        break;
      case 'ScheduleDeleted':
        s.deleted = true;
        break;
      case 'ScheduleFired':
        s.lastTick = event.data.tick;
        s.fires.push({ tick: event.data.tick, firedAt: event.data.firedAt, executionId: '', status: 'pending', reason: event.data.missed ? `${event.data.missed} missed run(s) folded into this one` : '' });
        break;
      case 'ScheduleRunsSkipped':
        s.lastTick = event.data.lastTick;
        s.fires.push({ tick: event.data.lastTick, firedAt: event.data.at, executionId: '', status: 'skipped', reason: `${event.data.missed} run(s) missed while no scheduler was running` });
        break;
      case 'ScheduleExecutionStarted': {
        const f = fireOf(event.data.tick);
        if (f) Object.assign(f, { executionId: event.data.executionId, status: 'requested' });
        s.lastExecutionId = event.data.executionId;
        break;
      }
      case 'ScheduleFireFailed': {
        const f = fireOf(event.data.tick);
        if (f) Object.assign(f, { status: 'failed', reason: event.data.reason });
        break;
      }
      default: {
        const never: never = event;
        void never;
      }
    }
    if (s.fires.length > MAX_FIRES_KEPT) s.fires.splice(0, s.fires.length - MAX_FIRES_KEPT);
  }
}
