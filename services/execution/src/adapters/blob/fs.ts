import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DomainError } from '@agentry/kernel';
import type { BlobRef } from '../../domain/blob-ref';
import type { BlobStore } from '../../app/ports';
import { blobKey } from './memory';

/**
 * Content-addressed blobs on disk: `<dir>/<first 2 hex>/<hash>.json`, written to a temp file and renamed,
 * so a crash never leaves a half-written blob under its final name. Same content = same file.
 */
export class FsBlobStore implements BlobStore {
  constructor(private readonly dir: string) {}

  private pathOf(key: string): string {
    const hex = key.replace(/^sha256:/, '');
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new DomainError('MALFORMED_REQUEST', `not a blob reference: ${key}`);
    return join(this.dir, hex.slice(0, 2), `${hex}.json`);
  }

  async put(tenantId: string, value: unknown): Promise<BlobRef> {
    const json = JSON.stringify(value);
    const key = blobKey(tenantId, json);
    const path = this.pathOf(key);
    await mkdir(join(path, '..'), { recursive: true });
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, json);
    await rename(tmp, path);
    return { $blobRef: key, size: Buffer.byteLength(json) };
  }

  async get(ref: BlobRef): Promise<unknown> {
    try {
      return JSON.parse(await readFile(this.pathOf(ref.$blobRef), 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new DomainError('NOT_FOUND', `blob ${ref.$blobRef} not found`, { what: 'blob', id: ref.$blobRef });
      throw err;
    }
  }
}
