import {
  validateBlockInput,
  type BlockContext,
  type BlockFiles,
  type BlockKv,
  type BlockRegistry,
  type BlockUsage,
  type ResolvedCredentials,
} from '@agentry/block-sdk';
import type { LeasedTask, WorkQueue } from '@agentry/event-log';
import { DomainError, isDomainError } from '@agentry/kernel';
import { recordGenAiUsage, runInTaskSpan } from '@agentry/observability'; // tracing (issue #10): task spans, GenAI attributes
import { effectiveAttempt, failureOf, failureOfErrorPin, type NodeTask, type TaskFailure } from '../domain/task';
import type { CredentialResolver, ExecutionReporter, NodeProgressReport, WorkerLogger } from './ports';

export type { ExecutionReporter, CredentialResolver, NodeProgressReport, WorkerLogger } from './ports';
export type { NodeTask } from '../domain/task';

export interface BlockWorkerDeps {
  queue: WorkQueue;
  blocks: BlockRegistry;
  reporter: ExecutionReporter;
  credentials?: CredentialResolver;
  /** One kv for all tasks, or one per task (tenant/graph scoped). */
  kv?: BlockKv;
  kvFor?: (task: NodeTask) => BlockKv;
  /** The task's tenant's file store (ReadFileBlock, WriteFileBlock); blocks see none when absent. */
  filesFor?: (task: NodeTask) => BlockFiles;
  fetch?: typeof fetch;
  workerId: string;
  /** Lease length; the worker heartbeats (queue + engine) every leaseMs/3. Default 30 s. */
  leaseMs?: number;
  /** Tasks run at once. Default 4. */
  concurrency?: number;
  /** Default 'node-tasks'. */
  queueName?: string;
  /** How long one lease call waits for work. Default 200 ms. */
  pollMs?: number;
  /** Outputs per report at most (more are sent in the next report). Default 500. */
  maxBatch?: number;
  logger?: WorkerLogger;
}

export interface BlockWorkerStatus {
  workerId: string;
  running: number;
  concurrency: number;
  completed: number;
}

export interface BlockWorker {
  start(): void;
  /**
   * Stops leasing and waits for running tasks to finish; after `graceMs` (default 10 s) the rest are
   * aborted and left unacknowledged, so their leases expire and the engine re-dispatches them.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
  status(): BlockWorkerStatus;
  /** Drain (issue #6): stops leasing new tasks and lets running ones finish; start() leases again. */
  pause(): Promise<void>;
}

const ENGINE_KINDS = new Set(['agent', 'review', 'note']);
const REPORT_RETRIES = 5;
const noopLogger: WorkerLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class Aborted extends Error {
  constructor(
    readonly why: 'timeout' | 'cancelled' | 'lease-lost' | 'stopping',
    message: string,
  ) {
    super(message);
  }
}

function memoryKv(): BlockKv {
  const data = new Map<string, unknown>();
  return {
    get: async (scope, key) => data.get(`${scope}:${key}`),
    set: async (scope, key, value) => void data.set(`${scope}:${key}`, value),
    delete: async (scope, key) => void data.delete(`${scope}:${key}`),
  };
}

export function createBlockWorker(deps: BlockWorkerDeps): BlockWorker {
  const { queue, blocks, reporter, workerId } = deps;
  const leaseMs = deps.leaseMs ?? 30_000;
  const concurrency = deps.concurrency ?? 4;
  const queueName = deps.queueName ?? 'node-tasks';
  const pollMs = deps.pollMs ?? 200;
  const maxBatch = deps.maxBatch ?? 500;
  const logger = deps.logger ?? noopLogger;
  const sharedKv = deps.kv ?? memoryKv();
  const fetchImpl =
    deps.fetch ??
    (async () =>
      Promise.reject(new DomainError('PERMISSION_DENIED', 'network access is not configured for this runner')));

  let running = 0;
  let completed = 0;
  let stopping = false;
  let loop: Promise<void> | undefined;
  const inFlight = new Set<Promise<void>>();
  const aborters = new Set<() => void>();
  let slotFreed: (() => void) | undefined;

  /** Reports with retries on transient failures; a non-retryable domain error (e.g. NOT_FOUND) is final. */
  async function report(r: NodeProgressReport): Promise<{ cancelled: boolean }> {
    for (let i = 0; ; i++) {
      try {
        return await reporter.reportNodeProgress(r);
      } catch (err) {
        if ((isDomainError(err) && !err.retryable) || i >= REPORT_RETRIES) throw err;
        await sleep(Math.min(50 * 2 ** i, 2000));
      }
    }
  }

  async function runTask(leased: LeasedTask): Promise<void> {
    const task = leased.payload as NodeTask;
    const attempt = effectiveAttempt(task, leased.deliveries);
    const ids = {
      tenantId: task.tenantId,
      executionId: task.executionId,
      nodeExecId: task.nodeExecId,
      attempt,
      workerId,
    };
    const log = { executionId: task.executionId, nodeExecId: task.nodeExecId, attempt, blockId: task.blockId };
    const controller = new AbortController();
    let abortedBy: Aborted | undefined;
    const abort = (why: Aborted['why'], message: string) => {
      if (abortedBy) return;
      abortedBy = new Aborted(why, message);
      controller.abort(abortedBy);
    };
    const abortOnStop = () => abort('stopping', 'the runner is stopping');
    aborters.add(abortOnStop);

    let timer: NodeJS.Timeout | undefined;
    const heartbeat = setInterval(
      () => {
        queue.heartbeat(leased, leaseMs).catch((err) => {
          if (isDomainError(err) && err.code === 'CONFLICT') abort('lease-lost', 'lease lost');
        });
        reporter
          .reportNodeProgress(ids)
          .then((r) => r.cancelled && abort('cancelled', 'cancelled by the engine'))
          .catch(() => {});
      },
      Math.max(10, Math.floor(leaseMs / 3)),
    );

    // Outputs are buffered while a report is in flight and sent in order, in batches.
    const buffer: Array<{ pin: string; value: unknown }> = [];
    let usage: BlockUsage | undefined;
    let pump: Promise<void> | undefined;
    let sent = 0;
    const nextBatch = (max: number) => {
      const outputs = buffer.splice(0, max);
      const outputSeq = sent;
      sent += outputs.length;
      return { outputs, outputSeq };
    };
    let reportError: unknown;
    const takeUsage = () => {
      const u = usage;
      usage = undefined;
      return u;
    };
    const kick = () => {
      pump ??= (async () => {
        try {
          while (buffer.length > 0 && !abortedBy) {
            const res = await report({ ...ids, ...nextBatch(maxBatch), usage: takeUsage() });
            if (res.cancelled) abort('cancelled', 'cancelled by the engine');
          }
        } catch (err) {
          reportError = err;
          abort('lease-lost', `cannot report to the execution service: ${(err as Error).message}`);
        } finally {
          pump = undefined;
        }
      })();
    };
    const drain = async () => {
      while (pump) await pump;
    };

    let failure: TaskFailure | undefined;
    try {
      const first = await report({ ...ids, started: true });
      if (first.cancelled) {
        abort('cancelled', 'not wanted by the engine');
        return;
      }
      const block = blocks.get(task.blockId);
      if (!block) throw new DomainError('NOT_FOUND', `block ${task.blockId} is not available on this runner`);
      if (ENGINE_KINDS.has(block.kind))
        throw new DomainError(
          'INVALID_TRANSITION',
          `block ${block.name} (${block.kind}) is run by the execution engine`,
        );
      const valid = validateBlockInput(block, task.input);
      if (!valid.ok) {
        throw new DomainError(
          'VALIDATION_FAILED',
          `invalid input for ${block.name}: ${Object.entries(valid.errors)
            .map(([k, v]) => (k ? `${k}: ${v}` : v))
            .join('; ')}`,
          { errors: valid.errors },
        );
      }
      let credentials: ResolvedCredentials | undefined;
      if (block.credentials) {
        if (!deps.credentials)
          throw new DomainError(
            'INVALID_CREDENTIALS',
            `block ${block.name} needs credentials but this runner has no credential resolver`,
            undefined,
            { retryable: false },
          );
        credentials = await deps.credentials.resolve(
          task.tenantId,
          task.credentialsRef ?? task.input[block.credentials.field],
          `${task.executionId}/${task.nodeExecId}/${attempt} ${block.name}`,
          { scopes: block.credentials.scopes ?? [], blockName: block.name },
        );
      }
      // Preparing (validation, credentials) may have taken a while: renew the lease before the run.
      await queue.heartbeat(leased, leaseMs).catch((err) => {
        if (isDomainError(err) && err.code === 'CONFLICT') abort('lease-lost', 'lease lost');
      });
      if (abortedBy) return;
      if (task.timeoutMs !== undefined)
        timer = setTimeout(() => abort('timeout', `timed out after ${task.timeoutMs} ms`), task.timeoutMs);
      const ctx: BlockContext = {
        tenantId: task.tenantId,
        graphId: task.graphId,
        graphVersion: task.graphVersion,
        nodeId: task.nodeId,
        executionId: task.executionId,
        nodeExecId: task.nodeExecId,
        attempt,
        idempotencyKey: `${task.executionId}/${task.nodeExecId}/${attempt}`,
        signal: controller.signal,
        credentials,
        logger: {
          debug: (msg, f) => logger.debug({ ...f, ...log }, msg),
          info: (msg, f) => logger.info({ ...f, ...log }, msg),
          warn: (msg, f) => logger.warn({ ...f, ...log }, msg),
          error: (msg, f) => logger.error({ ...f, ...log }, msg),
        },
        kv: deps.kvFor?.(task) ?? sharedKv,
        files: deps.filesFor?.(task),
        fetch: fetchImpl,
        emitProgress: (p) => logger.debug({ ...log, progress: p }, 'block progress'),
        reportUsage: (u) => {
          usage = {
            model: u.model ?? usage?.model,
            inputTokens: (usage?.inputTokens ?? 0) + (u.inputTokens ?? 0),
            outputTokens: (usage?.outputTokens ?? 0) + (u.outputTokens ?? 0),
            costUsd: (usage?.costUsd ?? 0) + (u.costUsd ?? 0),
          };
          recordGenAiUsage(usage); // tracing (issue #10)
        },
      };

      // Race every step against the abort signal: a block that ignores its signal cannot hold the task.
      const aborted = new Promise<never>((_, reject) => {
        if (controller.signal.aborted) reject(controller.signal.reason);
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      });
      aborted.catch(() => {});
      const iterator = block.run(valid.value, ctx)[Symbol.asyncIterator]();
      let yielded = 0;
      try {
        for (;;) {
          const step = await Promise.race([iterator.next(), aborted]);
          if (step.done) break;
          const [pin, value] = step.value;
          if (pin === 'error') {
            failure = failureOfErrorPin(value);
            break;
          }
          buffer.push({ pin, value });
          kick();
          // A block yielding without real awaits would starve timers (heartbeats, timeouts): let them run.
          if (++yielded % 64 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
          if (buffer.length >= maxBatch * 4) await drain(); // back-pressure on very chatty blocks
        }
      } finally {
        if (abortedBy || failure) void Promise.resolve(iterator.return?.(undefined)).catch(() => {});
      }
    } catch (err) {
      failure = err instanceof Aborted || abortedBy ? undefined : failureOf(err);
    } finally {
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      aborters.delete(abortOnStop);
    }

    try {
      if (abortedBy?.why === 'timeout') failure = { message: abortedBy.message, code: 'TIMEOUT', retryable: true };
      if (abortedBy && abortedBy.why !== 'timeout') {
        // Cancelled or superseded: the engine no longer wants results; a lost lease means the task is someone else's.
        await drain();
        if (abortedBy.why === 'cancelled') await queue.ack(leased).catch(() => {});
        if (reportError) logger.warn({ ...log, error: String(reportError) }, 'task abandoned: reports failed');
        return;
      }
      await drain();
      await report({
        ...ids,
        ...nextBatch(buffer.length),
        usage: takeUsage(),
        finished: failure ? { status: 'FAILED', error: failure } : { status: 'COMPLETED' },
      });
      await queue.ack(leased).catch((err) => logger.warn({ ...log, error: String(err) }, 'ack failed (lease lost?)'));
    } catch (err) {
      if (isDomainError(err) && err.code === 'NOT_FOUND') {
        // The execution (or node execution) does not exist for the engine: nothing will ever want this task.
        await queue.ack(leased).catch(() => {});
        return;
      }
      logger.error(
        { ...log, error: err instanceof Error ? err.message : String(err) },
        'cannot report the result; the lease will expire and the task be re-dispatched',
      );
    }
  }

  async function leaseLoop(): Promise<void> {
    while (!stopping) {
      const free = concurrency - running;
      if (free <= 0) {
        await new Promise<void>((resolve) => (slotFreed = resolve));
        continue;
      }
      let tasks: LeasedTask[];
      try {
        tasks = await queue.lease(queueName, { workerId, leaseMs, max: free, waitMs: pollMs });
      } catch (err) {
        if (stopping) return;
        logger.warn({ error: err instanceof Error ? err.message : String(err) }, 'lease failed');
        await sleep(pollMs);
        continue;
      }
      for (const task of tasks) {
        running++;
        // tracing (issue #10): the task continues the trace of whoever enqueued it
        const payload = task.payload as Partial<NodeTask>;
        const spanAttributes = { 'agentry.execution_id': payload.executionId ?? '', 'agentry.node_id': payload.nodeId ?? '', 'agentry.block_id': payload.blockId ?? '', 'agentry.attempt': payload.attempt ?? 0 };
        const p: Promise<void> = runInTaskSpan(`run node ${payload.nodeId ?? task.id}`, task, spanAttributes, () => runTask(task))
          .catch((err) => logger.error({ taskId: task.id, error: String(err) }, 'task crashed'))
          .finally(() => {
            running--;
            completed++;
            inFlight.delete(p);
            const wake = slotFreed;
            slotFreed = undefined;
            wake?.();
          });
        inFlight.add(p);
      }
    }
  }

  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = leaseLoop();
    },
    async stop(options = {}) {
      stopping = true;
      const wake = slotFreed;
      slotFreed = undefined;
      wake?.();
      await loop;
      loop = undefined;
      const grace = setTimeout(() => {
        for (const abortTask of aborters) abortTask();
      }, options.graceMs ?? 10_000);
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      clearTimeout(grace);
    },
    status: () => ({ workerId, running, concurrency, completed }),
    async pause() {
      stopping = true;
      const wake = slotFreed;
      slotFreed = undefined;
      wake?.();
      await loop;
      loop = undefined;
    },
  };
}
