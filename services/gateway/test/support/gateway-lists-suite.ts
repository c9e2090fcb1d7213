import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteEventLog } from '@agentry/event-log/sqlite';
import { newId, type Clock } from '@agentry/kernel';
import type { ReadStore } from '@agentry/read-store';
import { API_KEYS, ApiKeys, FILES, Files, ReadStoreApiKeyList, ReadStoreFileList } from '../../src';
import { hashSecret } from '../../src/domain/accounts/secrets';

/** How a list backend is made for one test: no store (the in-memory lists) or a fresh read store. */
export interface ListBackend {
  name: string;
  open(): Promise<{ store?: ReadStore; dispose(): Promise<void> }>;
}

export const memoryBackend: ListBackend = { name: 'in memory', open: async () => ({ dispose: async () => undefined }) };

/** A clock one second further on each reading: distinct, ordered creation times. */
function steppingClock(): Clock {
  let t = Date.parse('2026-01-01T00:00:00.000Z');
  return { now: () => new Date((t += 1000)) };
}

type Paged<T> = { items: T[]; nextCursor?: string };

/** Every page of a list, following its cursors. */
async function allPages<T>(read: (cursor?: string) => Promise<Paged<T>>): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    pages.push(page.items);
    cursor = page.nextCursor;
    if (pages.length > 100) throw new Error('the cursor does not advance');
  } while (cursor);
  return pages;
}

/**
 * The gateway's API-key and file lists on one backend: tenant isolation, revoked keys and deleted files as the API
 * shows them, paging past one page, a second replica on the same log and store, replays that change nothing, and
 * no secret in the read store.
 */
export function gatewayListsSuite(backend: ListBackend): void {
  describe(`gateway lists: ${backend.name}`, () => {
    let log: ReturnType<typeof createSqliteEventLog>;
    let opened: { store?: ReadStore; dispose(): Promise<void> };
    let dir: string;
    let clock: Clock;
    const closers: Array<() => Promise<void>> = [];

    beforeEach(async () => {
      log = createSqliteEventLog({ path: ':memory:' });
      opened = await backend.open();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-gw-lists-'));
      clock = steppingClock();
    });
    afterEach(async () => {
      for (const close of closers.splice(0)) await close();
      await opened.dispose();
      await log.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const listErrors: unknown[] = [];
    async function startKeys(store: ReadStore | undefined = opened.store): Promise<ApiKeys> {
      const keys = new ApiKeys({
        events: log.events,
        clock,
        newId,
        readModels: store,
        onListError: (e) => listErrors.push(e),
      });
      await keys.start();
      closers.push(() => keys.close());
      return keys;
    }
    async function startFiles(store: ReadStore | undefined = opened.store): Promise<Files> {
      const files = new Files({
        events: log.events,
        clock,
        newId,
        dir,
        readModels: store,
        onListError: (e) => listErrors.push(e),
      });
      await files.start();
      closers.push(() => files.close());
      return files;
    }
    const newKey = (keys: ApiKeys, tenantId: string, name: string, scopes = ['graphs:read']) =>
      keys.create({ tenantId, userId: `${tenantId}-user`, name, scopes });
    const storeFile = (files: Files, tenantId: string, name: string, mediaType = 'text/plain') =>
      files.store({ tenantId, userId: `${tenantId}-user`, name, mediaType, data: Buffer.from(`${name} bytes`) });
    const ids = (page: Paged<{ id: string }>) => page.items.map((i) => i.id);

    describe('API keys', () => {
      it('lists only the tenant’s keys, newest first, with revoked ones as the status filter says', async () => {
        const keys = await startKeys();
        const a1 = await newKey(keys, 'tenant-a', 'first', ['graphs:read', 'executions:write']);
        const a2 = await newKey(keys, 'tenant-a', 'second');
        const b1 = await newKey(keys, 'tenant-b', 'bob’s');
        await keys.revoke('tenant-a', a1.key.id, 'tenant-a-user');
        keys.authenticate(a2.secret);
        await new Promise((r) => setImmediate(r)); // the use is written to the log in the background

        const all = await keys.list('tenant-a');
        expect(ids(all)).toEqual([a2.key.id, a1.key.id]);
        expect(all.nextCursor).toBeUndefined();
        expect(all.items[1]).toEqual({
          id: a1.key.id,
          tenantId: 'tenant-a',
          userId: 'tenant-a-user',
          name: 'first',
          scopes: ['executions:write', 'graphs:read'],
          prefix: a1.secret.slice(0, 12),
          createdAt: a1.key.createdAt,
          expiresAt: undefined,
          lastUsedAt: undefined,
          revokedAt: expect.any(String),
        });
        expect(all.items[0]).toMatchObject({ name: 'second', lastUsedAt: expect.any(String), revokedAt: undefined });
        expect(ids(await keys.list('tenant-a', { status: 'active' }))).toEqual([a2.key.id]);
        expect(ids(await keys.list('tenant-a', { status: 'revoked' }))).toEqual([a1.key.id]);
        expect(ids(await keys.list('tenant-b'))).toEqual([b1.key.id]);
        expect(ids(await keys.list('tenant-b', { status: 'revoked' }))).toEqual([]);
        expect((await keys.list('tenant-c')).items).toEqual([]);
        expect(listErrors).toEqual([]);
      });

      it('pages past one page with cursors, with and without the status filter', async () => {
        const keys = await startKeys();
        const created: string[] = [];
        for (let i = 0; i < 23; i++) created.push((await newKey(keys, 'tenant-a', `key ${i}`)).key.id);
        await newKey(keys, 'tenant-b', 'other');
        for (const i of [0, 5, 6, 22]) await keys.revoke('tenant-a', created[i], 'tenant-a-user');
        const newestFirst = [...created].reverse();

        for (const limit of [1, 5, 7]) {
          const pages = await allPages((cursor) => keys.list('tenant-a', { cursor, limit }));
          expect(pages).toHaveLength(Math.ceil(23 / limit));
          expect(pages.flat().map((k) => k.id)).toEqual(newestFirst);
        }
        const active = (
          await allPages((cursor) => keys.list('tenant-a', { status: 'active', cursor, limit: 4 }))
        ).flat();
        expect(active.map((k) => k.id)).toEqual(
          newestFirst.filter((id) => ![0, 5, 6, 22].some((i) => created[i] === id)),
        );
        const revoked = (
          await allPages((cursor) => keys.list('tenant-a', { status: 'revoked', cursor, limit: 3 }))
        ).flat();
        expect(revoked.map((k) => k.id)).toEqual([created[22], created[6], created[5], created[0]]);
        await expect(keys.list('tenant-a', { cursor: 'bm9wZQ' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      });

      it('a second replica on the same log and store lists the keys the first wrote, after catching up', async () => {
        const first = await startKeys();
        const second = await startKeys();
        const k = await newKey(first, 'tenant-a', 'shared');
        await second.sync();
        expect(ids(await second.list('tenant-a'))).toEqual([k.key.id]);
        await first.revoke('tenant-a', k.key.id, 'tenant-a-user');
        await second.sync();
        expect((await second.list('tenant-a', { status: 'revoked' })).items.map((x) => x.name)).toEqual(['shared']);
        // a writer whose list write never happened (an in-memory replica, or a crash right after the append)
        const blind = await startKeys(undefined);
        const hidden = await newKey(blind, 'tenant-a', 'written elsewhere');
        await second.sync();
        expect(ids(await second.list('tenant-a'))).toEqual([hidden.key.id, k.key.id]);
        // a replica started later (a restart) has them too
        const third = await startKeys();
        expect(ids(await third.list('tenant-a'))).toEqual([hidden.key.id, k.key.id]);
      });

      it('a replay (catching up again, the same events applied twice, a rebuild) changes nothing', async () => {
        const keys = await startKeys();
        const a = await newKey(keys, 'tenant-a', 'a');
        await newKey(keys, 'tenant-a', 'b');
        await keys.revoke('tenant-a', a.key.id, 'tenant-a-user');
        const before = await keys.list('tenant-a');
        await keys.sync();
        await keys.rebuild();
        if (opened.store) {
          const events = await log.events.readAll({ after: 0, limit: 1000, categories: ['apikey'] });
          const again = new ReadStoreApiKeyList(log.events, opened.store);
          await again.apply(events);
          await again.apply(events);
          await again.apply(events.slice(0, 1)); // an old event alone does not bring back an older state
          await again.close();
          const docs = await opened.store.collection(API_KEYS.collection);
          expect((await docs.get('tenant-a', a.key.id))?.position).toBe(events[events.length - 1].globalPosition);
        }
        expect(await keys.list('tenant-a')).toEqual(before);
      });

      it('never keeps a key or its hash in a list or a read-store document', async () => {
        const keys = await startKeys();
        const made = await Promise.all([newKey(keys, 'tenant-a', 'one'), newKey(keys, 'tenant-a', 'two')]);
        keys.authenticate(made[0].secret);
        await new Promise((r) => setImmediate(r));
        const listed = JSON.stringify(await keys.list('tenant-a'));
        for (const { secret } of made) {
          expect(listed).not.toContain(secret);
          expect(listed).not.toContain(hashSecret(secret));
        }
        expect(listed).not.toContain('keyHash');
        if (opened.store) {
          const docs = await opened.store.collection(API_KEYS.collection);
          const stored = JSON.stringify((await docs.list({ tenantId: 'tenant-a', limit: 500 })).items);
          expect(stored).toContain('"prefix"');
          for (const { secret } of made) {
            expect(stored).not.toContain(secret);
            expect(stored).not.toContain(hashSecret(secret));
          }
          expect(stored).not.toMatch(/hash/i);
        }
      });
    });

    describe('files', () => {
      it('lists only the tenant’s live files, newest first, filtered by media type', async () => {
        const files = await startFiles();
        const a1 = await storeFile(files, 'tenant-a', 'notes.txt');
        const a2 = await storeFile(files, 'tenant-a', 'data.json', 'application/json');
        const a3 = await storeFile(files, 'tenant-a', 'more.txt');
        const b1 = await storeFile(files, 'tenant-b', 'bob.txt');
        await files.delete('tenant-a', a3.id, 'tenant-a-user');

        const all = await files.list('tenant-a');
        expect(ids(all)).toEqual([a2.id, a1.id]);
        expect(all.items[1]).toEqual(a1);
        expect(ids(await files.list('tenant-a', { mediaType: 'text/plain' }))).toEqual([a1.id]);
        expect(ids(await files.list('tenant-a', { mediaType: 'image/png' }))).toEqual([]);
        expect(ids(await files.list('tenant-b'))).toEqual([b1.id]);
        expect((await files.list('tenant-c')).items).toEqual([]);
        expect(listErrors).toEqual([]);
      });

      it('pages past one page with cursors, deleted files left out (also between pages)', async () => {
        const files = await startFiles();
        const created: string[] = [];
        for (let i = 0; i < 17; i++)
          created.push((await storeFile(files, 'tenant-a', `f${i}`, i % 3 ? 'text/plain' : 'image/png')).id);
        await storeFile(files, 'tenant-b', 'other');
        await files.delete('tenant-a', created[4], 'tenant-a-user');
        const live = [...created].reverse().filter((id) => id !== created[4]);
        for (const limit of [1, 4, 6]) {
          const pages = await allPages((cursor) => files.list('tenant-a', { cursor, limit }));
          expect(pages).toHaveLength(Math.ceil(16 / limit));
          expect(pages.flat().map((f) => f.id)).toEqual(live);
        }
        const images = (
          await allPages((cursor) => files.list('tenant-a', { mediaType: 'image/png', cursor, limit: 2 }))
        )
          .flat()
          .map((f) => f.name);
        expect(images).toEqual(['f15', 'f12', 'f9', 'f6', 'f3', 'f0']);
        // the last item of a page is deleted before the next page is read: the cursor still holds
        const first = await files.list('tenant-a', { limit: 5 });
        await files.delete('tenant-a', first.items[4].id, 'tenant-a-user');
        const next = await files.list('tenant-a', { limit: 5, cursor: first.nextCursor });
        expect(ids(next)).toEqual(live.slice(5, 10));
      });

      it('a second replica on the same log and store lists the files the first wrote, after catching up', async () => {
        const first = await startFiles();
        const second = await startFiles();
        const f = await storeFile(first, 'tenant-a', 'shared.txt');
        await second.sync();
        expect(ids(await second.list('tenant-a'))).toEqual([f.id]);
        // a block-runner writes file events straight to the log
        const written = {
          id: newId(),
          tenantId: 'tenant-a',
          name: 'from a block.txt',
          mediaType: 'text/plain',
          size: 3,
          sha256: 'x',
          uploadedBy: 'block',
          createdAt: '2027-01-01T00:00:00.000Z',
        };
        await log.events.append(`file-${written.id}`, [{ type: 'FileStored', data: written }], {
          expectedVersion: 0,
          tenantId: 'tenant-a',
        });
        await first.delete('tenant-a', f.id, 'tenant-a-user');
        await second.sync();
        expect(ids(await second.list('tenant-a'))).toEqual([written.id]);
        const third = await startFiles();
        expect(ids(await third.list('tenant-a'))).toEqual([written.id]);
      });

      it('a replay (catching up again, the same events applied twice, a rebuild) changes nothing', async () => {
        const files = await startFiles();
        const a = await storeFile(files, 'tenant-a', 'a.txt');
        await storeFile(files, 'tenant-a', 'b.txt');
        await files.delete('tenant-a', a.id, 'tenant-a-user');
        const before = await files.list('tenant-a');
        expect(before.items).toHaveLength(1);
        await files.sync();
        await files.rebuild();
        if (opened.store) {
          const events = await log.events.readAll({ after: 0, limit: 1000, categories: ['file'] });
          const again = new ReadStoreFileList(log.events, opened.store);
          await again.apply(events);
          await again.apply(events);
          await again.apply(events.slice(0, 1)); // the deleted file's FileStored again: it stays deleted
          await again.close();
          const docs = await opened.store.collection(FILES.collection);
          expect(await docs.get('tenant-a', a.id)).toBeUndefined();
        }
        expect(await files.list('tenant-a')).toEqual(before);
      });
    });
  });
}
