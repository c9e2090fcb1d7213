import type { EventStore } from '@agentry/event-log';
import type { Graph } from '@agentry/kernel';
import type { GraphReader } from './ports';

const PAGE = 1000;

/**
 * Graphs read through a cache, so that starting an execution does not cost a gRPC round trip to the graph
 * service each time. Exact: before every read it folds what the log got in the `graph` category since the last
 * read (one indexed read, usually empty) and drops the cached versions of every graph that changed (a new
 * version changes which one is active; a deletion removes it). A change committed before a start is therefore
 * seen by that start. Bounded: the oldest entries go first.
 */
export function cachingGraphReader(inner: GraphReader, events: EventStore, max = 1000): GraphReader {
  const cache = new Map<string, Graph>();
  const keysByGraph = new Map<string, Set<string>>();
  let position: number | undefined;
  let tail: Promise<void> = Promise.resolve();

  function drop(graphId: string): void {
    for (const key of keysByGraph.get(graphId) ?? []) cache.delete(key);
    keysByGraph.delete(graphId);
  }

  async function catchUp(): Promise<void> {
    if (position === undefined) {
      position = await events.headPosition();
      return;
    }
    for (;;) {
      const page = await events.readAll({ after: position, limit: PAGE, categories: ['graph'] });
      for (const e of page) {
        position = e.globalPosition;
        drop(e.streamId.slice('graph-'.length));
      }
      if (page.length < PAGE) return;
    }
  }

  return {
    async get(tenantId, graphId, version) {
      const caughtUp = tail.then(catchUp);
      tail = caughtUp.catch(() => undefined);
      await caughtUp;
      const key = `${tenantId}/${graphId}/${version ?? 'active'}`;
      const hit = cache.get(key);
      if (hit) return hit;
      const graph = await inner.get(tenantId, graphId, version);
      if (cache.size >= max) {
        const oldest = cache.keys().next().value as string;
        cache.delete(oldest);
      }
      cache.set(key, graph);
      let keys = keysByGraph.get(graphId);
      if (!keys) keysByGraph.set(graphId, (keys = new Set()));
      keys.add(key);
      return graph;
    },
  };
}
