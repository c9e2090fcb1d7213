import { Counter, Gauge, Histogram } from 'prom-client';
import { registry } from './metrics';

let queueDepthSampler: ((gauge: Gauge<'queue'>) => Promise<void>) | undefined;

/** What agentry_queue_depth reads at scrape time (the process that owns a queue connection sets it). */
export function setQueueDepthSampler(sampler: ((gauge: Gauge<'queue'>) => Promise<void>) | undefined): void {
  queueDepthSampler = sampler;
}

/**
 * Every agentry_* metric the platform exports, defined once (docs/metrics.md lists them). gRPC metrics are
 * defined next to the interceptor in libs/grpc; process metrics by collectProcessMetrics().
 * Labels stay bounded: tenant ids, block names, queue names, route templates — never execution ids.
 */
export const metrics = {
  executionsStarted: new Counter({
    name: 'agentry_executions_started_total',
    help: 'Executions requested, by tenant and trigger',
    labelNames: ['tenant', 'trigger'],
    registers: [registry],
  }),
  executions: new Counter({
    name: 'agentry_executions_total',
    help: 'Executions finished, by status (succeeded, failed, terminated) and tenant',
    labelNames: ['status', 'tenant'],
    registers: [registry],
  }),
  nodeExecutions: new Counter({
    name: 'agentry_node_executions_total',
    help: 'Node executions finished, by block and status (succeeded, failed, terminated)',
    labelNames: ['block', 'status'],
    registers: [registry],
  }),
  nodeDuration: new Histogram({
    name: 'agentry_node_duration_seconds',
    help: 'Node execution time from start to completion or failure of its last attempt, by block',
    labelNames: ['block'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  }),
  nodeRetries: new Counter({ name: 'agentry_node_retries_total', help: 'Node attempts retried by their retry policy, by block', labelNames: ['block'], registers: [registry] }),
  leaseExpiries: new Counter({
    name: 'agentry_lease_expiries_total',
    help: 'Node attempts whose lease expired (runner died or hung) and were re-dispatched, by block',
    labelNames: ['block'],
    registers: [registry],
  }),
  llmTokens: new Counter({
    name: 'agentry_llm_tokens_total',
    help: 'LLM tokens used by blocks, by tenant, model and direction (input, output)',
    labelNames: ['tenant', 'model', 'direction'],
    registers: [registry],
  }),
  llmCost: new Counter({ name: 'agentry_llm_cost_usd_total', help: 'LLM cost in US dollars reported by blocks, by tenant and model', labelNames: ['tenant', 'model'], registers: [registry] }),
  queueDepth: new Gauge({
    name: 'agentry_queue_depth',
    help: 'Tasks queued or leased in a work queue (sampled at scrape time)',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      await queueDepthSampler?.(this);
    },
  }),
  consumerLag: new Gauge({
    name: 'agentry_consumer_lag_seconds',
    help: 'How long after it was appended the last event a consumer handled was handled',
    labelNames: ['consumer'],
    registers: [registry],
  }),
  eventsHandled: new Counter({ name: 'agentry_events_handled_total', help: 'Events handled by a consumer, by consumer and event type', labelNames: ['consumer', 'type'], registers: [registry] }),
  httpRequests: new Counter({
    name: 'agentry_http_requests_total',
    help: 'HTTP requests served, by method, route template and status code',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  }),
  httpDuration: new Histogram({
    name: 'agentry_http_request_duration_seconds',
    help: 'HTTP request duration, by method and route template',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  }),
  sentryEvents: new Counter({ name: 'agentry_sentry_events_total', help: 'Error events sent to Sentry (after scrubbing)', registers: [registry] }),
};
