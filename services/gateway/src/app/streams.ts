import type { EventStore } from '@agentry/event-log';
import type { EventEnvelope, NewEvent } from '@agentry/kernel';
import { replayCategories } from '@agentry/runtime';

/**
 * The gateway's projections all follow one shape: fold the events of some categories into memory on start,
 * then append with the stream's known version (optimistic concurrency) and fold what was written.
 */
export class Projection {
  private readonly versions = new Map<string, number>();

  constructor(
    private readonly events: EventStore,
    private readonly categories: string[],
    private readonly fold: (e: EventEnvelope) => void,
  ) {}

  async start(): Promise<void> {
    await replayCategories(this.events, this.categories, (e) => this.apply(e));
  }

  async append(tenantId: string, streamId: string, events: NewEvent[]): Promise<void> {
    const result = await this.events.append(streamId, events, { expectedVersion: this.versions.get(streamId) ?? 0, tenantId });
    for (const e of result.events) this.apply(e);
  }

  private apply(e: EventEnvelope): void {
    this.versions.set(e.streamId, e.streamVersion);
    this.fold(e);
  }
}
