import { context, propagation, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { EventStore } from '@agentry/event-log';
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
          span?.setAttributes({ 'gen_ai.request.model': u.model ?? '', 'gen_ai.usage.input_tokens': u.inputTokens ?? 0, 'gen_ai.usage.output_tokens': u.outputTokens ?? 0 });
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
