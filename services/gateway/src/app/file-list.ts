import type { EventStore } from '@agentry/event-log';
import type { EventEnvelope, FileEvent, StoredFile } from '@agentry/kernel';
import type { ListQuery, ProjectionSpec, ReadStore } from '@agentry/read-store';
import {
  FoldView,
  clampLimit,
  newestFirstPage,
  ProjectedList,
  type ListReadModel,
  type Page,
  type PageQuery,
} from './list-read-model';

export interface FileListQuery extends PageQuery {
  /** Only files of this media type. */
  mediaType?: string;
}

/**
 * The tenant's files (metadata), newest first, paged; deleted files are gone. Adapters: `InMemoryFileList`
 * (default: a view of the gateway's fold) and `ReadStoreFileList` (libs/read-store, AGENTRY_READ_STORE).
 */
export interface FileList extends ListReadModel {
  list(tenantId: string, q: FileListQuery): Promise<Page<StoredFile>>;
}

/** A scan of the files the gateway holds in memory (it folds them for reads, deletes and the storage quota). */
export class InMemoryFileList extends FoldView implements FileList {
  constructor(private readonly files: () => Iterable<StoredFile>) {
    super();
  }

  async list(tenantId: string, q: FileListQuery): Promise<Page<StoredFile>> {
    const rows: StoredFile[] = [];
    for (const f of this.files())
      if (f.tenantId === tenantId && (q.mediaType === undefined || f.mediaType === q.mediaType)) rows.push(f);
    return newestFirstPage(rows, q);
  }
}

/** One file's metadata as a read-store document (the bytes stay under the data folder). */
export type FileDoc = {
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  createdAt: string;
};

/**
 * `gateway_files`: one document per stored file, removed (tombstone) when the file is deleted. Indexes, tenant implied
 * first: `createdAt` (the list, newest first) and `mediaType, createdAt` (the `mediaType` filter).
 */
export const FILES: ProjectionSpec<FileDoc> = {
  name: 'gateway-files-v1',
  categories: ['file'],
  collection: { name: 'gateway_files', indexes: [['createdAt'], ['mediaType', 'createdAt']] },
  fold(current, envelope: EventEnvelope) {
    const event = { type: envelope.type, data: envelope.data } as FileEvent;
    switch (event.type) {
      case 'FileStored': {
        const f = event.data;
        return {
          name: f.name,
          mediaType: f.mediaType,
          size: f.size,
          sha256: f.sha256,
          uploadedBy: f.uploadedBy,
          createdAt: f.createdAt,
        };
      }
      case 'FileDeleted':
        return current ? null : undefined;
      default:
        return undefined;
    }
  },
};

/** The file list as a libs/read-store projection, following what block-runners and other replicas write. */
export class ReadStoreFileList extends ProjectedList<FileDoc> implements FileList {
  constructor(events: EventStore, store: ReadStore) {
    super(events, store, FILES);
  }

  async list(tenantId: string, q: FileListQuery): Promise<Page<StoredFile>> {
    const docs = await this.collection();
    const query: ListQuery<FileDoc> = {
      tenantId,
      orderBy: { field: 'createdAt', direction: 'desc' },
      limit: clampLimit(q.limit),
      cursor: q.cursor,
    };
    if (q.mediaType !== undefined) query.where = { mediaType: q.mediaType };
    const page = await docs.list(query);
    return {
      items: page.items.map(({ id, data: d }) => ({
        id,
        tenantId,
        name: d.name,
        mediaType: d.mediaType,
        size: d.size,
        sha256: d.sha256,
        uploadedBy: d.uploadedBy,
        createdAt: d.createdAt,
      })),
      nextCursor: page.nextCursor,
    };
  }
}
