import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteEventLog, type SqliteEventLog } from '@agentry/event-log/src/sqlite';
import { connect } from '@agentry/grpc';
import { createLogger } from '@agentry/observability';
import { schedulerV1 } from '@agentry/proto-ts';
import { startSchedulerService } from '../src';
import { startFakeExecution } from './support/fake-execution';

describe('scheduler over gRPC: pause/resume, missed-run policy after downtime, fire history', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-sched-policy-'));
  let log: SqliteEventLog;
  let execution: Awaited<ReturnType<typeof startFakeExecution>>;
  let service: Awaited<ReturnType<typeof startSchedulerService>>;
  let client: ReturnType<typeof connect<schedulerV1.SchedulerServiceClient>>;
  let now = new Date('2026-06-01T00:00:00Z');
  const caller = { tenantId: 't-p', userId: 'u-p', roles: [] };
  const at = (iso: string) => (now = new Date(iso));

  beforeAll(async () => {
    log = createSqliteEventLog({ path: path.join(dir, 'events.db') });
    execution = await startFakeExecution();
    service = await startSchedulerService({ events: log.events, logger: createLogger({ name: 't', level: 'silent' }), executionAddress: execution.address, tickMs: 0, clock: { now: () => now } });
    client = connect(schedulerV1.SchedulerServiceClient, service.address);
  });
  afterAll(async () => {
    client.close();
    await service.close();
    await execution.close();
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const create = (name: string, missedRunPolicy: string) =>
    client.createSchedule({ caller, graphId: `g-${name}`, graphVersion: 0, cron: '0 * * * *', timezone: 'UTC', inputs: { who: name }, missedRunPolicy, name }).then((r) => r.schedule!);

  it('after downtime, skip starts nothing and run_once starts one execution; both continue on time', async () => {
    const skip = await create('skip', 'skip');
    const once = await create('once', 'run_once');
    expect(skip.missedRunPolicy).toBe('skip');
    at('2026-06-01T05:30:00Z'); // five hourly ticks passed with no scheduler running
    const fired = await service.tick(now);
    expect(fired.map((f) => f.scheduleId)).toEqual([once.id]);
    expect(execution.requests.at(-1)).toMatchObject({ graphId: 'g-once', inputs: { who: 'once' }, trigger: 'schedule' });
    const skipFires = (await client.listScheduleFires({ caller, scheduleId: skip.id })).items;
    expect(skipFires).toEqual([expect.objectContaining({ tick: '2026-06-01T05:00:00.000Z', status: 'skipped', reason: expect.stringMatching(/^5 run/) })]);
    const onceFires = (await client.listScheduleFires({ caller, scheduleId: once.id })).items;
    expect(onceFires).toEqual([expect.objectContaining({ tick: '2026-06-01T05:00:00.000Z', status: 'requested', executionId: fired[0].executionId })]);
    expect((await service.tick(now)).length).toBe(0); // the same tick never fires twice

    at('2026-06-01T06:00:02Z');
    expect((await service.tick(now)).map((f) => f.scheduleId).sort()).toEqual([skip.id, once.id].sort());
    const got = (await client.getSchedule({ caller, scheduleId: skip.id })).schedule!;
    expect(got).toMatchObject({ lastTick: '2026-06-01T06:00:00.000Z', lastExecutionId: expect.stringMatching(/^exec-/) });
    expect(got.nextRuns[0]).toBe('2026-06-01T07:00:00.000Z');
  });

  it('pause stops firing; resume continues from now without catching up', async () => {
    const s = await create('paused', 'run_once');
    const paused = (await client.pauseSchedule({ caller, scheduleId: s.id })).schedule!;
    expect(paused).toMatchObject({ paused: true, nextRuns: [] });
    at('2026-06-01T08:00:01Z');
    expect((await service.tick(now)).filter((f) => f.scheduleId === s.id)).toHaveLength(0);
    at('2026-06-01T08:20:00Z');
    expect((await client.resumeSchedule({ caller, scheduleId: s.id })).schedule!.paused).toBe(false);
    expect((await service.tick(now)).filter((f) => f.scheduleId === s.id)).toHaveLength(0);
    at('2026-06-01T09:00:01Z');
    expect((await service.tick(now)).filter((f) => f.scheduleId === s.id)).toHaveLength(1);
    await client.deleteSchedule({ caller, scheduleId: s.id });
    await expect(client.getSchedule({ caller, scheduleId: s.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(client.pauseSchedule({ caller: { ...caller, tenantId: 'other' }, scheduleId: s.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('previews and refuses a bad policy', async () => {
    expect((await client.previewSchedule({ cron: '30 9 * * *', timezone: 'Europe/Berlin', count: 2, from: '2026-06-01T00:00:00Z' })).runs).toEqual(['2026-06-01T07:30:00.000Z', '2026-06-02T07:30:00.000Z']);
    await expect(client.previewSchedule({ cron: 'nope', timezone: 'UTC', count: 2, from: '' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(create('bad', 'always')).rejects.toMatchObject({ details: { errors: { missedRunPolicy: expect.any(String) } } });
  });
});
