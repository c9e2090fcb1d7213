import type { EventStore } from '@agentry/event-log';
import { connect, implement, requireCaller, startGrpcServer } from '@agentry/grpc';
import { newId, systemClock } from '@agentry/kernel';
import type { Logger } from '@agentry/observability';
import { executionV1, schedulerV1 } from '@agentry/proto-ts';
import { previewRuns, Schedules, type Schedule } from './app/schedules';

export { Schedules, previewRuns, checkCron } from './app/schedules';

const toProto = (s: Schedule): schedulerV1.Schedule => ({
  id: s.id,
  graphId: s.graphId,
  graphVersion: s.graphVersion,
  cron: s.cron,
  timezone: s.timezone,
  inputs: s.inputs,
  paused: s.paused,
  nextRuns: previewRuns(s.cron, s.timezone, 5),
  createdAt: s.createdAt,
});

export async function startSchedulerService(options: { events: EventStore; logger: Logger; executionAddress: string; host?: string; port?: number; tickMs?: number }) {
  const schedules = new Schedules({ events: options.events, clock: systemClock, newId });
  await schedules.start();
  const execution = connect(executionV1.ExecutionServiceClient, options.executionAddress);
  const server = await startGrpcServer({
    host: options.host,
    port: options.port,
    services: [
      {
        name: 'agentry.scheduler.v1.SchedulerService',
        definition: schedulerV1.SchedulerServiceService,
        implementation: implement('scheduler', schedulerV1.SchedulerServiceService, {
          async createSchedule(req) {
            const caller = requireCaller(req.caller);
            const s = await schedules.create(caller, { graphId: req.graphId, graphVersion: req.graphVersion, cron: req.cron, timezone: req.timezone, inputs: req.inputs ?? {} });
            return { schedule: toProto(s) };
          },
          async listSchedules(req) {
            const caller = requireCaller(req.caller);
            return { items: schedules.list(caller.tenantId, req.graphId || undefined).map(toProto) };
          },
          async deleteSchedule(req) {
            const caller = requireCaller(req.caller);
            await schedules.delete(caller.tenantId, req.scheduleId);
            return {};
          },
        }),
      },
    ],
  });
  let ticking = false;
  const timer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    schedules
      .claimDue(new Date())
      .then(async (won) => {
        for (const { schedule, tick } of won) {
          const out = await execution.requestExecution({
            caller: { tenantId: schedule.tenantId, userId: schedule.userId, roles: [] },
            graphId: schedule.graphId,
            graphVersion: schedule.graphVersion,
            inputs: schedule.inputs,
            trigger: 'schedule',
            parentExecutionId: '',
          });
          options.logger.info({ scheduleId: schedule.id, tick, executionId: out.executionId }, 'schedule fired');
        }
      })
      .catch((err: unknown) => options.logger.error({ err }, 'schedule tick failed'))
      .finally(() => {
        ticking = false;
      });
  }, options.tickMs ?? 1000);
  timer.unref();
  options.logger.info({ address: server.address }, 'scheduler service listening');
  return {
    name: 'scheduler' as const,
    app: schedules,
    address: server.address,
    port: server.port,
    close: async () => {
      clearInterval(timer);
      execution.close();
      await server.close();
    },
  };
}
