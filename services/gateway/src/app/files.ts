import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { EventStore } from '@agentry/event-log';
import {
  DomainError,
  streamIdOf,
  type Clock,
  type EventEnvelope,
  type FileEvent,
  type StoredFile,
} from '@agentry/kernel';
import type { ReadStore } from '@agentry/read-store';
import { InMemoryFileList, ReadStoreFileList, type FileList, type FileListQuery } from './file-list';
import type { Page } from './list-read-model';
import { Projection } from './streams';

export type { StoredFile } from '@agentry/kernel';
export type { FileListQuery } from './file-list';

/**
 * Uploaded files: bytes under the data folder (one directory per tenant), metadata as events in `file-*` streams.
 * Reads, deletes and the storage quota use the in-memory fold; the list is a `FileList` (in memory, or in the read
 * store given).
 */
export class Files {
  private readonly files = new Map<string, StoredFile>();
  private readonly projection: Projection;
  private readonly fileList: FileList;
  /** Uploads of one tenant are stored one after another, so two cannot both fit in the last free bytes of its quota. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly deps: {
      events: EventStore;
      clock: Clock;
      newId: () => string;
      dir: string;
      storageQuotaOf?: (tenantId: string) => number | undefined;
      /** Keep the list in this read store (AGENTRY_READ_STORE=mongo); default: a scan of the in-memory fold. */
      readModels?: ReadStore;
      /** A list write that failed after its append (the list catches up from the log later). */
      onListError?: (err: unknown) => void;
    },
  ) {
    this.projection = new Projection(deps.events, ['file'], (e) => this.apply(e));
    this.fileList = deps.readModels
      ? new ReadStoreFileList(deps.events, deps.readModels)
      : new InMemoryFileList(() => this.files.values());
  }

  async start(): Promise<void> {
    await this.projection.start();
    await this.fileList.catchUp();
  }

  /** Folds what other writers appended (the in-memory fold and the list) once; `follow` does it periodically. */
  async sync(): Promise<void> {
    await this.projection.catchUp();
    await this.fileList.catchUp();
  }

  /** Folds what other writers append to the log every `intervalMs` (0 = never); returns the stop function. */
  follow(intervalMs: number, onError?: (err: unknown) => void): () => void {
    const stops = [this.projection.follow(intervalMs, onError), this.fileList.follow(intervalMs, onError)];
    return () => stops.forEach((stop) => stop());
  }

  /** Drops this read model and folds it again from the event log (the list too); returns the events folded. */
  async rebuild(): Promise<number> {
    const folded = await this.projection.rebuild(() => {
      this.files.clear();
    });
    await this.fileList.rebuild();
    return folded;
  }

  /** Waits for list writes in flight. */
  close(): Promise<void> {
    return this.fileList.close();
  }

  /** Bytes the tenant's files take (what the storageBytes quota counts). */
  usedBytes(tenantId: string): number {
    let total = 0;
    for (const f of this.files.values()) if (f.tenantId === tenantId) total += f.size;
    return total;
  }

  /** Refused with QUOTA_EXCEEDED, before anything is written, when the file would take the tenant past its storageBytes. */
  store(input: {
    tenantId: string;
    userId: string;
    name: string;
    mediaType: string;
    data: Buffer;
  }): Promise<StoredFile> {
    const previous = this.queues.get(input.tenantId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.storeNow(input));
    this.queues.set(input.tenantId, next);
    void next
      .finally(() => {
        if (this.queues.get(input.tenantId) === next) this.queues.delete(input.tenantId);
      })
      .catch(() => undefined);
    return next;
  }

  private async storeNow(input: {
    tenantId: string;
    userId: string;
    name: string;
    mediaType: string;
    data: Buffer;
  }): Promise<StoredFile> {
    const limit = this.deps.storageQuotaOf?.(input.tenantId);
    if (limit !== undefined) {
      const used = this.usedBytes(input.tenantId);
      if (used + input.data.length > limit)
        throw new DomainError(
          'QUOTA_EXCEEDED',
          `the tenant's storage quota is ${limit} bytes; ${used} are used and this file has ${input.data.length}`,
          { quota: 'storageBytes', limit, used },
        );
    }
    const id = this.deps.newId();
    const target = this.pathOf(input.tenantId, id);
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    // Bytes first, then the event: a crash in between leaves an orphan file, never an event without bytes.
    fs.writeFileSync(`${target}.tmp`, input.data, { mode: 0o600 });
    fs.renameSync(`${target}.tmp`, target);
    const file: StoredFile = {
      id,
      tenantId: input.tenantId,
      name: input.name,
      mediaType: input.mediaType,
      size: input.data.length,
      sha256: createHash('sha256').update(input.data).digest('hex'),
      uploadedBy: input.userId,
      createdAt: this.deps.clock.now().toISOString(),
    };
    await this.append(input.tenantId, streamIdOf('file', id), [{ type: 'FileStored', data: file } satisfies FileEvent]);
    return file;
  }

  get(tenantId: string, id: string): StoredFile {
    const file = this.files.get(id);
    if (!file || file.tenantId !== tenantId) throw new DomainError('NOT_FOUND', `file ${id} not found`);
    return file;
  }

  /** The tenant's files, newest first (ties by id), one page. */
  list(tenantId: string, q: FileListQuery = {}): Promise<Page<StoredFile>> {
    return this.fileList.list(tenantId, q);
  }

  read(tenantId: string, id: string): { file: StoredFile; data: Buffer } {
    const file = this.get(tenantId, id);
    return { file, data: fs.readFileSync(this.pathOf(tenantId, id)) };
  }

  async delete(tenantId: string, id: string, by: string): Promise<void> {
    this.get(tenantId, id);
    await this.append(tenantId, streamIdOf('file', id), [
      {
        type: 'FileDeleted',
        data: { fileId: id, deletedBy: by, at: this.deps.clock.now().toISOString() },
      } satisfies FileEvent,
    ]);
    fs.rmSync(this.pathOf(tenantId, id), { force: true });
  }

  private pathOf(tenantId: string, id: string): string {
    if (!/^[\w-]+$/.test(tenantId) || !/^[\w-]+$/.test(id)) throw new DomainError('NOT_FOUND', `file ${id} not found`);
    return path.join(this.deps.dir, tenantId, id);
  }

  /** Appends, folds into memory, then into the list (whose failure is reported, not thrown: the write happened). */
  private async append(tenantId: string, streamId: string, events: FileEvent[]): Promise<void> {
    const written = await this.projection.write(tenantId, streamId, events);
    await this.fileList.apply(written).catch((err: unknown) => this.deps.onListError?.(err));
  }

  private apply(envelope: EventEnvelope): void {
    const event = { type: envelope.type, data: envelope.data } as FileEvent;
    switch (event.type) {
      case 'FileStored':
        this.files.set(event.data.id, event.data);
        break;
      case 'FileDeleted':
        this.files.delete(event.data.fileId);
        break;
      default: {
        const unknown: never = event;
        void unknown;
      }
    }
  }
}
