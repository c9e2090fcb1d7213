/** Collects items and flushes them at most once per animation frame (or timer tick where rAF is absent). */
export interface FrameBatcher<T> {
  push(item: T): void;
  flushNow(): void;
  dispose(): void;
}

export function createFrameBatcher<T>(
  flush: (items: T[]) => void,
  schedule: (cb: () => void) => unknown = (cb) =>
    typeof requestAnimationFrame === 'function' ? requestAnimationFrame(cb) : setTimeout(cb, 16),
): FrameBatcher<T> {
  let queue: T[] = [];
  let scheduled = false;
  let disposed = false;
  const run = (): void => {
    scheduled = false;
    if (disposed || !queue.length) return;
    const items = queue;
    queue = [];
    flush(items);
  };
  return {
    push(item) {
      if (disposed) return;
      queue.push(item);
      if (!scheduled) {
        scheduled = true;
        schedule(run);
      }
    },
    flushNow: run,
    dispose() {
      disposed = true;
      queue = [];
    },
  };
}
