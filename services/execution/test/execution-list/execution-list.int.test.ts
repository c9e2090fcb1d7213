import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteReadStore } from '@agentry/read-store';
import { ExecutionIndex } from '../../src/app/execution-index';
import { ReadStoreExecutionList } from '../../src/app/execution-list-read-store';
import type { ExecutionEvent } from '../../src/domain/execution/events';
import { MemoryEventStore } from '../support/memory-event-log';
import { executionListContract } from './contract';

executionListContract('in memory (ExecutionIndex)', async (events) => ({ list: new ExecutionIndex(events), dispose: async () => {} }));

executionListContract('read store on SQLite', async (events) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-execution-list-'));
  const store = createSqliteReadStore({ path: path.join(dir, 'read.db') });
  const list = new ReadStoreExecutionList(events, store);
  return {
    list,
    dispose: async () => {
      await list.close();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('read-store execution list specifics (SQLite)', () => {
  it('resumes from its checkpoint on a persistent store and repairs appends whose apply was lost', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-execution-list-'));
    const file = path.join(dir, 'read.db');
    const events = new MemoryEventStore();
    const request = (id: string, at: string) =>
      events.append(`execution-${id}`, [{ type: 'ExecutionRequested', data: { executionId: id, tenantId: 't-a', userId: 'u', graphId: 'g', graphVersion: 1, inputs: {}, trigger: 'api', budget: {}, autoApproveReviews: false, plan: { nodes: [], links: [] }, requestedAt: at } }], { expectedVersion: 0, tenantId: 't-a' });
    try {
      await request('a', '2026-11-21T01:00:00.000Z');
      const firstStore = createSqliteReadStore({ path: file });
      const first = new ReadStoreExecutionList(events, firstStore);
      await first.ensureBuilt();
      // appended while running, but the process dies before the list applies it
      await request('b', '2026-11-21T02:00:00.000Z');
      await first.close();
      await firstStore.close();
      const readAll = jest.spyOn(events, 'readAll');
      const secondStore = createSqliteReadStore({ path: file });
      const second = new ReadStoreExecutionList(events, secondStore);
      await second.ensureBuilt();
      // it read only what came after the previous build
      expect(readAll.mock.calls.every(([o]) => (o?.after ?? 0) >= 1)).toBe(true);
      expect((await second.list('t-a', {})).items.map((s) => s.id)).toEqual(['b', 'a']);
      expect(await second.tenantCounts('t-a', '2026-11-21')).toEqual({ running: 2, requestedOnDay: 2 });
      const done: ExecutionEvent = { type: 'ExecutionCompleted', data: { endedAt: '2026-11-21T02:00:01.000Z' } };
      const r = await events.append('execution-a', [done], { expectedVersion: 1, tenantId: 't-a' });
      // a live event of an execution this process never saw requested: its tenant comes from the store
      await second.apply('a', { version: 2 }, [done], r.events.map((e) => e.globalPosition));
      expect(await second.nonTerminalIds()).toEqual(['b']);
      await second.close();
      await secondStore.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
