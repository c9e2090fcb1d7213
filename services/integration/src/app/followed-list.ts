import type { EventStore } from '@agentry/event-log';
import type { EventEnvelope } from '@agentry/kernel';
import { ReadModelProjection, type ProjectionSpec, type ReadDocument, type ReadStore } from '@agentry/read-store';

export interface FollowedListOptions {
  /** How often other replicas' writes are folded in (default 1000 ms; 0 = never). */
  followMs?: number;
  onError?: (err: unknown) => void;
}

/**
 * What the integration service's read-store lists share: a `ReadModelProjection` caught up on start and followed for
 * other replicas' writes, to which the service applies its own appends at once. Each list adds its query.
 */
export abstract class FollowedList<T extends ReadDocument> {
  protected readonly projection: ReadModelProjection<T>;
  private stopFollowing?: () => void;

  constructor(
    events: EventStore,
    store: ReadStore,
    spec: ProjectionSpec<T>,
    private readonly options: FollowedListOptions = {},
  ) {
    this.projection = new ReadModelProjection(events, store, spec);
  }

  async start(): Promise<void> {
    await this.projection.catchUp();
    this.stopFollowing ??= this.projection.follow(this.options.followMs ?? 1000, this.options.onError);
  }

  async catchUp(): Promise<void> {
    await this.projection.catchUp();
  }

  /** A failed write is reported, not thrown: the event is in the log, and the next catch-up writes it. */
  async apply(events: EventEnvelope[]): Promise<void> {
    await this.projection.apply(events).catch((err: unknown) => this.options.onError?.(err));
  }

  async close(): Promise<void> {
    this.stopFollowing?.();
    this.stopFollowing = undefined;
    await this.projection.idle();
  }
}
