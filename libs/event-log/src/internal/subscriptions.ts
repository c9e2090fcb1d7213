import type { Subscription } from '../ports';

interface RunningSubscription {
  caughtUp: Promise<void>;
  close(): Promise<void>;
}

/** The live subscriptions of one store: each hands out a Subscription that forgets itself on close, and closeAll ends them all. */
export function subscriptionSet() {
  const live = new Set<RunningSubscription>();
  return {
    track(sub: RunningSubscription): Subscription {
      live.add(sub);
      return {
        caughtUp: sub.caughtUp,
        close: async () => {
          live.delete(sub);
          await sub.close();
        },
      };
    },
    async closeAll(): Promise<void> {
      await Promise.all([...live].map((s) => s.close()));
      live.clear();
    },
  };
}
