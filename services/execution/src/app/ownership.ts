import type { EventStore, PartitionRef, Subscription } from '@agentry/event-log';
import type { EventEnvelope } from '@agentry/kernel';
import type { EngineLogger } from './ports';

/** What ownership needs of the engine (ExecutionEngine has all of it). */
export interface OwnedEngine {
  recover(filter?: (executionId: string) => boolean | Promise<boolean>): Promise<void>;
  release(filter: (executionId: string) => boolean | Promise<boolean>): Promise<number>;
  observe(event: EventEnvelope): void;
}

type PartitionedStore = EventStore & { partitionOf: NonNullable<EventStore['partitionOf']> };

/** Whether the log has partitions (Kafka): then replicas of the execution service share the work by partition. */
export const hasPartitions = (events: EventStore): events is PartitionedStore =>
  typeof events.partitionOf === 'function';

/**
 * Which executions this replica looks after, on a log with partitions (Kafka; ENGINE rule 14 "moving a partition").
 * The replicas form one consumer group on the `execution` category. Each one rebuilds and resumes the unfinished
 * executions of the partitions assigned to it, ticks only those (deadlines, node timeouts, lease expiry), and forgets
 * them when a rebalance takes their partition away; the log is the only state they share. Commands for any
 * execution are still served by any replica: appends with expected versions keep them consistent, and the events
 * of other writers that reach this subscription drop the cached states they outdate.
 */
export class ExecutionOwnership {
  private readonly owned = new Set<number>();
  private subscription?: Subscription;
  /** Resolves once the first assignment has been handled (this replica knows what it owns). */
  readonly ready: Promise<void>;
  private markReady!: () => void;

  constructor(
    private readonly events: PartitionedStore,
    private readonly engine: OwnedEngine,
    private readonly logger: EngineLogger & { info?: (obj: object, msg: string) => void },
    private readonly consumer = 'execution-owners',
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  async owns(executionId: string): Promise<boolean> {
    return this.owned.has((await this.events.partitionOf(`execution-${executionId}`)).partition);
  }

  /** Partitions this replica owns now. */
  partitions(): number[] {
    return [...this.owned].sort((a, b) => a - b);
  }

  start(): this {
    this.subscription = this.events.subscribe({
      consumer: this.consumer,
      categories: ['execution'],
      startAt: 'end',
      handler: (e) => this.engine.observe(e),
      onError: (err) =>
        this.logger.error(
          { error: err instanceof Error ? err.message : String(err) },
          'execution ownership subscription stopped',
        ),
      ownership: {
        assigned: (ps) => this.assigned(ps),
        revoked: (ps) => this.revoked(ps),
      },
    });
    void this.subscription.caughtUp.then(
      () => this.markReady(),
      () => undefined,
    );
    return this;
  }

  private async assigned(ps: PartitionRef[]): Promise<void> {
    const gained = new Set(ps.filter((p) => p.category === 'execution').map((p) => p.partition));
    for (const p of gained) this.owned.add(p);
    this.logger.info?.({ partitions: [...gained], owned: this.partitions() }, 'execution partitions assigned');
    await this.engine.recover(async (id) => gained.has((await this.events.partitionOf(`execution-${id}`)).partition));
    this.markReady();
  }

  private async revoked(ps: PartitionRef[]): Promise<void> {
    for (const p of ps) if (p.category === 'execution') this.owned.delete(p.partition);
    const released = await this.engine.release(async (id) => !(await this.owns(id)));
    this.logger.info?.({ partitions: ps.map((p) => p.partition), released }, 'execution partitions revoked');
  }

  async close(): Promise<void> {
    await this.subscription?.close();
  }
}
