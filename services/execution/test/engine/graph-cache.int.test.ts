import type { Graph } from '@agentry/kernel';
import { cachingGraphReader } from '../../src/app/graph-cache';
import { graph, MemoryGraphs, TENANT } from '../support/graphs';
import { tempSqliteLog } from '../support/sqlite';

describe('graph reads through a cache that the graph category of the log invalidates', () => {
  it('serves repeated reads from memory and re-reads a graph once an event of its stream is committed', async () => {
    const sqlite = tempSqliteLog();
    try {
      const memory = new MemoryGraphs();
      const a = graph([['n', 't-echo']], [], 'graph-a');
      const b = graph([['n', 't-echo']], [], 'graph-b');
      memory.add(a, b);
      let calls = 0;
      const reader = cachingGraphReader({ get: (t, id, v) => (calls++, memory.get(t, id, v)) }, sqlite.log.events);
      expect(await reader.get(TENANT, 'graph-a')).toBe(a);
      expect(await reader.get(TENANT, 'graph-a')).toBe(a);
      expect(await reader.get(TENANT, 'graph-b')).toBe(b);
      expect(calls).toBe(2);

      // A new version of graph-a (what the graph service appends) makes it the active one.
      const a2: Graph = { ...a, version: 2 };
      memory.add(a2);
      await sqlite.log.events.append(
        'graph-graph-a',
        [{ type: 'GraphVersionCreated', data: { graphId: 'graph-a', version: 2 } }],
        { expectedVersion: 'any', tenantId: TENANT },
      );
      (await memory.get(TENANT, 'graph-a', 1)).isActive = false;
      expect(await reader.get(TENANT, 'graph-a')).toBe(a2);
      expect(await reader.get(TENANT, 'graph-b')).toBe(b);
      expect(calls).toBe(3);
      await expect(reader.get(TENANT, 'graph-missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await sqlite.dispose();
    }
  });
});
