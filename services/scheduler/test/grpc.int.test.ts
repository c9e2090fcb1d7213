import { checkHealth } from '@agentry/grpc';
import { schedulerV1 } from '@agentry/proto-ts';
import path from 'node:path';
import { createSqliteReadStore } from '@agentry/read-store';
import { serviceHarness, type ServiceDeps } from '@agentry/testing';
import { Schedules, startSchedulerService } from '../src';

// No execution service here: nothing is due within the test, so the address is never dialled.
/** The schedule list in memory (default) or on a read store (a SQLite file next to the log), behind the same API. */
const backends: Array<[string, (deps: ServiceDeps) => ReturnType<typeof startSchedulerService>]> = [
  [
    'in-memory list',
    ({ events, logger }) => startSchedulerService({ events, logger, executionAddress: '127.0.0.1:1', tickMs: 60000 }),
  ],
  [
    'read-store list',
    async ({ events, logger, dir }) => {
      const store = createSqliteReadStore({ path: path.join(dir, 'read.db') });
      const service = await startSchedulerService({
        events,
        logger,
        executionAddress: '127.0.0.1:1',
        tickMs: 60000,
        readModels: store,
      });
      const close = async () => {
        await service.close();
        await store.close();
      };
      return { ...service, close };
    },
  ],
];

describe.each(backends)('SchedulerService over a real socket (%s)', (_name, start) => {
  const h = serviceHarness('scheduler', start);
  const client = () => h.client(schedulerV1.SchedulerServiceClient);
  const caller = { tenantId: 't1', userId: 'u1', roles: [] };

  it('creates a schedule with a preview of its next runs in its time zone', async () => {
    expect(await checkHealth(h.service.address)).toBe('SERVING');
    const { schedule } = await client().createSchedule({
      caller,
      graphId: 'g1',
      graphVersion: 1,
      cron: '0 9 * * *',
      timezone: 'Europe/Paris',
      inputs: { topic: 'x' },
      missedRunPolicy: '',
      name: '',
    });
    expect(schedule!.nextRuns).toHaveLength(5);
    for (const run of schedule!.nextRuns) {
      const hour = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Paris',
        hour: '2-digit',
        hour12: false,
      }).format(new Date(run));
      expect(hour).toBe('09');
    }
    expect((await client().listSchedules({ caller, graphId: '' })).items.map((s) => s.id)).toEqual([schedule!.id]);
    expect((await client().listSchedules({ caller: { ...caller, tenantId: 't2' }, graphId: '' })).items).toHaveLength(
      0,
    );
    await client().deleteSchedule({ caller, scheduleId: schedule!.id });
    expect((await client().listSchedules({ caller, graphId: '' })).items).toHaveLength(0);
  });

  it('refuses an invalid cron expression and an unknown time zone with the reason', async () => {
    await expect(
      client().createSchedule({
        caller,
        graphId: 'g1',
        graphVersion: 1,
        cron: '61 * * * *',
        timezone: 'Mars/Olympus',
        inputs: {},
        missedRunPolicy: '',
        name: '',
      }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: {
        errors: { cron: expect.stringMatching(/invalid cron/), timezone: expect.stringMatching(/unknown time zone/) },
      },
    });
  });

  it('lets exactly one of two replicas claim a due tick', async () => {
    const mk = () =>
      new Schedules({
        events: h.log.events,
        clock: { now: () => new Date('2026-01-01T00:00:00Z') },
        newId: () => 'sched-race',
      });
    const a = mk();
    await a.start();
    await a.create(caller, { graphId: 'g', graphVersion: 1, cron: '* * * * *', timezone: 'UTC', inputs: {} });
    const b = mk();
    await b.start();
    const at = new Date('2026-01-01T00:05:30Z');
    const [wonA, wonB] = await Promise.all([a.claimDue(at), b.claimDue(at)]);
    expect(wonA.length + wonB.length).toBe(1);
    expect((await a.claimDue(at)).length + (await b.claimDue(at)).length).toBe(0);
  });
});
