/** A sleep that ends early when woken: used by pollers that are also notified in-process. */
export class Wakeup {
  private pending: (() => void) | undefined;
  private woken = false;

  wake(): void {
    if (this.pending) this.pending();
    else this.woken = true;
  }

  wait(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.pending = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.pending = done;
    });
  }
}

/** A promise that can be settled from outside, and never reports an unhandled rejection on its own. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  let settled = false;
  const promise = new Promise<T>((res, rej) => {
    resolve = (v) => {
      settled = true;
      res(v);
    };
    reject = (e) => {
      settled = true;
      rej(e);
    };
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject, get settled() { return settled; } };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
