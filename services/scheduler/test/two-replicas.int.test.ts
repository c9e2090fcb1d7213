import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteEventLog } from '@agentry/event-log/src/sqlite';
import { connect } from '@agentry/grpc';
import { schedulerV1 } from '@agentry/proto-ts';
import { startFakeExecution } from './support/fake-execution';

interface Replica {
  child: ChildProcess;
  address: string;
  tick(at: string): Promise<Array<{ scheduleId: string; tick: string; executionId: string }>>;
  stop(): Promise<void>;
}

async function startReplica(dbPath: string, executionAddress: string, startAt: string, name: string): Promise<Replica> {
  const child = fork(path.join(__dirname, 'support/replica.ts'), [dbPath, executionAddress, startAt, name], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const address = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
    child.once('message', (m: { address: string }) => resolve(m.address));
  });
  child.removeAllListeners('exit');
  return {
    child,
    address,
    tick: (at) =>
      new Promise((resolve, reject) => {
        const onMessage = (m: { tick?: string; fired?: Array<{ scheduleId: string; tick: string; executionId: string }>; error?: string }) => {
          if (m.tick !== at) return;
          child.off('message', onMessage);
          if (m.error) reject(new Error(m.error));
          else resolve(m.fired!);
        };
        child.on('message', onMessage);
        child.send({ tick: at });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ stop: true });
      }),
  };
}

describe('two scheduler replicas (two processes) on one SQLite log', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-sched-replicas-'));
  const dbPath = path.join(dir, 'agentry.db');
  const T0 = new Date('2026-05-01T08:00:00Z');
  let execution: Awaited<ReturnType<typeof startFakeExecution>>;
  let replicas: Replica[] = [];

  beforeAll(async () => {
    execution = await startFakeExecution();
    // Create the schema once before two processes race to.
    await createSqliteEventLog({ path: dbPath }).close();
    replicas = await Promise.all(['replica-a', 'replica-b'].map((n) => startReplica(dbPath, execution.address, T0.toISOString(), n)));
  }, 60000);
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await execution.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fires every tick exactly once, each fire an event linked to the execution it started', async () => {
    const client = connect(schedulerV1.SchedulerServiceClient, replicas[0].address);
    const caller = { tenantId: 't-r', userId: 'u-r', roles: [] };
    const { schedule } = await client.createSchedule({ caller, graphId: 'g-every-minute', graphVersion: 1, cron: '* * * * *', timezone: 'UTC', inputs: { n: 1 }, missedRunPolicy: 'skip', name: 'race' });
    client.close();
    const TICKS = 25;
    const won: Record<string, string[]> = { 'replica-a': [], 'replica-b': [] };
    for (let i = 1; i <= TICKS; i++) {
      const at = new Date(T0.getTime() + i * 60_000 + 500).toISOString();
      const [a, b] = await Promise.all(replicas.map((r) => r.tick(at)));
      won['replica-a'].push(...a.map((f) => f.tick));
      won['replica-b'].push(...b.map((f) => f.tick));
      expect(a.length + b.length).toBe(1);
    }
    const allTicks = [...won['replica-a'], ...won['replica-b']].sort();
    expect(allTicks).toEqual(Array.from({ length: TICKS }, (_, i) => new Date(T0.getTime() + (i + 1) * 60_000).toISOString()));
    expect(execution.requests).toHaveLength(TICKS);
    expect(execution.requests.every((r) => r.trigger === 'schedule' && r.graphId === 'g-every-minute' && r.caller?.tenantId === 't-r')).toBe(true);

    const log = createSqliteEventLog({ path: dbPath });
    try {
      const events = await log.events.readStream(`schedule-${schedule!.id}`);
      const fired = events.filter((e) => e.type === 'ScheduleFired').map((e) => (e.data as { tick: string }).tick);
      const links = events.filter((e) => e.type === 'ScheduleExecutionStarted').map((e) => e.data as { tick: string; executionId: string });
      expect(fired.sort()).toEqual(allTicks);
      expect(links.map((l) => l.tick).sort()).toEqual(allTicks);
      expect(new Set(links.map((l) => l.executionId)).size).toBe(TICKS);
      expect(links.map((l) => l.executionId).sort()).toEqual(Array.from({ length: TICKS }, (_, i) => `exec-${i + 1}`).sort());
    } finally {
      await log.close();
    }
  });
});
