import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  eventStoreContract,
  snapshotStoreContract,
  workQueueContract,
  waitUntil,
  type EventLogFixture,
} from '../src/contract';
import { createSqliteEventLog, type SqliteEventLog } from '../src/sqlite';
import type { EventEnvelope } from '@agentry/kernel';

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDbPath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-event-log-'));
  tempDirs.push(dir);
  return path.join(dir, 'log.db');
}

async function sqliteFixture(): Promise<EventLogFixture> {
  const file = tempDbPath();
  const opened: SqliteEventLog[] = [];
  return {
    async connect() {
      const log = createSqliteEventLog({ path: file, pollIntervalMs: 25 });
      opened.push(log);
      return log;
    },
    async dispose() {
      await Promise.all(opened.map((log) => log.close()));
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    },
  };
}

eventStoreContract('sqlite', sqliteFixture);
workQueueContract('sqlite', sqliteFixture);
snapshotStoreContract('sqlite', sqliteFixture);

describe('sqlite adapter specifics', () => {
  let log: SqliteEventLog | undefined;
  afterEach(async () => {
    await log?.close();
    log = undefined;
  });

  it('runs in WAL mode with synchronous=NORMAL', () => {
    log = createSqliteEventLog({ path: tempDbPath() });
    expect(log.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(log.db.pragma('synchronous', { simple: true })).toBe(1);
  });

  it('reports a corrupt stored event as CORRUPT_EVENT naming its position, and other streams keep working', async () => {
    log = createSqliteEventLog({ path: tempDbPath() });
    const { events } = log;
    await events.append('order-1', [{ type: 'Placed', data: {} }], { expectedVersion: 0, tenantId: 't' });
    const broken = await events.append(
      'order-2',
      [
        { type: 'Placed', data: {} },
        { type: 'Paid', data: {} },
      ],
      { expectedVersion: 0, tenantId: 't' },
    );
    const position = broken.events[1].globalPosition;
    log.db
      .prepare('UPDATE event_log SET body = ? WHERE global_position = ?')
      .run('{"i":"x","t":"Paid", truncated', position);

    const failure = events.readStream('order-2');
    await expect(failure).rejects.toMatchObject({
      code: 'CORRUPT_EVENT',
      details: expect.objectContaining({ globalPosition: position, streamId: 'order-2' }),
    });
    await expect(events.readStream('order-2')).rejects.toThrow(String(position));
    expect(await events.readStream('order-1')).toHaveLength(1);
    await expect(
      events.append('order-1', [{ type: 'Paid', data: {} }], { expectedVersion: 1, tenantId: 't' }),
    ).resolves.toMatchObject({ nextVersion: 2 });
    await expect(events.readAll()).rejects.toMatchObject({ code: 'CORRUPT_EVENT' });
    expect(await events.readAll({ categories: ['order'], limit: 2 })).toHaveLength(2);

    const errors: unknown[] = [];
    const seen: EventEnvelope[] = [];
    const sub = events.subscribe({
      consumer: 'p',
      handler: (e) => void seen.push(e),
      onError: (err, e) => errors.push({ err, e }),
    });
    await expect(sub.caughtUp).rejects.toMatchObject({ code: 'CORRUPT_EVENT' });
    expect(seen.map((e) => e.type)).toEqual(['Placed', 'Placed']);
    expect(errors).toEqual([
      {
        err: expect.objectContaining({ code: 'CORRUPT_EVENT' }),
        e: expect.objectContaining({ globalPosition: position, type: '$corrupt' }),
      },
    ]);
    await sub.close();
  });

  it('keeps UNIQUE(stream_id, version) as the last line of defence', () => {
    log = createSqliteEventLog({ path: tempDbPath() });
    const insert = log.db.prepare(
      "INSERT INTO event_log (stream_id, category, version, body) VALUES ('order-1', 'order', 1, '{}')",
    );
    insert.run();
    expect(() => insert.run()).toThrow(/UNIQUE/);
  });

  it('shares appends between two logs opened on one file in one process, waking subscribers at once', async () => {
    const file = tempDbPath();
    log = createSqliteEventLog({ path: file, pollIntervalMs: 60_000 }); // polling off: only the in-process notifier can wake it
    const other = createSqliteEventLog({ path: file, pollIntervalMs: 60_000 });
    try {
      const seen: EventEnvelope[] = [];
      const sub = log.events.subscribe({ consumer: 'c', handler: (e) => void seen.push(e) });
      await sub.caughtUp;
      await other.events.append('order-1', [{ type: 'Placed', data: {} }], { expectedVersion: 0, tenantId: 't' });
      await waitUntil(() => seen.length === 1, 5_000, 'notified delivery');
      const waiting = log.queue.lease('q', { workerId: 'w', leaseMs: 1000, waitMs: 30_000 });
      await other.queue.enqueue('q', [{ id: 'x', tenantId: 't', payload: 1 }]);
      expect((await waiting).map((t) => t.id)).toEqual(['x']);
      await sub.close();
    } finally {
      await other.close();
    }
  });

  it('sees appends and tasks from another process on the same file', async () => {
    const file = tempDbPath();
    log = createSqliteEventLog({ path: file, pollIntervalMs: 25 });
    const seen: EventEnvelope[] = [];
    const sub = log.events.subscribe({ consumer: 'watcher', categories: ['child'], handler: (e) => void seen.push(e) });
    await sub.caughtUp;
    await log.events.append('parent-1', [{ type: 'Started', data: {} }], { expectedVersion: 0, tenantId: 't' });

    const children = [0, 1].map((n) =>
      spawn(
        process.execPath,
        ['--import', 'tsx', path.join(__dirname, 'fixtures', 'sqlite-writer.ts'), file, `child-${n}`, '20'],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      ),
    );
    try {
      const outputs = await Promise.all(
        children.map(
          (child) =>
            new Promise<string>((resolve, reject) => {
              let out = '';
              let err = '';
              child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
              child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
              child.on('error', reject);
              child.on('exit', (code) =>
                code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${err}`)),
              );
            }),
        ),
      );
      expect(outputs.every((o) => o.startsWith('done '))).toBe(true);
      await waitUntil(() => seen.length === 40, 10_000, 'events from the children');
      for (const n of [0, 1]) {
        expect(seen.filter((e) => e.streamId === `child-${n}`).map((e) => e.streamVersion)).toEqual(
          Array.from({ length: 20 }, (_, k) => k + 1),
        );
      }
      const positions = seen.map((e) => e.globalPosition);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      const tasks = await log.queue.lease('from-child', { workerId: 'parent', leaseMs: 5_000, max: 10 });
      expect(tasks.map((t) => t.tenantId)).toEqual(['tenant-child', 'tenant-child']);
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      await sub.close();
    }
  });

  it('stores a live subscriber position without a write per page: once idle, and resumes after it', async () => {
    const opened = createSqliteEventLog({ path: tempDbPath() });
    log = opened;
    const { events } = opened;
    const stored = () =>
      opened.db.prepare('SELECT position FROM event_log_consumers WHERE name = ?').pluck().get('idle') as
        number | undefined;
    const seen: string[] = [];
    const sub = events.subscribe({ consumer: 'idle', categories: ['order'], handler: (e) => void seen.push(e.type) });
    await sub.caughtUp;
    for (let i = 0; i < 5; i++)
      await events.append(
        `order-${i}`,
        [
          { type: 'Placed', data: { i } },
          { type: 'Paid', data: { i } },
        ],
        { expectedVersion: 0, tenantId: 't' },
      );
    const head = await events.headPosition();
    await waitUntil(() => seen.length === 10);
    await waitUntil(() => stored() === head); // saved while idle, at most once per interval
    await sub.close();
    await events.append('order-9', [{ type: 'Placed', data: {} }], { expectedVersion: 0, tenantId: 't' });
    const again: string[] = [];
    const resumed = events.subscribe({
      consumer: 'idle',
      categories: ['order'],
      handler: (e) => void again.push(e.streamId),
    });
    await resumed.caughtUp;
    expect(again).toEqual(['order-9']);
    await resumed.close();
  });

  it('isolates the outcome of each append issued in the same tick (group commit)', async () => {
    log = createSqliteEventLog({ path: tempDbPath() });
    const { events } = log;
    const outcomes = await Promise.allSettled([
      events.append('order-1', [{ type: 'A', data: {} }], { expectedVersion: 0, tenantId: 't' }),
      events.append('order-1', [{ type: 'B', data: {} }], { expectedVersion: 0, tenantId: 't' }),
      events.append(
        'order-2',
        [
          { type: 'C', data: {} },
          { type: 'D', data: {} },
        ],
        { expectedVersion: 0, tenantId: 't' },
      ),
      events.append('order-1', [{ type: 'E', data: {} }], { expectedVersion: 1, tenantId: 't' }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((await events.readAll()).map((e) => e.type)).toEqual(['A', 'C', 'D', 'E']);
  });
});
