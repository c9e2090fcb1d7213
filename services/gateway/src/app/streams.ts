import type { EventStore } from '@agentry/event-log';
import type { EventEnvelope, NewEvent } from '@agentry/kernel';
import { replayCategories } from '@agentry/runtime';

/**
 * The gateway's projections all follow one shape: fold the events of some categories into memory on start,
 * then append with the stream's known version (optimistic concurrency) and fold what was written, and follow
 * what other writers append (another gateway replica, a block-runner writing a file) by reading the log after
 * the last folded position.
 */
export class Projection {
  private readonly versions = new Map<string, number>();
  /** Highest global position folded, so a rebuild can pick up what was appended while it read. */
  private position = 0;

  constructor(
    private readonly events: EventStore,
    private readonly categories: string[],
    private readonly fold: (e: EventEnvelope) => void,
  ) {}

  async start(): Promise<void> {
    await replayCategories(this.events, this.categories, (e) => this.apply(e));
  }

  /**
   * Drops the read model and folds it again from the log. The events are read first and folded with no await in
   * between (`reset` then every event), so no request sees a half-built model; what was appended meanwhile is
   * caught up afterwards (an event already folded is skipped by its stream version).
   */
  async rebuild(reset: () => void): Promise<number> {
    const read: EventEnvelope[] = [];
    await replayCategories(this.events, this.categories, (e) => read.push(e));
    this.versions.clear();
    this.position = 0;
    reset();
    for (const e of read) this.apply(e);
    await this.catchUp();
    return read.length;
  }

  /**
   * Folds what other writers append: every `intervalMs` the log is read after the last folded position (events
   * this instance wrote itself are skipped by stream version). 0 = do not follow. Returns the stop function.
   */
  follow(intervalMs: number, onError?: (err: unknown) => void): () => void {
    if (intervalMs <= 0) return () => undefined;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const tick = async () => {
      try {
        await this.catchUp();
      } catch (err) {
        onError?.(err);
      }
      if (!stopped) {
        timer = setTimeout(() => void tick(), intervalMs);
        timer.unref();
      }
    };
    timer = setTimeout(() => void tick(), intervalMs);
    timer.unref();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  /** Folds every event of the categories appended after the last folded position. */
  async catchUp(): Promise<number> {
    let folded = 0;
    for (;;) {
      const page = await this.events.readAll({ after: this.position, limit: 1000, categories: this.categories });
      for (const e of page) {
        this.apply(e);
        // A page may hold events this instance already folded; the position still moves past them.
        this.position = Math.max(this.position, e.globalPosition);
      }
      folded += page.length;
      if (page.length < 1000) return folded;
    }
  }

  /** Appends with the stream's known version and folds what was written. */
  async append(tenantId: string, streamId: string, events: NewEvent[]): Promise<void> {
    await this.write(tenantId, streamId, events);
  }

  /** `append`, answering the appended events (for read models kept outside memory). */
  async write(tenantId: string, streamId: string, events: NewEvent[]): Promise<EventEnvelope[]> {
    const result = await this.events.append(streamId, events, {
      expectedVersion: this.versions.get(streamId) ?? 0,
      tenantId,
    });
    // Own appends do not move the read position: events other writers appended just before them are still ahead
    // of it, and `catchUp` folds them (skipping these by stream version).
    for (const e of result.events) this.apply(e, false);
    return result.events;
  }

  private apply(e: EventEnvelope, advance = true): void {
    if (advance) this.position = Math.max(this.position, e.globalPosition);
    if ((this.versions.get(e.streamId) ?? 0) >= e.streamVersion) return;
    this.versions.set(e.streamId, e.streamVersion);
    this.fold(e);
  }
}
