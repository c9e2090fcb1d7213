import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { EventStore, LeasedTask, WorkQueue } from '@agentry/event-log';
import type { EventEnvelope } from '@agentry/kernel';
import type { ExecutionEventFields } from './event-metrics';

let sdk: { shutdown(): Promise<void> } | undefined;

/**
 * OpenTelemetry for one process, when OTEL_EXPORTER_OTLP_ENDPOINT is set: OTLP/HTTP trace exporter, HTTP and
 * gRPC instrumentation (W3C traceparent in HTTP headers and gRPC metadata). Must run before @grpc/grpc-js
 * and express are loaded: libs/runtime imports ./preload first for that reason. Idempotent.
 */
export function initTelemetry(options: { serviceName: string; env?: NodeJS.ProcessEnv }): boolean {
  const env = options.env ?? process.env;
  if (sdk || !env.OTEL_EXPORTER_OTLP_ENDPOINT) return !!sdk;
  // Traces only; metrics stay on Prometheus (/metrics) and logs on stdout (pino).
  env.OTEL_METRICS_EXPORTER ??= 'none';
  env.OTEL_LOGS_EXPORTER ??= 'none';
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { GrpcInstrumentation } = require('@opentelemetry/instrumentation-grpc') as typeof import('@opentelemetry/instrumentation-grpc');
  const quiet = /^\/(healthz|readyz|metrics)\b/;
  const instance = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? `agentry-${options.serviceName}`,
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => quiet.test(req.url ?? ''), ignoreOutgoingRequestHook: () => false }),
      new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch'] }),
    ],
  });
  instance.start();
  sdk = instance;
  return true;
}

/** Flushes and stops the tracer (called on shutdown). */
export async function shutdownTelemetry(): Promise<void> {
  const s = sdk;
  sdk = undefined;
  await s?.shutdown().catch(() => undefined);
}

/** The W3C traceparent of the active span, if any (for event headers and task payloads). */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** A context whose parent is the given traceparent (from an event header). */
export function contextFromTraceparent(traceparent: string | undefined) {
  return traceparent ? propagation.extract(context.active(), { traceparent }) : context.active();
}

/** Trace context in event headers: appends stamp `envelope.traceparent` from the active span when the caller set none. */
export function withTraceContext(events: EventStore): EventStore {
  return new Proxy(events, {
    get(target, prop, receiver) {
      if (prop !== 'append') return Reflect.get(target, prop, receiver);
      const append: EventStore['append'] = (streamId, newEvents, options) => {
        const traceparent = currentTraceparent();
        const stamped = traceparent ? newEvents.map((e) => (e.traceparent ? e : { ...e, traceparent })) : newEvents;
        return target.append(streamId, stamped, options);
      };
      return append;
    },
  });
}

/**
 * Trace context through the work queue: an enqueued task whose payload is an object gets the active span's
 * `traceparent` in its payload (unless it has one), so whoever leases it continues the trace (runInTaskSpan).
 */
export function withTaskTraceContext(queue: WorkQueue): WorkQueue {
  return new Proxy(queue, {
    get(target, prop, receiver) {
      if (prop !== 'enqueue') return Reflect.get(target, prop, receiver);
      const enqueue: WorkQueue['enqueue'] = (name, tasks) => {
        const traceparent = currentTraceparent();
        const stamp = (p: unknown) => (traceparent && p && typeof p === 'object' && !Array.isArray(p) && !('traceparent' in p) ? { ...p, traceparent } : p);
        return target.enqueue(name, traceparent ? tasks.map((t) => ({ ...t, payload: stamp(t.payload) })) : tasks);
      };
      return enqueue;
    },
  });
}

/**
 * Runs a leased task inside a CONSUMER span that continues the trace of whoever enqueued it (the payload's
 * `traceparent`), so the spans of the work (HTTP calls, the report back over gRPC) join that trace.
 */
export async function runInTaskSpan<T>(name: string, task: Pick<LeasedTask, 'id' | 'queue' | 'deliveries' | 'payload'>, attributes: Attributes, run: () => Promise<T>): Promise<T> {
  const payload = task.payload as { traceparent?: unknown } | undefined;
  const parent = contextFromTraceparent(typeof payload?.traceparent === 'string' ? payload.traceparent : undefined);
  const span = trace
    .getTracer('agentry-work-queue')
    .startSpan(name, { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'agentry', 'messaging.destination.name': task.queue, 'messaging.message.id': task.id, 'agentry.deliveries': task.deliveries, ...attributes } }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), run);
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
    throw err;
  } finally {
    span.end();
  }
}

/** GenAI semantic-convention attributes of one model call's usage. */
export function genAiAttributes(usage: { model?: string; inputTokens?: number; outputTokens?: number; provider?: string }): Attributes {
  return {
    'gen_ai.request.model': usage.model ?? '',
    'gen_ai.response.model': usage.model ?? '',
    'gen_ai.usage.input_tokens': usage.inputTokens ?? 0,
    'gen_ai.usage.output_tokens': usage.outputTokens ?? 0,
    ...(usage.provider ? { 'gen_ai.system': usage.provider } : {}),
  };
}

/** Puts an LLM call's model and token counts on the active span (the block's task span in block-runner). */
export function recordGenAiUsage(usage: { model?: string; inputTokens?: number; outputTokens?: number; provider?: string }): void {
  trace.getActiveSpan()?.setAttributes(genAiAttributes(usage));
}

export interface ExecutionSpanRecorder {
  handle(e: EventEnvelope): void;
}

/**
 * Spans of an execution and of every node attempt, rebuilt from the execution events (their times come from
 * the events), children of the trace that requested the execution (ExecutionRequested's traceparent). This
 * is how the trace of a REST call reaches every node execution whatever process ran it.
 */
export function recordExecutionSpans(maxOpen = 10_000): ExecutionSpanRecorder {
  const tracer = trace.getTracer('agentry-execution-events');
  const executions = new Map<string, Span>();
  const nodes = new Map<string, { span?: Span; block: string; nodeId: string }>();
  const at = (iso: unknown) => (typeof iso === 'string' ? new Date(iso) : undefined);
  return {
    handle(e) {
      if (!sdk) return;
      const d = (e.data ?? {}) as ExecutionEventFields;
      const nodeKey = `${e.streamId}/${d.nodeExecId}`;
      switch (e.type) {
        case 'ExecutionRequested': {
          if (executions.size >= maxOpen) return;
          const span = tracer.startSpan(
            'execution',
            { startTime: at(d.requestedAt) ?? new Date(e.occurredAt), attributes: { 'agentry.execution_id': d.executionId, 'agentry.graph_id': d.graphId, 'agentry.tenant': e.tenantId, 'agentry.trigger': d.trigger } },
            contextFromTraceparent(e.traceparent),
          );
          executions.set(e.streamId, span);
          break;
        }
        case 'NodeExecutionCreated':
          if (executions.has(e.streamId)) nodes.set(nodeKey, { block: String(d.blockId), nodeId: String(d.nodeId) });
          break;
        case 'NodeExecutionStarted': {
          const parent = executions.get(e.streamId);
          const n = nodes.get(nodeKey);
          if (!parent || !n) return;
          n.span?.end();
          n.span = tracer.startSpan(
            `node ${n.nodeId}`,
            { startTime: at(d.startedAt), attributes: { 'agentry.node_id': n.nodeId, 'agentry.node_exec_id': d.nodeExecId, 'agentry.block_id': n.block, 'agentry.attempt': d.attempt } },
            trace.setSpan(context.active(), parent),
          );
          break;
        }
        case 'NodeUsageRecorded': {
          const span = nodes.get(nodeKey)?.span;
          const u = d.usage ?? {};
          span?.setAttributes(genAiAttributes(u));
          break;
        }
        case 'NodeExecutionCompleted':
        case 'NodeExecutionFailed':
        case 'NodeLeaseExpired':
        case 'NodeRetryScheduled':
        case 'NodeExecutionTerminated': {
          const n = nodes.get(nodeKey);
          if (!n?.span) return;
          if (e.type !== 'NodeExecutionCompleted') n.span.setStatus({ code: SpanStatusCode.ERROR, message: d.error?.message ?? d.reason ?? e.type });
          n.span.end(at(d.endedAt ?? d.expiredAt ?? d.scheduledAt) ?? new Date(e.occurredAt));
          n.span = undefined;
          break;
        }
        case 'ExecutionCompleted':
        case 'ExecutionFailed':
        case 'ExecutionTerminated': {
          const span = executions.get(e.streamId);
          if (!span) return;
          if (e.type !== 'ExecutionCompleted') span.setStatus({ code: SpanStatusCode.ERROR, message: d.reason ?? e.type });
          span.end(at(d.endedAt) ?? new Date(e.occurredAt));
          executions.delete(e.streamId);
          for (const k of [...nodes.keys()]) if (k.startsWith(`${e.streamId}/`)) nodes.delete(k);
          break;
        }
        default:
          break;
      }
    },
  };
}
