import { reconnectDelay } from './backoff';
import { createFrameBatcher } from './frameBatcher';

describe('reconnectDelay', () => {
  it('grows exponentially with jitter and a cap', () => {
    expect(reconnectDelay(0, 0)).toBe(250);
    expect(reconnectDelay(0, 0.999)).toBeLessThanOrEqual(500);
    expect(reconnectDelay(3, 1)).toBe(4000);
    expect(reconnectDelay(20, 1)).toBe(15000);
  });
});

describe('frameBatcher', () => {
  it('flushes once per frame with everything pushed in between', () => {
    const frames: Array<() => void> = [];
    const flushed: number[][] = [];
    const b = createFrameBatcher<number>(
      (xs) => flushed.push(xs),
      (cb) => frames.push(cb),
    );
    b.push(1);
    b.push(2);
    b.push(3);
    expect(frames).toHaveLength(1);
    frames[0]();
    b.push(4);
    frames[1]();
    expect(flushed).toEqual([[1, 2, 3], [4]]);
  });
});
