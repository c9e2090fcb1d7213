import { Cron } from 'croner';
import type { EventStore } from '@agentry/event-log';
import { DomainError, notFound, streamIdOf, type Clock, type EventEnvelope } from '@agentry/kernel';
import { replayCategories } from '@agentry/runtime';

export interface Schedule {
  id: string;
  tenantId: string;
  userId: string;
  graphId: string;
  graphVersion: number;
  cron: string;
  timezone: string;
  inputs: Record<string, unknown>;
  paused: boolean;
  createdAt: string;
  deleted: boolean;
  streamVersion: number;
  lastFiredFor?: string;
}

type ScheduleEvent =
  | { type: 'ScheduleCreated'; data: Omit<Schedule, 'paused' | 'deleted' | 'streamVersion' | 'lastFiredFor'> }
  | { type: 'ScheduleDeleted'; data: { id: string; deletedAt: string } }
  | { type: 'ScheduleFired'; data: { id: string; tick: string; firedAt: string } };

export function previewRuns(cron: string, timezone: string, count: number, from?: Date): string[] {
  const job = new Cron(cron, { timezone, paused: true });
  return job.nextRuns(count, from ?? new Date()).map((d) => d.toISOString());
}

/** Validates cron + timezone; a bad one is refused with the reason. */
export function checkCron(cron: string, timezone: string): Record<string, string> {
  const errors: Record<string, string> = {};
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    errors.timezone = `unknown time zone '${timezone}'`;
  }
  try {
    new Cron(cron, { paused: true });
  } catch (err) {
    errors.cron = `invalid cron expression: ${(err as Error).message}`;
  }
  return errors;
}

/**
 * Schedules (cron + timezone). A fire is the append of ScheduleFired{tick} with an expected version,
 * so among several replicas exactly one wins each tick; only the winner requests the execution.
 */
export class Schedules {
  private readonly byId = new Map<string, Schedule>();

  constructor(private readonly deps: { events: EventStore; clock: Clock; newId: () => string }) {}

  async start(): Promise<void> {
    await replayCategories(this.deps.events, ['schedule'], (e) => this.apply(e));
  }

  async create(caller: { tenantId: string; userId: string }, input: { graphId: string; graphVersion: number; cron: string; timezone: string; inputs: Record<string, unknown> }): Promise<Schedule> {
    const timezone = input.timezone || 'UTC';
    const errors = checkCron(input.cron, timezone);
    if (!input.graphId) errors.graphId = 'required';
    if (Object.keys(errors).length) throw new DomainError('VALIDATION_FAILED', Object.values(errors).join('; '), { errors });
    const id = this.deps.newId();
    const data = { id, tenantId: caller.tenantId, userId: caller.userId, graphId: input.graphId, graphVersion: input.graphVersion, cron: input.cron, timezone, inputs: input.inputs, createdAt: this.deps.clock.now().toISOString() };
    await this.append(caller.tenantId, id, 0, [{ type: 'ScheduleCreated', data }]);
    return this.byId.get(id)!;
  }

  list(tenantId: string, graphId?: string): Schedule[] {
    return [...this.byId.values()].filter((s) => s.tenantId === tenantId && !s.deleted && (!graphId || s.graphId === graphId));
  }

  async delete(tenantId: string, id: string): Promise<void> {
    const s = this.get(tenantId, id);
    await this.append(tenantId, id, s.streamVersion, [{ type: 'ScheduleDeleted', data: { id, deletedAt: this.deps.clock.now().toISOString() } }]);
  }

  get(tenantId: string, id: string): Schedule {
    const s = this.byId.get(id);
    if (!s || s.tenantId !== tenantId || s.deleted) throw notFound('schedule', id);
    return s;
  }

  /** Claims every due tick; returns the schedules this replica won. Call on an interval. */
  async claimDue(now: Date): Promise<Array<{ schedule: Schedule; tick: string }>> {
    const won: Array<{ schedule: Schedule; tick: string }> = [];
    for (const s of this.byId.values()) {
      if (s.deleted || s.paused) continue;
      const tick = new Cron(s.cron, { timezone: s.timezone, paused: true }).previousRuns(1, now)[0]?.toISOString();
      if (!tick || tick <= s.createdAt || tick === s.lastFiredFor) continue;
      try {
        await this.append(s.tenantId, s.id, s.streamVersion, [{ type: 'ScheduleFired', data: { id: s.id, tick, firedAt: now.toISOString() } }]);
        won.push({ schedule: s, tick });
      } catch (err) {
        if (!(err instanceof DomainError) || err.code !== 'VERSION_CONFLICT') throw err;
        for (const e of await this.deps.events.readStream(streamIdOf('schedule', s.id), { fromVersion: s.streamVersion + 1 })) this.apply(e);
      }
    }
    return won;
  }

  private async append(tenantId: string, id: string, expectedVersion: number, events: ScheduleEvent[]): Promise<void> {
    const result = await this.deps.events.append(streamIdOf('schedule', id), events, { expectedVersion, tenantId });
    for (const e of result.events) this.apply(e);
  }

  private apply(envelope: EventEnvelope): void {
    const event = { type: envelope.type, data: envelope.data } as ScheduleEvent;
    const id = envelope.streamId.slice('schedule-'.length);
    const current = this.byId.get(id);
    if (current && envelope.streamVersion <= current.streamVersion) return;
    switch (event.type) {
      case 'ScheduleCreated':
        this.byId.set(id, { ...event.data, paused: false, deleted: false, streamVersion: envelope.streamVersion });
        break;
      case 'ScheduleDeleted':
        if (current) Object.assign(current, { deleted: true, streamVersion: envelope.streamVersion });
        break;
      case 'ScheduleFired':
        if (current) Object.assign(current, { lastFiredFor: event.data.tick, streamVersion: envelope.streamVersion });
        break;
    }
  }
}
