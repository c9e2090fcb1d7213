import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogueBlocks, createRegistry } from '@agentry/blocks';
import { createSqliteEventLog, type SqliteEventLog } from '@agentry/event-log/src/sqlite';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { streamIdOf } from '@agentry/kernel';
import { eventLogFiles } from '../src/adapters/files';
import { createBlockWorker, type BlockWorker, type NodeProgressReport, type NodeTask } from '../src/app/worker';

/**
 * ReadFileBlock / WriteFileBlock through a real block-runner worker whose file store is the platform's file
 * records (SQLite event log + a directory): what a block writes is recorded the way the gateway records an upload
 * (so GET /api/v1/files/{id}/content serves it), and gateway uploads are readable by blocks; tenant-scoped, with a
 * size limit.
 */
const READ_FILE = '2ee13a09-26ab-4969-a9ce-01e1bd334bbb';
const WRITE_FILE = 'f6267957-babb-4043-8d52-e5d04b2d2ee0';
const MAX_BYTES = 1024;

describe('block-runner: files through the platform file store', () => {
  let dir: string;
  let log: SqliteEventLog;
  let worker: BlockWorker;
  let reports: NodeProgressReport[];
  let seq = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentry-files-'));
    log = createSqliteEventLog({ path: join(dir, 'log.db'), pollIntervalMs: 10 });
    reports = [];
    worker = createBlockWorker({
      queue: log.queue,
      blocks: createRegistry(catalogueBlocks),
      reporter: {
        reportNodeProgress: async (r) => {
          reports.push(structuredClone(r));
          return { cancelled: false };
        },
      },
      filesFor: (task) =>
        eventLogFiles(log.events, {
          dir: join(dir, 'files'),
          tenantId: task.tenantId,
          userId: task.userId,
          maxBytes: MAX_BYTES,
          newId: randomUUID,
        }),
      workerId: 'files-worker',
      pollMs: 10,
    });
    worker.start();
  });
  afterAll(async () => {
    await worker.stop({ graceMs: 200 });
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An upload as the gateway stores it (services/gateway/src/app/files.ts): bytes, then a FileStored record. */
  async function upload(tenantId: string, name: string, mediaType: string, data: Buffer): Promise<string> {
    const id = randomUUID();
    mkdirSync(join(dir, 'files', tenantId), { recursive: true });
    writeFileSync(join(dir, 'files', tenantId, id), data);
    const record = {
      id,
      tenantId,
      name,
      mediaType,
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      uploadedBy: 'u1',
      createdAt: new Date().toISOString(),
    };
    await log.events.append(streamIdOf('file', id), [{ type: 'FileStored', data: record }], { expectedVersion: 0, tenantId });
    return id;
  }

  /** Run one block task on the worker; its outputs as [pin, value] pairs and its final status. */
  async function runTask(blockId: string, input: Record<string, unknown>, tenantId = 't1') {
    const nodeExecId = `n#${++seq}`;
    const task: NodeTask = {
      tenantId,
      userId: 'u1',
      executionId: 'e1',
      nodeExecId,
      nodeId: 'n',
      graphId: 'g1',
      graphVersion: 1,
      blockId,
      attempt: 1,
      input,
    };
    await log.queue.enqueue('node-tasks', [{ id: `e1/${nodeExecId}/1`, tenantId, payload: task }]);
    const deadline = Date.now() + 10_000;
    while (!reports.some((r) => r.nodeExecId === nodeExecId && r.finished)) {
      if (Date.now() > deadline) throw new Error(`no finished report for ${nodeExecId}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const mine = reports.filter((r) => r.nodeExecId === nodeExecId);
    return {
      outputs: mine.flatMap((r) => r.outputs ?? []).map((o) => [o.pin, o.value] as [string, unknown]),
      finished: mine.find((r) => r.finished)!.finished!,
    };
  }

  it('writes a file recorded as a gateway file (downloadable) that a later node reads back', async () => {
    const written = await runTask(WRITE_FILE, { content: 'name,total\nada,3\n', name: 'report.csv', media_type: 'text/csv' });
    expect(written.finished.status).toBe('COMPLETED');
    const [[pin, ref]] = written.outputs as Array<[string, { $file: string; url: string; size: number }]>;
    expect(pin).toBe('file');
    expect(ref).toMatchObject({ name: 'report.csv', mediaType: 'text/csv', size: 17, url: `/api/v1/files/${ref.$file}/content` });

    // Recorded like an upload: the gateway's file read model folds this record and serves these bytes.
    const [record] = await log.events.readStream(streamIdOf('file', ref.$file));
    expect(record.type).toBe('FileStored');
    expect(record.data).toEqual({
      id: ref.$file,
      tenantId: 't1',
      name: 'report.csv',
      mediaType: 'text/csv',
      size: 17,
      sha256: createHash('sha256').update('name,total\nada,3\n').digest('hex'),
      uploadedBy: 'u1',
      createdAt: expect.any(String),
    });
    expect(readFileSync(join(dir, 'files', 't1', ref.$file), 'utf8')).toBe('name,total\nada,3\n');

    const read = await runTask(READ_FILE, { file: ref });
    expect(read.outputs).toEqual([
      ['content', 'name,total\nada,3\n'],
      ['encoding', 'text'],
      ['name', 'report.csv'],
      ['media_type', 'text/csv'],
      ['size', 17],
    ]);
  });

  it('reads a file uploaded through the gateway, by id, as base64 when binary', async () => {
    const id = await upload('t1', 'logo.png', 'image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const read = await runTask(READ_FILE, { file: id });
    expect(read.outputs.slice(0, 4)).toEqual([
      ['content', Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64')],
      ['encoding', 'base64'],
      ['name', 'logo.png'],
      ['media_type', 'image/png'],
    ]);
  });

  it("does not let one tenant read another tenant's file", async () => {
    const id = await upload('t1', 'secret.txt', 'text/plain', Buffer.from('t1 only'));
    const read = await runTask(READ_FILE, { file: { $file: id } }, 't2');
    expect(read.outputs).toEqual([]);
    expect(read.finished.status).toBe('FAILED');
    expect(read.finished.error).toMatchObject({ message: `file ${id} not found`, retryable: false });
  });

  it('refuses files above the size limit before storing anything', async () => {
    const before = (await log.events.readAll({ after: 0, limit: 10_000, categories: ['file'] })).length;
    const written = await runTask(WRITE_FILE, { content: 'x'.repeat(MAX_BYTES + 1) });
    expect(written.finished.status).toBe('FAILED');
    expect(written.finished.error?.message).toBe('The file is larger than the 1024-byte limit');
    expect(await log.events.readAll({ after: 0, limit: 10_000, categories: ['file'] })).toHaveLength(before);
  });
});
