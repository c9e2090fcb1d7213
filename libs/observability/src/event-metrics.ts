import type { EventStore, WorkQueue } from '@agentry/event-log';
import type { EventEnvelope } from '@agentry/kernel';
import { metrics, setQueueDepthSampler } from './agentry-metrics';
import { recordExecutionSpans, type ExecutionSpanRecorder } from './tracing';

/**
 * Service-level metrics derived from the execution event stream (the execution service owns the events;
 * this projector only reads them): executions by status and tenant, node durations by block, lease
 * expiries, retries, LLM tokens and cost. A durable consumer, so replicas share the work and a restart
 * resumes where it stopped; counters count from the process start like any Prometheus counter.
 */
export interface EventMetricsOptions {
  events: EventStore;
  /** Queue depth is sampled at scrape time for these queues. */
  queue?: WorkQueue;
  queues?: string[];
  /** Block id -> a readable, bounded label (block name). Default: the id. */
  blockName?: (blockId: string) => string | undefined;
  consumer?: string;
  /** Most node executions kept in flight (oldest dropped first). Default 100 000. */
  maxTracked?: number;
  clock?: () => number;
  onError?: (err: unknown) => void;
}

interface NodeTrack {
  block: string;
  startedAtMs?: number;
}

/** The fields of execution events this projector reads (all optional: it never trusts an event's shape). */
export interface ExecutionEventFields {
  executionId?: string;
  graphId?: string;
  nodeExecId?: string;
  nodeId?: string;
  blockId?: string;
  trigger?: string;
  attempt?: number;
  requestedAt?: string;
  startedAt?: string;
  endedAt?: string;
  expiredAt?: string;
  scheduledAt?: string;
  reason?: string;
  error?: { message?: string };
  usage?: { model?: string; inputTokens?: number; outputTokens?: number; costUsd?: number };
}

const TERMINAL_STATUS: Record<string, string> = { ExecutionCompleted: 'succeeded', ExecutionFailed: 'failed', ExecutionTerminated: 'terminated' };

export interface EventMetricsProjector {
  handle(event: EventEnvelope): void;
}

/** The fold itself, without a subscription (tests feed it events). */
export function createEventMetricsProjector(options: Pick<EventMetricsOptions, 'blockName' | 'maxTracked' | 'clock' | 'consumer'> & { spans?: ExecutionSpanRecorder } = {}): EventMetricsProjector {
  const nodes = new Map<string, NodeTrack>();
  const byExecution = new Map<string, Set<string>>();
  const maxTracked = options.maxTracked ?? 100_000;
  const clock = options.clock ?? Date.now;
  const consumer = options.consumer ?? 'metrics-execution';
  const blockLabel = (blockId: string) => options.blockName?.(blockId) ?? blockId;

  const key = (e: EventEnvelope, nodeExecId: string) => `${e.streamId}/${nodeExecId}`;
  const track = (e: EventEnvelope, nodeExecId: string, t: NodeTrack) => {
    const k = key(e, nodeExecId);
    nodes.set(k, t);
    let set = byExecution.get(e.streamId);
    if (!set) byExecution.set(e.streamId, (set = new Set()));
    set.add(k);
    while (nodes.size > maxTracked) {
      const oldest = nodes.keys().next().value as string;
      nodes.delete(oldest);
    }
  };
  const blockOf = (e: EventEnvelope, nodeExecId: string) => nodes.get(key(e, nodeExecId))?.block ?? 'unknown';

  return {
    handle(e) {
      metrics.eventsHandled.inc({ consumer, type: e.type });
      const at = Date.parse(e.occurredAt);
      if (Number.isFinite(at)) metrics.consumerLag.set({ consumer }, Math.max(0, (clock() - at) / 1000));
      options.spans?.handle(e);
      const d = (e.data ?? {}) as ExecutionEventFields;
      switch (e.type) {
        case 'ExecutionRequested':
          metrics.executionsStarted.inc({ tenant: e.tenantId, trigger: String(d.trigger ?? 'unknown') });
          break;
        case 'NodeExecutionCreated':
          track(e, String(d.nodeExecId), { block: blockLabel(String(d.blockId)) });
          break;
        case 'NodeExecutionStarted': {
          const t = nodes.get(key(e, String(d.nodeExecId)));
          const startedAtMs = Date.parse(d.startedAt ?? e.occurredAt);
          if (t) t.startedAtMs = startedAtMs;
          else track(e, String(d.nodeExecId), { block: 'unknown', startedAtMs });
          break;
        }
        case 'NodeExecutionCompleted':
        case 'NodeExecutionFailed': {
          const t = nodes.get(key(e, String(d.nodeExecId)));
          const block = t?.block ?? 'unknown';
          metrics.nodeExecutions.inc({ block, status: e.type === 'NodeExecutionCompleted' ? 'succeeded' : 'failed' });
          const end = Date.parse(d.endedAt ?? e.occurredAt);
          if (t?.startedAtMs !== undefined && Number.isFinite(end)) metrics.nodeDuration.observe({ block }, Math.max(0, (end - t.startedAtMs) / 1000));
          break;
        }
        case 'NodeExecutionTerminated':
          metrics.nodeExecutions.inc({ block: blockOf(e, String(d.nodeExecId)), status: 'terminated' });
          break;
        case 'NodeRetryScheduled':
          metrics.nodeRetries.inc({ block: blockOf(e, String(d.nodeExecId)) });
          break;
        case 'NodeLeaseExpired':
          metrics.leaseExpiries.inc({ block: blockOf(e, String(d.nodeExecId)) });
          break;
        case 'NodeUsageRecorded': {
          const u = d.usage ?? {};
          const model = u.model || 'unknown';
          if (u.inputTokens) metrics.llmTokens.inc({ tenant: e.tenantId, model, direction: 'input' }, u.inputTokens);
          if (u.outputTokens) metrics.llmTokens.inc({ tenant: e.tenantId, model, direction: 'output' }, u.outputTokens);
          if (u.costUsd) metrics.llmCost.inc({ tenant: e.tenantId, model }, u.costUsd);
          break;
        }
        case 'ExecutionCompleted':
        case 'ExecutionFailed':
        case 'ExecutionTerminated': {
          metrics.executions.inc({ status: TERMINAL_STATUS[e.type], tenant: e.tenantId });
          for (const k of byExecution.get(e.streamId) ?? []) nodes.delete(k);
          byExecution.delete(e.streamId);
          break;
        }
        default:
          break;
      }
    },
  };
}

/** Subscribes the projector to the execution category and samples queue depth at scrape time. */
export function startEventMetrics(options: EventMetricsOptions): { caughtUp: Promise<void>; close(): Promise<void> } {
  const consumer = options.consumer ?? 'metrics-execution';
  const projector = createEventMetricsProjector({ ...options, consumer, spans: recordExecutionSpans() });
  if (options.queue) {
    const queue = options.queue;
    const queues = options.queues ?? ['node-tasks'];
    setQueueDepthSampler(async (gauge) => {
      for (const q of queues) {
        try {
          gauge.set({ queue: q }, await queue.depth(q));
        } catch {
          // the log is unreachable: keep the last value rather than fail the scrape
        }
      }
    });
  }
  const sub = options.events.subscribe({
    consumer,
    categories: ['execution'],
    startAt: 'end',
    handler: async (e) => projector.handle(e),
    onError: (err) => options.onError?.(err),
  });
  sub.caughtUp.catch(() => undefined);
  return { caughtUp: sub.caughtUp, close: () => sub.close() };
}
