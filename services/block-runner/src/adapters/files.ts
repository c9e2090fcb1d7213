import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BlockFileError, type BlockFileInfo, type BlockFiles } from '@agentry/block-sdk';
import type { EventStore } from '@agentry/event-log';
import { streamIdOf, type FileEvent, type StoredFile } from '@agentry/kernel';

/**
 * Block file store on the platform's file records: bytes at `<dir>/<tenant>/<id>` and one `file-<id>` stream
 * whose `FileStored` / `FileDeleted` events are the records the gateway's file read model folds. Files written
 * by blocks are therefore listed and downloadable like uploads (GET /api/v1/files/{id}/content), and uploads are
 * readable by blocks. Tenant-scoped: another tenant's id reads as NOT_FOUND.
 */
export interface EventLogFilesOptions {
  dir: string;
  tenantId: string;
  /** Recorded as the file's `uploadedBy`. */
  userId?: string;
  maxBytes: number;
  newId: () => string;
  now?: () => Date;
}


const SAFE_ID = /^[\w-]+$/;

export function eventLogFiles(events: EventStore, o: EventLogFilesOptions): BlockFiles {
  const pathOf = (id: string) => path.join(o.dir, o.tenantId, id);
  const notFound = (id: string) => new BlockFileError('NOT_FOUND', `file ${id} not found`);
  return {
    maxBytes: o.maxBytes,
    async read(id) {
      if (!SAFE_ID.test(id) || !SAFE_ID.test(o.tenantId)) throw notFound(id);
      const stream = await events.readStream(streamIdOf('file', id));
      const last = stream[stream.length - 1];
      const record = last?.type === 'FileStored' ? (last.data as unknown as StoredFile) : undefined;
      if (!record || record.tenantId !== o.tenantId) throw notFound(id);
      if (record.size > o.maxBytes)
        throw new BlockFileError('FILE_TOO_LARGE', `file ${id} has ${record.size} bytes; the limit is ${o.maxBytes}`);
      const data = await fs.readFile(pathOf(id)).catch(() => {
        throw notFound(id);
      });
      return { id, name: record.name, mediaType: record.mediaType, size: data.length, data };
    },
    async write(file): Promise<BlockFileInfo> {
      if (file.data.length > o.maxBytes)
        throw new BlockFileError('FILE_TOO_LARGE', `the file has ${file.data.length} bytes; the limit is ${o.maxBytes}`);
      const id = o.newId();
      if (!SAFE_ID.test(id) || !SAFE_ID.test(o.tenantId)) throw new Error('unsafe file id or tenant id');
      const target = pathOf(id);
      await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      // Bytes first, then the record: a crash in between leaves an orphan file, never a record without bytes.
      await fs.writeFile(`${target}.tmp`, file.data, { mode: 0o600 });
      await fs.rename(`${target}.tmp`, target);
      const record: StoredFile = {
        id,
        tenantId: o.tenantId,
        name: file.name,
        mediaType: file.mediaType,
        size: file.data.length,
        sha256: createHash('sha256').update(file.data).digest('hex'),
        uploadedBy: o.userId ?? 'block-runner',
        createdAt: (o.now?.() ?? new Date()).toISOString(),
      };
      await events.append(streamIdOf('file', id), [{ type: 'FileStored', data: { ...record } } satisfies FileEvent], {
        expectedVersion: 0,
        tenantId: o.tenantId,
      });
      return { id, name: record.name, mediaType: record.mediaType, size: record.size };
    },
  };
}
