import { DomainError, type Clock } from '@agentry/kernel';

/** Requests that start new work (an execution) rather than read or change a definition. */
const NEW_WORK =
  /^\/v1\/(graphs\/[^/]+\/execute|library\/[^/]+\/run|webhooks\/[^/]+|executions\/[^/]+\/(fork|replay|retry))$/;

/**
 * The gateway's drain (before an upgrade): it stops taking new work — execution starts answer 503 UNAVAILABLE and
 * /readyz fails, so a load balancer sends nothing more — while requests already in flight finish. Drained when none is left.
 */
export class Drain {
  private since?: string;
  private inFlight = 0;

  constructor(private readonly clock: Clock) {}

  get draining(): boolean {
    return this.since !== undefined;
  }

  start(): void {
    this.since ??= this.clock.now().toISOString();
  }

  resume(): void {
    this.since = undefined;
  }

  /** Counts a request in flight until the returned function is called (once). */
  track(): () => void {
    this.inFlight++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight--;
    };
  }

  /** Refuses a request that would start new work while draining. */
  admit(method: string, path: string): void {
    if (this.draining && method === 'POST' && NEW_WORK.test(path))
      throw new DomainError(
        'UNAVAILABLE',
        'the gateway is draining and takes no new work; retry on another replica or after the upgrade',
      );
  }

  /** `ignore`: requests of the caller itself (the one asking for the status). */
  status(ignore = 0): { draining: boolean; since?: string; inFlight: number; drained: boolean } {
    const inFlight = Math.max(0, this.inFlight - ignore);
    return { draining: this.draining, since: this.since, inFlight, drained: this.draining && inFlight === 0 };
  }
}
