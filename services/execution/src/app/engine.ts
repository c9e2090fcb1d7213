import type { BlockDefinition, BlockRegistry, BlockUsage } from '@agentry/block-sdk';
import type { AppendResult, EventStore, Snapshot, SnapshotStore, WorkQueue } from '@agentry/event-log';
import {
  DomainError,
  isDomainError,
  streamIdOf,
  type Clock,
  type EventEnvelope,
  type Graph,
  type RetryPolicy,
} from '@agentry/kernel';
import { isBlobRef, type BlobRef } from '../domain/blob-ref';
import type { ExecutionCommand } from '../domain/execution/commands';
import { createExecutionDecider, evolve } from '../domain/execution/decider';
import type { ExecutionBudget, ExecutionEvent, ForkSeed, Trigger } from '../domain/execution/events';
import { rebuild, rebuildFrom } from '../domain/execution/integrity';
import { buildPlan, type BlockInfo } from '../domain/execution/plan';
import {
  fromSnapshotState,
  SNAPSHOT_SCHEMA,
  toSnapshotState,
  type ExecutionSnapshotState,
} from '../domain/execution/snapshot';
import {
  TERMINAL_EXECUTION_STATUSES,
  TERMINAL_NODE_STATUSES,
  type ExecutionState,
  type NodeExecState,
} from '../domain/execution/state';
import { toView, type ExecutionSummary, type ExecutionView } from '../domain/execution/view';
import { ExecutionIndex, type ExecutionList, type ListFilter } from './execution-index';
import { KeyedMutex } from './keyed-mutex';
import { nodeTaskId, type BlobStore, type EngineLogger, type GraphReader, type NodeTaskPayload } from './ports';
import { runInline, type InlineResult } from './inline-runner';
import { checkExecutionQuotas, TenantQuotaModel } from './tenant-quotas';
import { schemaValidator } from './rules';
import { SMART_DECISION_MAKER_BLOCK_ID, withToolDefinitions } from './tool-routing';

export type { GraphReader, BlobStore, NodeTaskPayload } from './ports';
export type { ExecutionView, ExecutionSummary, NodeExecutionView } from '../domain/execution/view';
export type { ListFilter } from './execution-index';

export interface ExecutionEngineOptions {
  /** Work queue for node tasks. Default 'node-tasks'. */
  queueName?: string;
  /** A RUNNING attempt with no report or heartbeat for this long is re-dispatched as a new attempt (rule 12). Default 30 s. */
  leaseTimeoutMs?: number;
  /** Server-side per-node timeout = node.timeoutMs + this grace (the runner aborts at timeoutMs). Default 5 s. */
  timeoutGraceMs?: number;
  /** Budget applied to every execution, overridden field by field by the request's budget. */
  defaultBudget?: ExecutionBudget;
  /** Retry policy of side-effect-free nodes without their own. Default: none. */
  defaultRetry?: RetryPolicy;
  /** Values whose JSON is larger go to the blob store (rule 15). Default 256 KiB; needs deps.blobs. */
  blobThresholdBytes?: number;
  /** Graph policy: reviews of this graph are approved automatically (rule 8). Default: never. */
  autoApproveReviews?: (graph: Graph) => boolean;
  /** Terminal executions kept in the in-memory cache (non-terminal ones are always kept). Default 1000. */
  maxCachedTerminal?: number;
  /**
   * Blocks run inside the engine instead of the queue (pure, trusted blocks only: no side effects, no
   * credentials, no network). Default: none. Suggested: `inlinePureBlocks`.
   */
  inlineBlocks?: (block: BlockDefinition) => boolean;
  /** Per-tenant limits over a sliding window (rule 16): new executions are refused and running ones failed once over. */
  tenantBudget?: (tenantId: string) => TenantBudget | undefined;
  /**
   * Snapshots of execution states (rule 14: they shorten the replay of a long execution, the log stays the truth).
   * A snapshot is saved when an append takes a running execution's stream past a multiple of `snapshotEvery`, and
   * removed when the execution ends; `load` starts from one when it matches the log. Default: none (full replay).
   */
  snapshots?: SnapshotStore;
  /**
   * Partition ownership (a log with partitions: Kafka). Whether this replica looks after an execution: only owned
   * executions are ticked (deadlines, node timeouts, lease expiry). Default: every execution. See `ExecutionOwnership`.
   */
  owns?: (executionId: string) => boolean | Promise<boolean>;
  /** Events between snapshots of one execution. Default 1000. */
  snapshotEvery?: number;
  logger?: EngineLogger;
}

/** What the engine stores in a snapshot: the state and the id of the last event it folds (its anchor in the log). */
interface StoredSnapshot {
  lastEventId: string;
  execution: ExecutionSnapshotState;
}

export interface TenantBudget {
  maxNodeRuns?: number;
  maxTokens?: number;
  maxCostUsd?: number;
  /** Window the usage is summed over, by execution start. Default 30 days. */
  windowMs?: number;
}

/** A ready-made `inlineBlocks` policy: local, side-effect-free, credential-free standard/input/output blocks. */
export const inlinePureBlocks = (block: BlockDefinition): boolean =>
  ['standard', 'input', 'output'].includes(block.kind) &&
  !block.sideEffects &&
  !block.credentials &&
  !block.categories.some((c) => NETWORK_CATEGORIES.has(c));
const NETWORK_CATEGORIES = new Set([
  'AI',
  'SEARCH',
  'SOCIAL',
  'COMMUNICATION',
  'DEVELOPER_TOOLS',
  'PRODUCTIVITY',
  'WEB',
  'CRM',
  'MARKETING',
  'HARDWARE',
  'MULTIMEDIA',
]);
const INLINE_WORKER_ID = 'engine-inline';

export interface ExecutionEngineDeps {
  events: EventStore;
  queue: WorkQueue;
  graphs: GraphReader;
  blocks: BlockRegistry;
  clock: Clock;
  newId(): string;
  blobs?: BlobStore;
  /**
   * The execution list (list, quota counters, recovery): a new, unbuilt one per call. Default: the in-memory
   * `ExecutionIndex`; `ReadStoreExecutionList` keeps it in libs/read-store (AGENTRY_READ_STORE).
   */
  executionList?: () => ExecutionList;
  options?: ExecutionEngineOptions;
}

export interface RequestExecutionCommand {
  tenantId: string;
  userId: string;
  graphId: string;
  graphVersion?: number;
  inputs: Record<string, unknown>;
  trigger: Trigger;
  parentExecutionId?: string;
  parentNodeExecId?: string;
  budget?: ExecutionBudget;
}

export interface NodeProgressReport {
  tenantId: string;
  executionId: string;
  nodeExecId: string;
  attempt: number;
  workerId: string;
  started?: boolean;
  /** In yield order. A report with nothing but ids is a heartbeat. */
  outputs?: Array<{ pin: string; value: unknown }>;
  /** Outputs of this attempt sent before `outputs[0]` (enables dedup of re-sent reports). */
  outputSeq?: number;
  finished?: { status: 'COMPLETED' | 'FAILED'; error?: { message: string; code?: string; retryable?: boolean } };
  usage?: BlockUsage;
}

export interface DecideReviewCommand {
  tenantId: string;
  executionId: string;
  nodeExecId: string;
  decision: 'approve' | 'reject';
  editedData?: unknown;
  userId: string;
  message?: string;
}

export interface ExecutionEngine {
  requestExecution(cmd: RequestExecutionCommand): Promise<{ executionId: string }>;
  /** `cancelled: true` tells the runner to abort (execution over, node terminated, or its attempt superseded). */
  reportNodeProgress(report: NodeProgressReport): Promise<{ cancelled: boolean }>;
  cancel(tenantId: string, executionId: string, reason?: string): Promise<void>;
  decideReview(cmd: DecideReviewCommand): Promise<void>;
  get(tenantId: string, executionId: string): Promise<ExecutionView>;
  list(tenantId: string, filter?: ListFilter): Promise<{ items: ExecutionSummary[]; nextCursor?: string }>;
  events(tenantId: string, executionId: string): Promise<EventEnvelope[]>;
  /**
   * Rule 17: a new execution that re-runs one node execution of a recorded execution with its recorded input, and
   * everything downstream. `from` is a node execution id, or `{ nodeId }` for that node's latest execution that ran.
   */
  fork(
    tenantId: string,
    executionId: string,
    from: string | { nodeId: string },
    userId?: string,
  ): Promise<{ executionId: string; fromNodeExecId: string }>;
  /** Resumes the unfinished executions (`filter`: only those it accepts, e.g. of partitions just assigned). */
  recover(filter?: (executionId: string) => boolean | Promise<boolean>): Promise<void>;
  /** Forgets what it holds of the executions `filter` accepts (cached state, lease clocks): their partition moved away. */
  release(filter: (executionId: string) => boolean | Promise<boolean>): Promise<number>;
  /** An event of the log (another replica's append included): a cached state it outdates is dropped. */
  observe(event: EventEnvelope): void;
  /** Ids of the executions whose state this engine holds in memory. */
  heldExecutions(): string[];
  tick(): Promise<void>;
  close(): Promise<void>;
  /** Admin (issue #6): drop the state cache and fold the execution index again from the log. */
  rebuildReadModels(): Promise<void>;
}

const ENGINE_KINDS = new Set(['agent', 'review']);
const MAX_CONFLICT_RETRIES = 8;
/** Bounds of one batch (one append): events, pure-block runs chained into it, node reports coalesced into it. */
const MAX_BATCH_EVENTS = 8192;
const MAX_INLINE_RUNS = 2048;
const MAX_REPORTS_PER_BATCH = 256;
/**
 * An inline result with more outputs is reported in chunks (like a runner's batched reports): one output fanned
 * out along one link is ~4 events, and its downstream pure blocks join the same batch, hence the divisor.
 */
const EVENTS_PER_OUTPUT = 8;

function blockInfo(block: BlockDefinition | undefined): BlockInfo | undefined {
  if (!block) return undefined;
  return {
    kind: block.kind,
    inputSchema: block.inputSchema as BlockInfo['inputSchema'],
    outputSchema: block.outputSchema as BlockInfo['outputSchema'],
    staticOutput: block.staticOutput,
    sideEffects: block.sideEffects,
    credentials: block.credentials,
  };
}

export function createExecutionEngine(deps: ExecutionEngineDeps): ExecutionEngine {
  const { events: store, queue, graphs, blocks, clock, newId, blobs } = deps;
  const opts = deps.options ?? {};
  const queueName = opts.queueName ?? 'node-tasks';
  const leaseTimeoutMs = opts.leaseTimeoutMs ?? 30_000;
  const timeoutGraceMs = opts.timeoutGraceMs ?? 5_000;
  const blobThreshold = opts.blobThresholdBytes ?? 256 * 1024;
  const maxCachedTerminal = opts.maxCachedTerminal ?? 1000;
  const owns = opts.owns;
  const logger: EngineLogger = opts.logger ?? {
    warn: () => {},
    error: (fields, msg) => console.error(`[execution] ${msg}`, fields),
  };
  /** Events of one batch: bounded by what one append of the store may carry (JetStream, Kafka: 1,000). */
  const maxBatchEvents = Math.min(MAX_BATCH_EVENTS, store.maxEventsPerAppend ?? Infinity);
  /** Inline results being reported outside a batch (`${executionId}/${nodeExecId}/${attempt}`): not dispatched again. */
  const inlineInFlight = new Set<string>();
  const inlineOutputsPerReport = Math.max(1, Math.floor(maxBatchEvents / EVENTS_PER_OUTPUT));
  const decider = createExecutionDecider({
    validateInput: schemaValidator(),
    defaultRetry: opts.defaultRetry,
    // Blocks that may start before every linked input arrived (SmartDecisionMaker's tool loop) say what they wait for.
    missingInputs: (blockId, input, unsatisfied) =>
      blocks.get(blockId)?.missingInputs?.(input, unsatisfied) ?? unsatisfied,
  });

  /** In-memory state per execution: a cache of fold(stream), never a source of truth. */
  const cache = new Map<string, ExecutionState>();
  const terminalOrder: string[] = [];
  const mutex = new KeyedMutex();
  const newExecutionList = deps.executionList ?? (() => new ExecutionIndex(store));
  let index: ExecutionList = newExecutionList();
  const quotas = new TenantQuotaModel(store);
  /** Starts that passed the quota check and are not in the index yet, per tenant. */
  const reservedStarts = new Map<string, number>();
  /** Last time (engine clock, ms) a runner reported for `${executionId}/${nodeExecId}/${attempt}`. */
  const lastContact = new Map<string, number>();
  const pending = new Set<Promise<unknown>>();
  let closed = false;

  const now = () => clock.now();
  const streamOf = (id: string) => streamIdOf('execution', id);

  /** Fire-and-forget work that must not run under the current execution's lock (other executions, follow-ups). */
  function spawn(what: string, work: () => Promise<unknown>): void {
    const p = Promise.resolve()
      .then(work)
      .catch((err) => logger.error({ error: err instanceof Error ? err.message : String(err) }, `${what} failed`))
      .finally(() => pending.delete(p));
    pending.add(p);
  }

  async function load(executionId: string): Promise<ExecutionState> {
    const cached = cache.get(executionId);
    if (cached) return cached;
    const streamId = streamOf(executionId);
    const state =
      (await loadFromSnapshot(executionId, streamId)) ?? rebuild(streamId, await store.readStream(streamId));
    if (state.status !== 'NEW') remember(executionId, state);
    return state;
  }

  /* ---------------------------------------------------------------- snapshots (rule 14: a shortcut, never the truth) */

  const snapshots = opts.snapshots;
  const snapshotEvery = Math.max(1, Math.floor(opts.snapshotEvery ?? 1000));
  /** Snapshot saves and removes of one execution run in order: a remove is never overtaken by an earlier save. */
  const snapshotChains = new Map<string, Promise<void>>();

  /**
   * The state a usable snapshot gives once the log's tail is folded onto it; undefined (full replay) when there is
   * none or it is not usable: another schema, undecodable, or not matching the log (its last event must be in the
   * stream at its version with the id it recorded, so a snapshot beyond the stream or of another log is ignored).
   */
  async function loadFromSnapshot(executionId: string, streamId: string): Promise<ExecutionState | undefined> {
    if (!snapshots) return undefined;
    const ignore = (reason: string): undefined => {
      logger.warn({ executionId, reason }, `snapshot of ${executionId} ignored: replaying its whole stream`);
      return undefined;
    };
    let snapshot: Snapshot<Partial<StoredSnapshot>> | undefined;
    try {
      snapshot = await snapshots.load<Partial<StoredSnapshot>>(streamId);
    } catch (err) {
      return ignore(`cannot load it: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!snapshot) return undefined;
    if (snapshot.schema !== SNAPSHOT_SCHEMA) return ignore(`schema ${snapshot.schema}, expected ${SNAPSHOT_SCHEMA}`);
    let base: ExecutionState;
    const lastEventId = snapshot.state?.lastEventId;
    try {
      if (typeof lastEventId !== 'string') throw new Error('it has no last event id');
      base = fromSnapshotState(snapshot.state.execution);
      if (base.version !== snapshot.version)
        throw new Error(`its state is at ${base.version}, not ${snapshot.version}`);
      if (base.request?.executionId !== executionId) throw new Error('it is the state of another execution');
    } catch (err) {
      return ignore(err instanceof Error ? err.message : String(err));
    }
    const events = await store.readStream(streamId, { fromVersion: snapshot.version });
    const anchor = events[0];
    if (anchor?.streamVersion !== snapshot.version || anchor.id !== lastEventId)
      return ignore(
        anchor
          ? `the log's event ${snapshot.version} is ${anchor.id}, the snapshot ends with ${lastEventId}`
          : `it is at version ${snapshot.version}, beyond the stream`,
      );
    return rebuildFrom(streamId, base, events.slice(1));
  }

  function snapshotTask(executionId: string, what: string, work: () => Promise<void>): void {
    const previous = snapshotChains.get(executionId);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    snapshotChains.set(executionId, mine);
    spawn(what, async () => {
      try {
        await previous;
        await work();
      } finally {
        release();
        if (snapshotChains.get(executionId) === mine) snapshotChains.delete(executionId);
      }
    });
  }

  /**
   * After an append: save a snapshot when the stream passed a multiple of `snapshotEvery` and the execution goes on,
   * remove it when the execution just ended (one that never reached `snapshotEvery` events has none). Both run in
   * the background (spawn): a failure is logged and costs only a longer replay.
   */
  function afterAppend(
    executionId: string,
    state: ExecutionState,
    baseVersion: number,
    baseStatus: ExecutionState['status'],
    appended: AppendResult,
  ): void {
    if (!snapshots) return;
    const streamId = streamOf(executionId);
    if (TERMINAL_EXECUTION_STATUSES.has(state.status)) {
      if (!TERMINAL_EXECUTION_STATUSES.has(baseStatus) && state.version >= snapshotEvery)
        snapshotTask(executionId, `remove snapshot of ${executionId}`, () => snapshots.remove(streamId));
      return;
    }
    if (Math.floor(state.version / snapshotEvery) <= Math.floor(baseVersion / snapshotEvery)) return;
    const last = appended.events[appended.events.length - 1];
    if (state.version !== appended.nextVersion || last?.streamVersion !== state.version) return; // not the log's fold
    // Maps are updated in place by later batches, their values never: copying the maps freezes this version.
    const frozen: ExecutionState = {
      ...state,
      nodeExecs: new Map(state.nodeExecs),
      execCountByNode: new Map(state.execCountByNode),
      incompleteByNode: new Map(state.incompleteByNode),
      staticInputs: new Map(state.staticInputs),
    };
    snapshotTask(executionId, `snapshot of ${executionId} at ${frozen.version}`, () =>
      snapshots.save<StoredSnapshot>({
        key: streamId,
        version: frozen.version,
        schema: SNAPSHOT_SCHEMA,
        state: { lastEventId: last.id, execution: toSnapshotState(frozen) },
      }),
    );
  }

  function remember(executionId: string, state: ExecutionState): void {
    cache.set(executionId, state);
    if (TERMINAL_EXECUTION_STATUSES.has(state.status)) {
      terminalOrder.push(executionId);
      while (terminalOrder.length > maxCachedTerminal) {
        const old = terminalOrder.shift()!;
        const s = cache.get(old);
        if (s && TERMINAL_EXECUTION_STATUSES.has(s.status)) cache.delete(old);
      }
    }
  }

  async function loadForTenant(tenantId: string, executionId: string): Promise<ExecutionState> {
    const state = await load(executionId);
    if (state.status === 'NEW' || state.request?.tenantId !== tenantId)
      throw new DomainError('NOT_FOUND', `execution ${executionId} not found`, { what: 'execution', id: executionId });
    return state;
  }

  /* ---------------------------------------------------------------- large values (rule 15) */

  function isLarge(value: unknown): boolean {
    if (!blobs || value === null || value === undefined || isBlobRef(value)) return false;
    if (typeof value === 'string') return value.length * 3 > blobThreshold && Buffer.byteLength(value) > blobThreshold;
    if (typeof value !== 'object') return false;
    const json = JSON.stringify(value);
    return json !== undefined && json.length > blobThreshold / 3 && Buffer.byteLength(json) > blobThreshold;
  }

  async function externalizeValue(tenantId: string, value: unknown): Promise<unknown> {
    return isLarge(value) ? blobs!.put(tenantId, value) : value;
  }

  async function externalizeRecord(
    tenantId: string,
    record: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    let out: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(record)) {
      if (!isLarge(v)) continue;
      out ??= { ...record };
      out[k] = await blobs!.put(tenantId, v);
    }
    return out ?? record;
  }

  async function externalize(tenantId: string, events: ExecutionEvent[]): Promise<ExecutionEvent[]> {
    if (!blobs) return events;
    const out: ExecutionEvent[] = [];
    for (const e of events) {
      switch (e.type) {
        case 'ExecutionRequested':
          out.push({ ...e, data: { ...e.data, inputs: await externalizeRecord(tenantId, e.data.inputs) } });
          break;
        case 'NodeInputReceived':
          out.push({ ...e, data: { ...e.data, value: await externalizeValue(tenantId, e.data.value) } });
          break;
        case 'NodeOutputProduced':
          out.push({ ...e, data: { ...e.data, value: await externalizeValue(tenantId, e.data.value) } });
          break;
        case 'NodeExecutionQueued':
          out.push({ ...e, data: { ...e.data, input: await externalizeRecord(tenantId, e.data.input) } });
          break;
        case 'ReviewRequested':
          out.push({ ...e, data: { ...e.data, payload: await externalizeValue(tenantId, e.data.payload) } });
          break;
        case 'ReviewDecided':
          out.push({ ...e, data: { ...e.data, editedData: await externalizeValue(tenantId, e.data.editedData) } });
          break;
        default:
          out.push(e);
      }
    }
    return out;
  }

  function containsRef(value: unknown): boolean {
    if (isBlobRef(value)) return true;
    if (Array.isArray(value)) return value.some(containsRef);
    if (value && typeof value === 'object') {
      for (const v of Object.values(value)) if (containsRef(v)) return true;
    }
    return false;
  }

  /** Replaces blob references by their values (only walks again when there is one). */
  async function resolveDeep<T>(value: T): Promise<T> {
    return containsRef(value) ? resolveRefs(value) : value;
  }

  async function resolveRefs<T>(value: T): Promise<T> {
    if (isBlobRef(value)) {
      if (!blobs)
        throw new DomainError(
          'INTERNAL',
          `value stored as ${(value as BlobRef).$blobRef} but no blob store is configured`,
        );
      return (await blobs.get(value as BlobRef)) as T;
    }
    if (Array.isArray(value)) return (await Promise.all(value.map((v) => resolveDeep(v)))) as T;
    if (value && typeof value === 'object') {
      const entries = await Promise.all(
        Object.entries(value).map(async ([k, v]) => [k, await resolveDeep(v)] as const),
      );
      return Object.fromEntries(entries) as T;
    }
    return value;
  }

  /* ---------------------------------------------------------------- decide -> append -> react */

  /** One command of a batch: `build` sees the state as left by the commands before it in the batch. */
  interface Step {
    /** When set, the execution must belong to this tenant (else NOT_FOUND for this step). */
    tenantId?: string;
    build(state: ExecutionState): ExecutionCommand | undefined;
  }
  /** `deferred`: the batch was full (maxBatchEvents); nothing of this step was applied, decide it in a later batch. */
  type StepOutcome =
    { ok: true; events: ExecutionEvent[] } | { ok: false; err: unknown } | { ok: false; deferred: true };

  function assertTenant(state: ExecutionState, tenantId: string, executionId: string): void {
    if (state.status === 'NEW' || state.request?.tenantId !== tenantId)
      throw new DomainError('NOT_FOUND', `execution ${executionId} not found`, { what: 'execution', id: executionId });
  }

  /**
   * Load, decide every step in order, run the pure blocks those decisions queued (inline chain), then append ALL
   * resulting events in ONE append with the expected version, so a batch costs one commit. The cached state is
   * evolved as the steps are decided; if the append fails it is dropped (rebuilt from the log on next use), and
   * on VERSION_CONFLICT (another writer) the whole batch is decided again on fresh state. A step that throws
   * contributes nothing and gets its own error. Must run under the execution's lock.
   */
  async function decideSteps(
    executionId: string,
    steps: Step[],
  ): Promise<{ state: ExecutionState; outcomes: StepOutcome[] }> {
    for (let attempt = 0; ; attempt++) {
      const state = await load(executionId);
      const baseVersion = state.version;
      const baseStatus = state.status;
      const outcomes: StepOutcome[] = [];
      const all: ExecutionEvent[] = [];
      let owner = state.request?.tenantId ?? '';
      let appended: AppendResult;
      try {
        for (const step of steps) {
          try {
            if (step.tenantId !== undefined) assertTenant(state, step.tenantId, executionId);
            const command = step.build(state);
            const decided = command ? decider.decide(command, state) : [];
            if (decided.length === 0) {
              outcomes.push({ ok: true, events: [] });
              continue;
            }
            if (all.length > 0 && all.length + decided.length > maxBatchEvents) {
              outcomes.push({ ok: false, deferred: true });
              continue;
            }
            if (!owner && command?.type === 'RequestExecution') owner = command.data.tenantId;
            const events = await apply(owner, state, decided, all);
            outcomes.push({ ok: true, events });
          } catch (err) {
            if (state.version !== baseVersion + all.length) throw err; // half-applied: give up the batch
            outcomes.push({ ok: false, err });
          }
        }
        if (all.length === 0) return { state, outcomes };
        if (all.length > maxBatchEvents)
          logger.warn(
            { executionId, events: all.length, max: maxBatchEvents },
            'one decision exceeds the events one append may carry',
          );
        await runInlineChain(owner, state, all);
        appended = await store.append(
          streamOf(executionId),
          all.map((e) => ({ type: e.type, data: e.data })),
          { expectedVersion: baseVersion, tenantId: owner },
        );
      } catch (err) {
        if (state.version !== baseVersion) cache.delete(executionId);
        if (isDomainError(err) && err.code === 'VERSION_CONFLICT' && attempt < MAX_CONFLICT_RETRIES) continue;
        throw err;
      }
      remember(executionId, state);
      afterAppend(executionId, state, baseVersion, baseStatus, appended);
      const applying = index.apply(
        executionId,
        state,
        all,
        appended.events.map((e) => e.globalPosition),
      );
      // the events are committed: a read store that fails now is repaired by its next build, not by a retry
      if (applying)
        await applying.catch((err: unknown) =>
          logger.error(
            { executionId, error: err instanceof Error ? err.message : String(err) },
            'execution list update failed',
          ),
        );
      await react(executionId, state, all);
      return { state, outcomes };
    }
  }

  /** Externalizes large values of decided events, evolves the state with them and adds them to the batch. */
  async function apply(
    owner: string,
    state: ExecutionState,
    decided: ExecutionEvent[],
    all: ExecutionEvent[],
  ): Promise<ExecutionEvent[]> {
    const events = await externalize(owner, decided);
    for (const e of events) {
      evolve(state, e);
      all.push(e);
    }
    return events;
  }

  /** The block a QUEUED node execution runs inside the engine, or undefined when it goes to the queue. */
  function inlineBlockOf(state: ExecutionState, exec: NodeExecState): BlockDefinition | undefined {
    if (!opts.inlineBlocks || ENGINE_KINDS.has(state.nodes.get(exec.nodeId)?.kind ?? '')) return undefined;
    const block = blocks.get(exec.blockId);
    return block && opts.inlineBlocks(block) ? block : undefined;
  }

  /**
   * Pure blocks queued by this batch run right away, and what they yield is decided into the same batch (their
   * downstream pure blocks too, breadth first), up to a bound; the rest is dispatched after the append as usual.
   * Only pure blocks run before their inputs are durable: a crash before the commit loses nothing that a re-run
   * cannot reproduce, and every side-effecting node is dispatched only after the append (rule 13).
   */
  async function runInlineChain(owner: string, state: ExecutionState, all: ExecutionEvent[]): Promise<void> {
    if (!opts.inlineBlocks) return;
    let from = 0;
    let runs = 0;
    while (from < all.length && state.status === 'RUNNING') {
      const queued: string[] = [];
      for (let i = from; i < all.length; i++) {
        const e = all[i];
        if (e.type === 'NodeExecutionQueued') queued.push(e.data.nodeExecId);
      }
      from = all.length;
      for (const id of queued) {
        if (all.length >= maxBatchEvents || runs >= MAX_INLINE_RUNS || state.status !== 'RUNNING') return;
        const exec = state.nodeExecs.get(id);
        if (exec?.status !== 'QUEUED' || exec.notBefore !== undefined) continue;
        const block = inlineBlockOf(state, exec);
        if (!block) continue;
        const task = taskPayload(state, exec, await resolveDeep(exec.input ?? {}));
        const result = await runInline(block, task);
        runs++;
        if (result.outputs.length > inlineOutputsPerReport) {
          // Too much for one decision: reported in chunks after this batch, like a runner's batched reports.
          reportInlineLater(state.request!.executionId, exec, task, result);
          continue;
        }
        const at = now();
        let decided: ExecutionEvent[];
        try {
          decided = decider.decide(
            {
              type: 'ReportNodeProgress',
              data: {
                nodeExecId: id,
                attempt: exec.attempt,
                workerId: INLINE_WORKER_ID,
                started: true,
                outputs: result.outputs,
                usage: result.usage,
                finished: result.finished,
                nowMs: at.getTime(),
                at: at.toISOString(),
              },
            },
            state,
          );
        } catch (err) {
          // Left QUEUED: dispatched after the append like any other node.
          logger.warn(
            { nodeExecId: id, error: err instanceof Error ? err.message : String(err) },
            'inline result rejected',
          );
          continue;
        }
        if (all.length + decided.length > maxBatchEvents) {
          reportInlineLater(state.request!.executionId, exec, task, result);
          continue;
        }
        await apply(owner, state, decided, all);
      }
    }
  }

  /** Reports an inline result outside the current batch (it stays QUEUED until then, and is not dispatched again). */
  function reportInlineLater(
    executionId: string,
    exec: NodeExecState,
    task: NodeTaskPayload,
    result: InlineResult,
  ): void {
    const key = nodeTaskId(executionId, exec.id, exec.attempt);
    inlineInFlight.add(key);
    spawn(`report inline ${key}`, () => reportInlineResult(task, result).finally(() => inlineInFlight.delete(key)));
  }

  /** An inline result as reports of at most inlineOutputsPerReport outputs (`outputSeq` keeps them exact). */
  async function reportInlineResult(task: NodeTaskPayload, result: InlineResult): Promise<void> {
    const base = {
      tenantId: task.tenantId,
      executionId: task.executionId,
      nodeExecId: task.nodeExecId,
      attempt: task.attempt,
      workerId: INLINE_WORKER_ID,
    };
    let sent = 0;
    do {
      const outputs = result.outputs.slice(sent, sent + inlineOutputsPerReport);
      const last = sent + outputs.length >= result.outputs.length;
      const { cancelled } = await reportNodeProgress({
        ...base,
        started: sent === 0 || undefined,
        outputs,
        outputSeq: sent,
        ...(last ? { finished: result.finished, usage: result.usage } : {}),
      });
      sent += outputs.length;
      if (cancelled) return;
    } while (sent < result.outputs.length);
  }

  /** One command, decided and appended on its own (see decideSteps); throws the command's error. */
  async function decideAndAppend(
    executionId: string,
    tenantId: string | undefined,
    build: (state: ExecutionState) => ExecutionCommand | undefined,
  ): Promise<{ state: ExecutionState; events: ExecutionEvent[] }> {
    const { state, outcomes } = await decideSteps(executionId, [{ tenantId, build }]);
    const outcome = outcomes[0];
    if (!outcome.ok) throw 'err' in outcome ? outcome.err : new Error('a single command was deferred');
    return { state, events: outcome.events };
  }

  function run<T>(executionId: string, work: () => Promise<T>): Promise<T> {
    return mutex.run(executionId, work);
  }

  function taskPayload(state: ExecutionState, exec: NodeExecState, input: Record<string, unknown>): NodeTaskPayload {
    const r = state.request!;
    const node = state.nodes.get(exec.nodeId)!;
    return {
      tenantId: r.tenantId,
      userId: r.userId,
      executionId: r.executionId,
      nodeExecId: exec.id,
      nodeId: exec.nodeId,
      graphId: r.graphId,
      graphVersion: r.graphVersion,
      blockId: exec.blockId,
      attempt: exec.attempt,
      input,
      timeoutMs: node.timeoutMs,
      credentialsRef: node.credentialsField ? input[node.credentialsField] : undefined,
    };
  }

  /** Hand a QUEUED node execution to whoever runs it: the work queue, or the engine itself for sub-agents. */
  async function dispatch(executionId: string, state: ExecutionState, exec: NodeExecState): Promise<void> {
    const node = state.nodes.get(exec.nodeId)!;
    if (node.kind === 'agent') {
      spawn(`start sub-agent ${executionId}/${exec.id}`, () => startSubExecution(executionId, exec.id));
      return;
    }
    if (ENGINE_KINDS.has(node.kind)) return;
    const resolved = await resolveDeep(exec.input ?? {});
    // ---- SmartDecisionMaker tool routing (tool-routing.ts): tool definitions derived from its tools_^_ links.
    const input =
      exec.blockId === SMART_DECISION_MAKER_BLOCK_ID
        ? withToolDefinitions(
            resolved,
            { nodes: state.nodes.values(), links: state.linksFrom.get(exec.nodeId) ?? [] },
            exec.nodeId,
            (id) => blocks.get(id),
          )
        : resolved;
    // ---- end of tool routing
    const block = opts.inlineBlocks ? blocks.get(exec.blockId) : undefined;
    if (block && opts.inlineBlocks!(block)) {
      const key = nodeTaskId(executionId, exec.id, exec.attempt);
      if (inlineInFlight.has(key)) return;
      inlineInFlight.add(key);
      const task = taskPayload(state, exec, input);
      spawn(`inline ${key}`, async () => {
        try {
          await reportInlineResult(task, await runInline(block, task));
        } finally {
          inlineInFlight.delete(key);
        }
      });
      return;
    }
    await queue.enqueue(queueName, [
      {
        id: nodeTaskId(executionId, exec.id, exec.attempt),
        tenantId: state.request!.tenantId,
        payload: taskPayload(state, exec, input),
        notBefore: exec.notBefore,
      },
    ]);
  }

  /** Side effects of appended events; they are idempotent, so recovery may repeat them. */
  async function react(executionId: string, state: ExecutionState, events: ExecutionEvent[]): Promise<void> {
    const toDispatch = new Set<string>();
    const nowMs = now().getTime();
    for (const e of events) {
      switch (e.type) {
        case 'NodeExecutionQueued':
        case 'NodeRetryScheduled':
          toDispatch.add(e.data.nodeExecId);
          break;
        case 'NodeLeaseExpired':
          toDispatch.add(e.data.nodeExecId);
          lastContact.delete(nodeTaskId(executionId, e.data.nodeExecId, e.data.attempt));
          // Re-dispatched by the engine (tick): drop the old task so the queue does not hand it out again.
          // Redelivered by the queue (the report path): the new runner holds that very task; keep it.
          if (state.nodeExecs.get(e.data.nodeExecId)?.status === 'QUEUED')
            await queue.remove(queueName, nodeTaskId(executionId, e.data.nodeExecId, e.data.attempt));
          break;
        case 'NodeExecutionStarted':
          lastContact.set(nodeTaskId(executionId, e.data.nodeExecId, e.data.attempt), nowMs);
          break;
        case 'NodeExecutionCompleted':
        case 'NodeExecutionFailed':
          lastContact.delete(nodeTaskId(executionId, e.data.nodeExecId, e.data.attempt));
          break;
        case 'NodeExecutionTerminated': {
          const exec = state.nodeExecs.get(e.data.nodeExecId)!;
          lastContact.delete(nodeTaskId(executionId, exec.id, exec.attempt));
          await queue.remove(queueName, nodeTaskId(executionId, exec.id, exec.attempt));
          if (exec.childExecutionId) {
            const child = exec.childExecutionId;
            spawn(`cancel sub-agent ${child}`, () =>
              cancelQuietly(state.request!.tenantId, child, `parent execution ${executionId} ended: ${e.data.reason}`),
            );
          }
          break;
        }
        case 'SubExecutionStarted': {
          const exec = state.nodeExecs.get(e.data.nodeExecId)!;
          spawn(`create sub-agent ${e.data.childExecutionId}`, () => createChild(executionId, exec.id));
          break;
        }
        case 'ExecutionCompleted':
        case 'ExecutionFailed':
        case 'ExecutionTerminated':
          if (state.request?.parentExecutionId)
            spawn(`notify parent of ${executionId}`, () => notifyParent(executionId));
          break;
        default:
          break;
      }
    }
    for (const id of toDispatch) {
      const exec = state.nodeExecs.get(id);
      if (exec?.status === 'QUEUED' && state.status === 'RUNNING') await dispatch(executionId, state, exec);
    }
  }

  /* ---------------------------------------------------------------- sub-agents (rule 9) */

  async function startSubExecution(executionId: string, nodeExecId: string): Promise<void> {
    await run(executionId, () =>
      decideAndAppend(executionId, undefined, (s) => {
        const exec = s.nodeExecs.get(nodeExecId);
        if (s.status !== 'RUNNING' || exec?.status !== 'QUEUED') return undefined;
        return { type: 'StartSubExecution', data: { nodeExecId, childExecutionId: newId(), at: now().toISOString() } };
      }),
    );
  }

  async function createChild(parentId: string, nodeExecId: string): Promise<void> {
    const parent = await run(parentId, () => load(parentId));
    const exec = parent.nodeExecs.get(nodeExecId);
    if (!exec?.childExecutionId || exec.status !== 'RUNNING') return;
    const childId = exec.childExecutionId;
    const input = await resolveDeep(exec.input ?? {});
    try {
      await startExecution(childId, {
        tenantId: parent.request!.tenantId,
        // AutoGPT exports carry a placeholder user_id in executor nodes: the child always runs as the parent's user.
        userId: parent.request!.userId,
        graphId: String(input.graph_id),
        graphVersion: typeof input.graph_version === 'number' ? input.graph_version : undefined,
        inputs: childInputs(input),
        trigger: 'subagent',
        parentExecutionId: parentId,
        parentNodeExecId: nodeExecId,
      });
    } catch (err) {
      if (isDomainError(err) && err.code === 'ALREADY_EXISTS') {
        const child = await run(childId, () => load(childId));
        if (TERMINAL_EXECUTION_STATUSES.has(child.status)) await notifyParent(childId);
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      await run(parentId, () =>
        decideAndAppend(parentId, undefined, (s) => {
          const e = s.nodeExecs.get(nodeExecId);
          if (s.status !== 'RUNNING' || e?.status !== 'RUNNING' || e.childExecutionId !== childId) return undefined;
          return {
            type: 'FinishSubExecution',
            data: {
              nodeExecId,
              childExecutionId: childId,
              status: 'FAILED',
              outputs: [],
              error: {
                message: `sub-agent could not start: ${message}`,
                code: isDomainError(err) ? err.code : undefined,
              },
              at: now().toISOString(),
            },
          };
        }),
      );
    }
  }

  async function notifyParent(childId: string): Promise<void> {
    const child = await run(childId, () => load(childId));
    const r = child.request!;
    if (!r.parentExecutionId || !r.parentNodeExecId || !TERMINAL_EXECUTION_STATUSES.has(child.status)) return;
    const outputs = Object.entries(child.outputs).flatMap(([name, values]) => values.map((value) => ({ name, value })));
    const status = child.status as 'COMPLETED' | 'FAILED' | 'TERMINATED';
    const parentId = r.parentExecutionId;
    const nodeExecId = r.parentNodeExecId;
    await run(parentId, () =>
      decideAndAppend(parentId, undefined, (s) => {
        const e = s.nodeExecs.get(nodeExecId);
        if (s.status !== 'RUNNING' || e?.status !== 'RUNNING' || e.childExecutionId !== childId) return undefined;
        return {
          type: 'FinishSubExecution',
          data: {
            nodeExecId,
            childExecutionId: childId,
            status,
            outputs,
            error:
              status === 'COMPLETED'
                ? undefined
                : {
                    message:
                      `sub-agent ${childId} ${status === 'FAILED' ? 'failed' : 'was terminated'}: ${child.error?.reason ?? ''}`.trim(),
                    code: child.error?.code,
                  },
            at: now().toISOString(),
          },
        };
      }),
    );
  }

  async function cancelQuietly(tenantId: string, executionId: string, reason: string): Promise<void> {
    try {
      await cancel(tenantId, executionId, reason);
    } catch (err) {
      if (!(isDomainError(err) && (err.code === 'INVALID_TRANSITION' || err.code === 'NOT_FOUND'))) throw err;
    }
  }

  /* ---------------------------------------------------------------- use cases */

  async function startExecution(
    executionId: string,
    cmd: RequestExecutionCommand & { forkOf?: ForkSeed },
  ): Promise<{ executionId: string }> {
    if (closed) throw new DomainError('UNAVAILABLE', 'execution engine is closed');
    const graph = await graphs.get(cmd.tenantId, cmd.graphId, cmd.graphVersion);
    if (graph.tenantId !== cmd.tenantId)
      throw new DomainError('NOT_FOUND', `graph ${cmd.graphId} not found`, { what: 'graph', id: cmd.graphId });
    const plan = buildPlan(graph, (id) => blockInfo(blocks.get(id)));
    await run(executionId, () =>
      decideAndAppend(executionId, undefined, () => ({
        type: 'RequestExecution',
        data: {
          executionId,
          tenantId: cmd.tenantId,
          userId: cmd.userId,
          graphId: graph.id,
          graphVersion: graph.version,
          inputs: cmd.inputs ?? {},
          trigger: cmd.trigger,
          parentExecutionId: cmd.parentExecutionId,
          parentNodeExecId: cmd.parentNodeExecId,
          budget: { ...opts.defaultBudget, ...cmd.budget },
          autoApproveReviews: opts.autoApproveReviews?.(graph) ?? false,
          plan,
          forkOf: cmd.forkOf,
          at: now().toISOString(),
        },
      })),
    );
    return { executionId };
  }

  /** Why the tenant is over its budget, or undefined. */
  async function tenantOverBudget(tenantId: string): Promise<string | undefined> {
    const budget = opts.tenantBudget?.(tenantId);
    if (!budget) return undefined;
    await index.ensureBuilt();
    const since = new Date(now().getTime() - (budget.windowMs ?? 30 * 24 * 3600 * 1000)).toISOString();
    const u = await index.tenantUsage(tenantId, since);
    if (budget.maxNodeRuns !== undefined && u.nodeRuns >= budget.maxNodeRuns)
      return `tenant budget exceeded: ${u.nodeRuns} node runs, limit ${budget.maxNodeRuns}`;
    if (budget.maxTokens !== undefined && u.tokens > budget.maxTokens)
      return `tenant budget exceeded: ${u.tokens} LLM tokens, limit ${budget.maxTokens}`;
    if (budget.maxCostUsd !== undefined && u.costUsd > budget.maxCostUsd)
      return `tenant budget exceeded: cost $${u.costUsd.toFixed(4)}, limit $${budget.maxCostUsd}`;
    return undefined;
  }

  /**
   * Tenant quotas (TenantQuotasSet on `tenant-<id>`): QUOTA_EXCEEDED, with nothing appended, when one more execution
   * would pass executionsPerDay (requested this UTC day) or concurrentExecutions (not finished). The check and the
   * start are atomic within this engine: a start in flight holds a reservation until the index counts it.
   */
  async function withinQuotas<T>(tenantId: string, start: () => Promise<T>): Promise<T> {
    await Promise.all([quotas.refresh(), index.ensureBuilt()]);
    const day = now().toISOString().slice(0, 10);
    const counts = await index.tenantCounts(tenantId, day);
    const held = reservedStarts.get(tenantId) ?? 0;
    checkExecutionQuotas(
      tenantId,
      quotas.get(tenantId),
      { running: counts.running + held, requestedOnDay: counts.requestedOnDay + held },
      day,
    );
    reservedStarts.set(tenantId, held + 1);
    try {
      return await start();
    } finally {
      const left = (reservedStarts.get(tenantId) ?? 1) - 1;
      if (left > 0) reservedStarts.set(tenantId, left);
      else reservedStarts.delete(tenantId);
    }
  }

  async function requestExecution(cmd: RequestExecutionCommand): Promise<{ executionId: string }> {
    const over = await tenantOverBudget(cmd.tenantId);
    if (over) throw new DomainError('BUDGET_EXCEEDED', over, { tenantId: cmd.tenantId });
    return withinQuotas(cmd.tenantId, () => startExecution(newId(), cmd));
  }

  /** Reports waiting for their execution's lock: those of one execution are decided together, in ONE append. */
  const waitingReports = new Map<
    string,
    Array<{ report: NodeProgressReport; resolve: (r: { cancelled: boolean }) => void; reject: (err: unknown) => void }>
  >();

  function reportNodeProgress(r: NodeProgressReport): Promise<{ cancelled: boolean }> {
    return new Promise((resolve, reject) => {
      let waiting = waitingReports.get(r.executionId);
      if (!waiting) {
        waitingReports.set(r.executionId, (waiting = []));
        void run(r.executionId, () => decideReports(r.executionId));
      }
      waiting.push({ report: r, resolve, reject });
    });
  }

  async function decideReports(executionId: string): Promise<void> {
    const waiting = waitingReports.get(executionId) ?? [];
    const batch = waiting.splice(0, MAX_REPORTS_PER_BATCH);
    if (waiting.length === 0) waitingReports.delete(executionId);
    else void run(executionId, () => decideReports(executionId));
    const answers: Array<{ cancelled: boolean } | undefined> = [];
    const at = now();
    const steps: Step[] = batch.map(({ report: r }, k) => ({
      tenantId: r.tenantId,
      build: (state) => {
        answers[k] = undefined;
        if (state.status !== 'RUNNING') return void (answers[k] = { cancelled: true });
        const exec = state.nodeExecs.get(r.nodeExecId);
        if (!exec)
          throw new DomainError('NOT_FOUND', `node execution ${r.nodeExecId} not found`, {
            what: 'node execution',
            id: r.nodeExecId,
          });
        if (r.attempt < exec.attempt || TERMINAL_NODE_STATUSES.has(exec.status))
          return void (answers[k] = { cancelled: true });
        const isHeartbeat = !r.started && !r.outputs?.length && !r.finished && !r.usage;
        if (isHeartbeat) {
          // A newer attempt (redelivered task) or a start still in flight: not ours to cancel yet.
          if (r.attempt > exec.attempt || exec.status !== 'RUNNING') return void (answers[k] = { cancelled: false });
          if (exec.workerId && exec.workerId !== r.workerId) return void (answers[k] = { cancelled: true });
          lastContact.set(nodeTaskId(r.executionId, exec.id, exec.attempt), at.getTime());
          return void (answers[k] = { cancelled: false });
        }
        return {
          type: 'ReportNodeProgress',
          data: {
            nodeExecId: r.nodeExecId,
            attempt: r.attempt,
            workerId: r.workerId,
            started: r.started,
            outputs: r.outputs,
            outputSeq: r.outputSeq,
            usage: r.usage,
            finished: r.finished,
            nowMs: at.getTime(),
            at: at.toISOString(),
          },
        };
      },
    }));
    let after: ExecutionState;
    let outcomes: StepOutcome[];
    try {
      ({ state: after, outcomes } = await decideSteps(executionId, steps));
    } catch (err) {
      for (const b of batch) b.reject(err);
      return;
    }
    let decidedAny = false;
    const deferred: typeof batch = [];
    batch.forEach(({ report: r, resolve, reject }, k) => {
      const outcome = outcomes[k];
      if (!outcome.ok && 'deferred' in outcome) {
        deferred.push(batch[k]);
        return;
      }
      if (!outcome.ok) {
        const err = outcome.err;
        if (isDomainError(err) && err.code === 'INVALID_TRANSITION') {
          logger.warn(
            { executionId: r.executionId, nodeExecId: r.nodeExecId, attempt: r.attempt, reason: err.message },
            'report rejected, runner told to stop',
          );
          return resolve({ cancelled: true });
        }
        return reject(err);
      }
      const answer = answers[k];
      if (answer) return resolve(answer);
      decidedAny = true;
      const e = after.nodeExecs.get(r.nodeExecId)!;
      if (e.status === 'RUNNING' && e.attempt === r.attempt)
        lastContact.set(nodeTaskId(r.executionId, e.id, e.attempt), at.getTime());
      resolve({ cancelled: after.status !== 'RUNNING' || e.status === 'TERMINATED' || e.attempt !== r.attempt });
    });
    if (deferred.length > 0) {
      // The batch was full: these go first in the next one.
      const waitingNow = waitingReports.get(executionId);
      if (waitingNow) waitingNow.unshift(...deferred);
      else {
        waitingReports.set(executionId, deferred);
        void run(executionId, () => decideReports(executionId));
      }
    }
    if (decidedAny && after.status === 'RUNNING' && opts.tenantBudget) {
      const tenantId = after.request!.tenantId;
      const over = await tenantOverBudget(tenantId);
      if (over) {
        await decideAndAppend(executionId, tenantId, (s) =>
          s.status === 'RUNNING'
            ? { type: 'FailExecution', data: { reason: over, code: 'BUDGET_EXCEEDED', at: at.toISOString() } }
            : undefined,
        ).catch((err) => logger.error({ executionId, error: String(err) }, 'failing an execution over budget failed'));
      }
    }
  }

  async function cancel(tenantId: string, executionId: string, reason?: string): Promise<void> {
    await run(executionId, () =>
      decideAndAppend(executionId, tenantId, () => ({
        type: 'CancelExecution',
        data: { reason: reason ?? 'cancelled by user', at: now().toISOString() },
      })),
    );
  }

  async function decideReview(cmd: DecideReviewCommand): Promise<void> {
    await run(cmd.executionId, () =>
      decideAndAppend(cmd.executionId, cmd.tenantId, () => ({
        type: 'DecideReview',
        data: {
          nodeExecId: cmd.nodeExecId,
          decision: cmd.decision,
          editedData: cmd.editedData,
          userId: cmd.userId,
          message: cmd.message,
          at: now().toISOString(),
        },
      })),
    );
  }

  async function get(tenantId: string, executionId: string): Promise<ExecutionView> {
    const state = await run(executionId, () => loadForTenant(tenantId, executionId));
    return resolveDeep(toView(state));
  }

  async function list(tenantId: string, filter: ListFilter = {}) {
    await index.ensureBuilt();
    return index.list(tenantId, filter);
  }

  async function events(tenantId: string, executionId: string): Promise<EventEnvelope[]> {
    const stream = await store.readStream(streamOf(executionId));
    if (stream.length === 0 || stream[0].tenantId !== tenantId)
      throw new DomainError('NOT_FOUND', `execution ${executionId} not found`, { what: 'execution', id: executionId });
    return stream;
  }

  /** The latest execution of a node that ran (has a recorded input); NOT_FOUND when the node is not in the graph. */
  function latestRunOf(state: ExecutionState, nodeId: string): string {
    if (!state.nodes.has(nodeId))
      throw new DomainError('NOT_FOUND', `node ${nodeId} not found in the graph`, { what: 'node', id: nodeId });
    for (let n = state.execCountByNode.get(nodeId) ?? 0; n > 0; n--) {
      const id = `${nodeId}#${n}`;
      if (state.nodeExecs.get(id)?.input) return id;
    }
    throw new DomainError('INVALID_TRANSITION', `node ${nodeId} never ran in execution: it has no recorded input`, {
      nodeId,
    });
  }

  async function fork(
    tenantId: string,
    executionId: string,
    from: string | { nodeId: string },
    userId?: string,
  ): Promise<{ executionId: string; fromNodeExecId: string }> {
    const source = await run(executionId, () => loadForTenant(tenantId, executionId));
    const nodeExecId = typeof from === 'string' ? from : latestRunOf(source, from.nodeId);
    const exec = source.nodeExecs.get(nodeExecId);
    if (!exec)
      throw new DomainError('NOT_FOUND', `node execution ${nodeExecId} not found`, {
        what: 'node execution',
        id: nodeExecId,
      });
    if (!exec.input)
      throw new DomainError('INVALID_TRANSITION', `node execution ${nodeExecId} never ran: it has no recorded input`, {
        nodeExecId,
      });
    const r = source.request!;
    const recordedInput = exec.input;
    const started = await withinQuotas(tenantId, () =>
      startExecution(newId(), {
        tenantId,
        userId: userId ?? r.userId,
        graphId: r.graphId,
        graphVersion: r.graphVersion,
        inputs: r.inputs,
        trigger: r.trigger,
        budget: r.budget,
        forkOf: {
          executionId,
          nodeExecId,
          nodeId: exec.nodeId,
          input: recordedInput,
          staticInputs: Object.fromEntries(source.staticInputs),
        },
      }),
    );
    return { executionId: started.executionId, fromNodeExecId: nodeExecId };
  }

  /** Continue an execution after a restart: re-dispatch QUEUED work, give RUNNING work a fresh lease, reconnect sub-agents. */
  async function resume(executionId: string): Promise<void> {
    const state = await run(executionId, () => load(executionId));
    if (state.status !== 'RUNNING') return;
    const nowMs = now().getTime();
    for (const exec of state.nodeExecs.values()) {
      const kind = state.nodes.get(exec.nodeId)!.kind;
      if (exec.status === 'QUEUED') await dispatch(executionId, state, exec);
      else if (exec.status === 'RUNNING' && kind === 'agent' && exec.childExecutionId) {
        const childId = exec.childExecutionId;
        const child = await run(childId, () => load(childId));
        if (child.status === 'NEW') spawn(`create sub-agent ${childId}`, () => createChild(executionId, exec.id));
        else if (TERMINAL_EXECUTION_STATUSES.has(child.status))
          spawn(`notify parent of ${childId}`, () => notifyParent(childId));
      } else if (exec.status === 'RUNNING') {
        const key = nodeTaskId(executionId, exec.id, exec.attempt);
        if (!lastContact.has(key)) lastContact.set(key, nowMs);
      }
    }
  }

  async function recover(filter?: (executionId: string) => boolean | Promise<boolean>): Promise<void> {
    await index.ensureBuilt();
    for (const id of await index.nonTerminalIds()) {
      try {
        if (filter && !(await filter(id))) continue;
        await resume(id);
      } catch (err) {
        logger.error(
          { executionId: id, error: err instanceof Error ? err.message : String(err) },
          `cannot recover execution ${id}`,
        );
      }
    }
  }

  async function release(filter: (executionId: string) => boolean | Promise<boolean>): Promise<number> {
    let released = 0;
    for (const executionId of [...cache.keys()]) {
      if (!(await filter(executionId))) continue;
      cache.delete(executionId);
      for (const key of [...lastContact.keys()]) if (key.startsWith(`${executionId}/`)) lastContact.delete(key);
      released++;
    }
    return released;
  }

  function observe(event: EventEnvelope): void {
    if (!event.streamId.startsWith('execution-')) return;
    const executionId = event.streamId.slice('execution-'.length);
    const cached = cache.get(executionId);
    if (cached && cached.version < event.streamVersion) cache.delete(executionId); // another writer moved it on
  }

  async function tick(): Promise<void> {
    const nowDate = now();
    const nowMs = nowDate.getTime();
    const at = nowDate.toISOString();
    for (const [executionId, state] of [...cache]) {
      if (state.status !== 'RUNNING') continue;
      if (owns && !(await owns(executionId))) continue;
      try {
        const deadline = state.request!.budget.maxDurationMs;
        if (deadline !== undefined && state.startedAt && Date.parse(state.startedAt) + deadline <= nowMs) {
          await run(executionId, () =>
            decideAndAppend(executionId, undefined, (s) =>
              s.status === 'RUNNING'
                ? {
                    type: 'FailExecution',
                    data: {
                      reason: `deadline exceeded: the execution ran longer than ${deadline} ms`,
                      code: 'DEADLINE_EXCEEDED',
                      at,
                    },
                  }
                : undefined,
            ),
          );
          continue;
        }
        for (const exec of [...state.nodeExecs.values()]) {
          if (exec.status !== 'RUNNING') continue;
          const node = state.nodes.get(exec.nodeId)!;
          if (ENGINE_KINDS.has(node.kind)) continue;
          const key = nodeTaskId(executionId, exec.id, exec.attempt);
          const { id: nodeExecId, attempt } = exec;
          const still = (s: ExecutionState) =>
            s.status === 'RUNNING' &&
            s.nodeExecs.get(nodeExecId)?.status === 'RUNNING' &&
            s.nodeExecs.get(nodeExecId)?.attempt === attempt;
          if (
            node.timeoutMs !== undefined &&
            exec.startedAt &&
            Date.parse(exec.startedAt) + node.timeoutMs + timeoutGraceMs <= nowMs
          ) {
            await run(executionId, () =>
              decideAndAppend(executionId, undefined, (s) =>
                still(s) ? { type: 'TimeOutNodeExecution', data: { nodeExecId, attempt, nowMs, at } } : undefined,
              ),
            );
            continue;
          }
          const last = lastContact.get(key);
          if (last === undefined) lastContact.set(key, nowMs);
          else if (nowMs - last > leaseTimeoutMs) {
            await run(executionId, () =>
              decideAndAppend(executionId, undefined, (s) =>
                still(s) ? { type: 'ExpireNodeLease', data: { nodeExecId, attempt, at } } : undefined,
              ),
            );
          }
        }
      } catch (err) {
        logger.error(
          { executionId, error: err instanceof Error ? err.message : String(err) },
          `tick failed for execution ${executionId}`,
        );
      }
    }
    // Let follow-ups started by this tick settle before the next one.
    while (pending.size > 0) await Promise.allSettled([...pending]);
  }

  async function close(): Promise<void> {
    closed = true;
    while (pending.size > 0) await Promise.allSettled([...pending]);
    await mutex.idle();
    await index.close?.();
  }

  async function rebuildReadModels(): Promise<void> {
    // The fresh index takes live appends at once (apply() counts an event seen live and while building once).
    index = newExecutionList();
    cache.clear();
    terminalOrder.length = 0;
    await index.ensureBuilt();
  }

  return {
    requestExecution,
    reportNodeProgress,
    cancel,
    decideReview,
    get,
    list,
    events,
    fork,
    recover,
    release,
    observe,
    heldExecutions: () => [...cache.keys()],
    tick,
    close,
    rebuildReadModels,
  };
}

/** Executor fields of AgentExecutorBlock; every other input field is a child graph input linked by name (AutoGPT). */
const EXECUTOR_FIELDS = new Set([
  'graph_id',
  'graph_version',
  'user_id',
  'inputs',
  'input_schema',
  'output_schema',
  'nodes_input_masks',
]);

function childInputs(input: Record<string, unknown>): Record<string, unknown> {
  const preset = input.inputs && typeof input.inputs === 'object' ? (input.inputs as Record<string, unknown>) : {};
  const linked = Object.fromEntries(Object.entries(input).filter(([k]) => !EXECUTOR_FIELDS.has(k)));
  return { ...preset, ...linked };
}
