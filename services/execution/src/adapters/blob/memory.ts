import { createHash } from 'node:crypto';
import { DomainError } from '@agentry/kernel';
import type { BlobRef } from '../../domain/blob-ref';
import type { BlobStore } from '../../app/ports';

export const blobKey = (tenantId: string, json: string) =>
  `sha256:${createHash('sha256').update(tenantId).update('\0').update(json).digest('hex')}`;

/** Content-addressed blobs in memory (tests, single-process dev). Values are stored as JSON. */
export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, string>();

  async put(tenantId: string, value: unknown): Promise<BlobRef> {
    const json = JSON.stringify(value);
    const key = blobKey(tenantId, json);
    this.blobs.set(key, json);
    return { $blobRef: key, size: Buffer.byteLength(json) };
  }

  async get(ref: BlobRef): Promise<unknown> {
    const json = this.blobs.get(ref.$blobRef);
    if (json === undefined)
      throw new DomainError('NOT_FOUND', `blob ${ref.$blobRef} not found`, { what: 'blob', id: ref.$blobRef });
    return JSON.parse(json);
  }
}
