export { eventStoreContract } from './event-store.contract';
export { workQueueContract } from './work-queue.contract';
export { snapshotStoreContract } from './snapshots.contract';
export {
  waitUntil,
  type ContractOptions,
  type EventLogClient,
  type EventLogFixture,
  type MakeFixture,
} from './harness';
