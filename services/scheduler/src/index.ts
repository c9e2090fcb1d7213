import type { EventStore } from '@agentry/event-log';
import { connect, implement, requireCaller, ServiceAdmin, startGrpcServer } from '@agentry/grpc';
import { DomainError, newId, systemClock, type Clock } from '@agentry/kernel';
import type { Logger } from '@agentry/observability';
import { executionV1, graphV1, schedulerV1 } from '@agentry/proto-ts';
import { openReadStore, type ReadStore } from '@agentry/read-store';
import { Schedules, type ScheduleSummary } from './app/schedules';
import { checkCron, previewRuns } from './domain/cron';

export { Schedules, type SchedulesDeps, type Schedule, type ScheduleSummary } from './app/schedules';
export { InMemoryScheduleList, type ScheduleList } from './app/schedule-list';
export { ReadStoreScheduleList, SCHEDULE_SUMMARIES } from './app/schedule-list-read-store';
export { previewRuns, checkCron, decideDue, ticksBetween } from './domain/cron';

export interface SchedulerServiceOptions {
  events: EventStore;
  logger: Logger;
  executionAddress: string;
  /** When set, a schedule may only be created on a graph version the caller's tenant can read (checked with the graph service). */
  graphAddress?: string;
  host?: string;
  port?: number;
  /** How often due ticks are claimed (default 1 s); 0 disables the timer (tests call tick()). */
  tickMs?: number;
  clock?: Clock;
  /** A tick older than this when first seen counts as missed (default 60 s). */
  lateGraceMs?: number;
  /** Names this replica in ScheduleFired events. */
  replica?: string;
  /**
   * AGENTRY_READ_STORE: `mongo` keeps the schedule list in MongoDB at `mongoUrl` (opened here, closed by `close`);
   * otherwise (`sqlite` or nothing) the list is a scan of the in-memory fold.
   */
  readStore?: 'sqlite' | 'mongo';
  mongoUrl?: string;
  /** A read store opened by the caller (tests, a shared embedded store): wins over `readStore`; not closed here. */
  readModels?: ReadStore;
  /** With a read store: how often the list catches up from its checkpoint. Default 1 s; 0: never. */
  readModelFollowMs?: number;
}

export async function startSchedulerService(options: SchedulerServiceOptions) {
  const clock = options.clock ?? systemClock;
  // --- read store (issue #10): AGENTRY_READ_STORE=mongo projects the schedule list into MongoDB
  const ownStore = !options.readModels && options.readStore === 'mongo' ? await openReadStore({ backend: 'mongo', mongoUrl: options.mongoUrl }) : undefined;
  const readModels = options.readModels ?? ownStore;
  const schedules = new Schedules({
    events: options.events,
    clock,
    newId,
    replica: options.replica ?? `scheduler-${process.pid}`,
    lateGraceMs: options.lateGraceMs,
    readModels,
    onListError: (err) => options.logger.warn({ err }, 'schedule list write failed; it catches up from the log'),
  });
  try {
    await schedules.start();
  } catch (err) {
    await ownStore?.close();
    throw err;
  }
  const followMs = options.readModelFollowMs ?? 1000;
  const follow =
    readModels && followMs > 0
      ? setInterval(() => void schedules.catchUpList().catch((err: unknown) => options.logger.warn({ err }, 'schedule list catch-up failed')), followMs)
      : undefined;
  follow?.unref();
  // --- end read store
  // --- admin (issue #6): a drained scheduler claims no due ticks (another replica does; missed ones follow each
  // schedule's missedRunPolicy after resume); schedules may still be created and changed. Rebuild re-folds schedules.
  const admin = new ServiceAdmin('scheduler', { rebuild: async () => [{ readModel: 'schedules', events: await schedules.rebuild() }] });
  // --- end admin
  const execution = connect(executionV1.ExecutionServiceClient, options.executionAddress);
  const graphs = options.graphAddress ? connect(graphV1.GraphServiceClient, options.graphAddress) : undefined;

  const toProto = (s: ScheduleSummary): schedulerV1.Schedule => ({
    id: s.id,
    name: s.name,
    graphId: s.graphId,
    graphVersion: s.graphVersion,
    cron: s.cron,
    timezone: s.timezone,
    inputs: s.inputs,
    paused: s.paused,
    nextRuns: s.paused ? [] : previewRuns(s.cron, s.timezone, 5, clock.now()),
    createdAt: s.createdAt,
    missedRunPolicy: s.missedRunPolicy,
    lastTick: s.lastTick ?? '',
    lastExecutionId: s.lastExecutionId ?? '',
  });

  /** Claims due ticks at `now` and starts one execution per tick won. */
  async function tick(now = clock.now()): Promise<Array<{ scheduleId: string; tick: string; executionId: string }>> {
    if (admin.draining) return []; // admin: drained
    const done = admin.track();
    try {
      return await claimAndStart(now);
    } finally {
      done();
    }
  }

  async function claimAndStart(now: Date): Promise<Array<{ scheduleId: string; tick: string; executionId: string }>> {
    const started: Array<{ scheduleId: string; tick: string; executionId: string }> = [];
    for (const { schedule, tick: at } of await schedules.claimDue(now)) {
      try {
        const out = await execution.requestExecution({
          caller: { tenantId: schedule.tenantId, userId: schedule.userId, roles: [] },
          graphId: schedule.graphId,
          graphVersion: schedule.graphVersion,
          inputs: schedule.inputs,
          trigger: 'schedule',
          parentExecutionId: '',
        });
        await schedules.recordStarted(schedule, at, out.executionId);
        started.push({ scheduleId: schedule.id, tick: at, executionId: out.executionId });
        options.logger.info({ scheduleId: schedule.id, tick: at, executionId: out.executionId }, 'schedule fired');
      } catch (err) {
        const reason = err instanceof DomainError ? `${err.code}: ${err.message}` : String(err);
        await schedules.recordFailed(schedule, at, reason).catch(() => undefined);
        options.logger.warn({ scheduleId: schedule.id, tick: at, err }, 'schedule fire could not start an execution');
      }
    }
    return started;
  }

  const server = await startGrpcServer({
    host: options.host,
    port: options.port,
    services: [
      admin.registration(),
      {
        name: 'agentry.scheduler.v1.SchedulerService',
        definition: schedulerV1.SchedulerServiceService,
        implementation: implement('scheduler', schedulerV1.SchedulerServiceService, {
          async createSchedule(req) {
            const caller = requireCaller(req.caller);
            // The tenant check lives here, not only in the gateway: another tenant's graph is NOT_FOUND.
            if (graphs && req.graphId)
              await graphs.getGraph({ caller: req.caller, graphId: req.graphId, version: req.graphVersion });
            const s = await schedules.create(caller, {
              graphId: req.graphId,
              graphVersion: req.graphVersion,
              cron: req.cron,
              timezone: req.timezone,
              inputs: req.inputs ?? {},
              missedRunPolicy: req.missedRunPolicy,
              name: req.name,
            });
            return { schedule: toProto(s) };
          },
          async listSchedules(req) {
            const caller = requireCaller(req.caller);
            await schedules.sync();
            return { items: (await schedules.list(caller.tenantId, req.graphId || undefined)).map(toProto) };
          },
          async getSchedule(req) {
            const caller = requireCaller(req.caller);
            await schedules.sync();
            return { schedule: toProto(schedules.get(caller.tenantId, req.scheduleId)) };
          },
          async deleteSchedule(req) {
            const caller = requireCaller(req.caller);
            await schedules.sync();
            await schedules.delete(caller.tenantId, req.scheduleId);
            return {};
          },
          async pauseSchedule(req) {
            const caller = requireCaller(req.caller);
            await schedules.sync();
            return { schedule: toProto(await schedules.pause(caller.tenantId, req.scheduleId)) };
          },
          async resumeSchedule(req) {
            const caller = requireCaller(req.caller);
            await schedules.sync();
            return { schedule: toProto(await schedules.resume(caller.tenantId, req.scheduleId)) };
          },
          async previewSchedule(req) {
            const timezone = req.timezone || 'UTC';
            const errors = checkCron(req.cron, timezone);
            const from = req.from ? new Date(req.from) : clock.now();
            if (Number.isNaN(from.getTime())) errors.from = 'an ISO date-time';
            if (Object.keys(errors).length)
              throw new DomainError('VALIDATION_FAILED', Object.values(errors).join('; '), { errors });
            return { runs: previewRuns(req.cron, timezone, Math.min(Math.max(req.count || 5, 1), 50), from) };
          },
          async listScheduleFires(req) {
            const caller = requireCaller(req.caller);
            await schedules.sync();
            return { items: [...schedules.get(caller.tenantId, req.scheduleId).fires].reverse() };
          },
        }),
      },
    ],
  });

  let ticking = false;
  const tickMs = options.tickMs ?? 1000;
  const timer =
    tickMs > 0
      ? setInterval(() => {
          if (ticking) return;
          ticking = true;
          tick()
            .catch((err: unknown) => options.logger.error({ err }, 'schedule tick failed'))
            .finally(() => {
              ticking = false;
            });
        }, tickMs)
      : undefined;
  timer?.unref();
  options.logger.info({ address: server.address }, 'scheduler service listening');
  return {
    name: 'scheduler' as const,
    app: schedules,
    tick,
    address: server.address,
    port: server.port,
    close: async () => {
      if (timer) clearInterval(timer);
      if (follow) clearInterval(follow);
      execution.close();
      graphs?.close();
      await server.close();
      await schedules.close();
      await ownStore?.close();
    },
  };
}
