import { context, SpanKind, trace } from '@opentelemetry/api';
import { node, tracing } from '@opentelemetry/sdk-node';
import { createSqliteEventLog, type SqliteEventLog } from '@agentry/event-log/src/sqlite';
import { currentTraceparent, recordGenAiUsage, runInTaskSpan, withTaskTraceContext } from '../src';

/**
 * Trace context across the work queue (issue #10): a real SQLite work queue between a producer span and the
 * consumer that leases the task. The tracer provider is registered directly (W3C propagation, async-local
 * context): Jest's module loader cannot be instrumented, but these helpers only use the API.
 */
const exporter = new tracing.InMemorySpanExporter();
const provider = new node.NodeTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
provider.register();
afterAll(() => provider.shutdown());

describe('trace context through the work queue', () => {
  let log: SqliteEventLog;
  beforeEach(() => {
    exporter.reset();
    log = createSqliteEventLog({ path: ':memory:' });
  });
  afterEach(() => log.close());

  it('stamps the enqueuing span into object payloads and continues it in the consumer span', async () => {
    const queue = withTaskTraceContext(log.queue);
    const tracer = trace.getTracer('test');
    const producer = tracer.startSpan('dispatch');
    await context.with(trace.setSpan(context.active(), producer), async () => {
      await queue.enqueue('node-tasks', [
        { id: 't1', tenantId: 'tn', payload: { executionId: 'e1', nodeId: 'n1' } },
        { id: 't2', tenantId: 'tn', payload: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } },
        { id: 't3', tenantId: 'tn', payload: 'not an object' },
      ]);
    });
    producer.end();

    const leased = await queue.lease('node-tasks', { workerId: 'w', leaseMs: 10_000, max: 10 });
    const byId = new Map(leased.map((t) => [t.id, t]));
    expect((byId.get('t1')!.payload as { traceparent: string }).traceparent).toBe(`00-${producer.spanContext().traceId}-${producer.spanContext().spanId}-01`);
    expect((byId.get('t2')!.payload as { traceparent: string }).traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(byId.get('t3')!.payload).toBe('not an object');

    const inner = await runInTaskSpan('run node n1', byId.get('t1')!, { 'agentry.node_id': 'n1' }, async () => {
      recordGenAiUsage({ model: 'gpt-4o-mini', inputTokens: 12, outputTokens: 34, provider: 'openai' });
      const child = tracer.startSpan('http call');
      child.end();
      return currentTraceparent();
    });

    const spans = exporter.getFinishedSpans();
    const consumer = spans.find((s) => s.name === 'run node n1')!;
    const child = spans.find((s) => s.name === 'http call')!;
    expect(consumer.kind).toBe(SpanKind.CONSUMER);
    expect(consumer.spanContext().traceId).toBe(producer.spanContext().traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    expect(child.parentSpanContext?.spanId).toBe(consumer.spanContext().spanId);
    expect(inner).toBe(`00-${consumer.spanContext().traceId}-${consumer.spanContext().spanId}-01`);
    expect(consumer.attributes).toMatchObject({
      'agentry.node_id': 'n1',
      'messaging.destination.name': 'node-tasks',
      'messaging.message.id': 't1',
      'agentry.deliveries': 1,
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 34,
    });
  });

  it('leaves payloads alone outside a trace, and marks a failed task span as an error', async () => {
    const queue = withTaskTraceContext(log.queue);
    await queue.enqueue('node-tasks', [{ id: 't1', tenantId: 'tn', payload: { n: 1 } }]);
    const [task] = await queue.lease('node-tasks', { workerId: 'w', leaseMs: 10_000 });
    expect(task.payload).toEqual({ n: 1 });
    await expect(
      runInTaskSpan('run node x', task, {}, async () => {
        throw new Error('block exploded');
      }),
    ).rejects.toThrow('block exploded');
    const [span] = exporter.getFinishedSpans();
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.status).toMatchObject({ code: 2, message: 'block exploded' });
    expect(span.events.map((e) => e.name)).toContain('exception');
  });
});
