import { createRegistry } from '@agentry/blocks';
import type { BlockDefinition, BlockRegistry } from '@agentry/block-sdk';
import type { EventStore, SnapshotStore, WorkQueue } from '@agentry/event-log';
import { connect, countEvents, ServiceAdmin, startGrpcServer } from '@agentry/grpc';
import { newId, systemClock } from '@agentry/kernel';
import type { Logger } from '@agentry/observability';
import { graphFromProto, graphV1 } from '@agentry/proto-ts';
import { openReadStore } from '@agentry/read-store';
import { createExecutionEngine, inlinePureBlocks } from './app/engine';
import { ReadStoreExecutionList } from './app/execution-list-read-store';
import { cachingGraphReader } from './app/graph-cache';
import { ExecutionOwnership, hasPartitions } from './app/ownership';
import type { GraphReader } from './app/ports';
import { executionGrpcService } from './adapters/grpc/server';

/**
 * Pure, quick blocks run in the engine itself: no side effects, no credentials, no network, and none that
 * compute for long (code sandbox), wait (time) or touch the block key-value store (storage).
 */
const runsInline = (block: BlockDefinition): boolean =>
  inlinePureBlocks(block) && !block.categories.some((c) => c === 'CODE' || c === 'TIME' || c === 'STORAGE');

export interface ExecutionServiceOptions {
  events: EventStore;
  queue: WorkQueue;
  /** Snapshots of long executions (the log's `snapshots`): a restart folds only the events after one. Default: none. */
  snapshots?: SnapshotStore;
  /** Events between snapshots of one execution (default 1000). */
  snapshotEvery?: number;
  logger: Logger;
  graphAddress: string;
  blocks?: BlockRegistry;
  host?: string;
  port?: number;
  /** How often timeouts, retry timers and expired leases are checked. */
  tickMs?: number;
  /** A RUNNING attempt without a report for this long is re-dispatched (rule 12). */
  leaseTimeoutMs?: number;
  /** Run pure blocks inside the engine (one append, no queue round trip). Default true. */
  inlineBlocks?: boolean;
  /** AGENTRY_READ_STORE: `mongo` keeps the execution list in MongoDB at `mongoUrl`; otherwise it is in memory. */
  readStore?: 'sqlite' | 'mongo';
  mongoUrl?: string;
}

export async function startExecutionService(options: ExecutionServiceOptions) {
  const graphClient = connect(graphV1.GraphServiceClient, options.graphAddress);
  const remoteGraphs: GraphReader = {
    async get(tenantId, graphId, version) {
      const { graph } = await graphClient.getGraph({
        caller: { tenantId, userId: '', roles: [] },
        graphId,
        version: version ?? 0,
      });
      return graphFromProto(graph!);
    },
  };
  const graphs = cachingGraphReader(remoteGraphs, options.events);
  // --- read store (issue #10): AGENTRY_READ_STORE=mongo projects the execution list into MongoDB
  const readStore =
    options.readStore === 'mongo' ? await openReadStore({ backend: 'mongo', mongoUrl: options.mongoUrl }) : undefined;
  const executionList = readStore ? () => new ReadStoreExecutionList(options.events, readStore) : undefined;
  // --- end read store
  // --- partition ownership (issue #10): on a log with partitions (Kafka) the replicas share the executions by partition
  let ownership: ExecutionOwnership | undefined;
  const owns = hasPartitions(options.events) ? (executionId: string) => ownership?.owns(executionId) ?? false : undefined;
  // --- end partition ownership
  const engine = createExecutionEngine({
    events: options.events,
    queue: options.queue,
    graphs,
    blocks: options.blocks ?? createRegistry(),
    clock: systemClock,
    newId,
    executionList,
    options: {
      logger: options.logger,
      leaseTimeoutMs: options.leaseTimeoutMs,
      inlineBlocks: options.inlineBlocks === false ? undefined : runsInline,
      snapshots: options.snapshots,
      snapshotEvery: options.snapshotEvery,
      owns,
    },
  });
  if (hasPartitions(options.events)) {
    // each replica rebuilds and resumes the executions of the partitions assigned to it (and of later rebalances)
    ownership = new ExecutionOwnership(options.events, engine, options.logger).start();
    await ownership.ready;
  } else await engine.recover();
  // --- admin (issue #6): a drain refuses new executions and forks (UNAVAILABLE) while running ones go on; a
  // rebuild drops the state cache and folds the execution index again from the log.
  const admin = new ServiceAdmin('execution', {
    rebuild: async () => {
      await engine.rebuildReadModels();
      return [{ readModel: 'executions', events: await countEvents(options.events, ['execution']) }];
    },
  });
  const admitted = {
    ...engine,
    requestExecution: (cmd: Parameters<typeof engine.requestExecution>[0]) =>
      admin.run('executions', () => engine.requestExecution(cmd)),
    fork: (...args: Parameters<typeof engine.fork>) => admin.run('forks', () => engine.fork(...args)),
  };
  // --- end admin
  const server = await startGrpcServer({
    services: [executionGrpcService(admitted, options.events), admin.registration()],
    host: options.host,
    port: options.port,
  });
  let ticking = false;
  const timer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    engine
      .tick()
      .catch((err: unknown) => options.logger.error({ err }, 'engine tick failed'))
      .finally(() => (ticking = false));
  }, options.tickMs ?? 250);
  timer.unref();
  options.logger.info({ address: server.address }, 'execution service listening');
  return {
    name: 'execution' as const,
    engine,
    address: server.address,
    port: server.port,
    /** Partitions this replica owns (Kafka); undefined on logs without partitions. */
    ownedPartitions: () => ownership?.partitions(),
    close: async () => {
      clearInterval(timer);
      await ownership?.close();
      await server.close();
      await engine.close();
      await readStore?.close();
      graphClient.close();
    },
  };
}
