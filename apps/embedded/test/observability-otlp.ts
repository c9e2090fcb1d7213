/**
 * Test support for the tracing tests: an OTLP/HTTP trace receiver (JSON encoding, what
 * @opentelemetry/exporter-trace-otlp-http sends) and the graph they run.
 */
import http from 'node:http';
import zlib from 'node:zlib';

export const SPAN_KIND = { SERVER: 2, CLIENT: 3, CONSUMER: 5 };
const BLOCK = {
  input: 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b',
  template: 'db7d8f02-2f44-4c55-ab7a-eae0941f0c30',
  output: '363ae599-353e-4804-937e-b2ee3cef3da4',
};
const WEBHOOK_BLOCK = 'd9c2e8cf-c4b6-4f1b-a588-b276d185050a';
const AI_TEXT_BLOCK = '1f292d4a-41a4-4977-9684-7c8d560b9f91';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean | undefined>;
}

/** A minimal OTLP/HTTP trace receiver: POST /v1/traces with the JSON encoding, spans kept in arrival order. */
export async function startOtlpReceiver(): Promise<{
  url: string;
  spans: ReceivedSpan[];
  requests: number;
  close(): Promise<void>;
}> {
  const spans: ReceivedSpan[] = [];
  const state = { requests: 0 };
  const value = (v: OtlpValue | undefined) =>
    v?.stringValue ?? (v?.intValue !== undefined ? Number(v.intValue) : (v?.boolValue ?? v?.doubleValue));
  const attrs = (list: Array<{ key: string; value: OtlpValue }> | undefined) =>
    Object.fromEntries((list ?? []).map((a) => [a.key, value(a.value)]));
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      if (!String(req.headers['content-type']).includes('json')) {
        res.writeHead(415).end();
        return;
      }
      state.requests++;
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
      const doc = JSON.parse(body.toString('utf8')) as {
        resourceSpans?: Array<{
          resource?: { attributes?: Array<{ key: string; value: OtlpValue }> };
          scopeSpans?: Array<{
            spans?: Array<{
              traceId: string;
              spanId: string;
              parentSpanId?: string;
              name: string;
              kind: number;
              attributes?: Array<{ key: string; value: OtlpValue }>;
            }>;
          }>;
        }>;
      };
      for (const rs of doc.resourceSpans ?? []) {
        const service = String(attrs(rs.resource?.attributes)['service.name'] ?? '');
        for (const ss of rs.scopeSpans ?? [])
          for (const s of ss.spans ?? [])
            spans.push({
              service,
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId || undefined,
              name: s.name,
              kind: s.kind,
              attributes: attrs(s.attributes),
            });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A span's chain of parents among the received spans, itself first. */
export function ancestryIn(spans: ReceivedSpan[]): (span: ReceivedSpan) => ReceivedSpan[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  return (s) => {
    const chain = [s];
    for (
      let p = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
      p && chain.length < 64;
      p = p.parentSpanId ? byId.get(p.parentSpanId) : undefined
    )
      chain.push(p);
    return chain;
  };
}

/**
 * The greeting graph with its greeting written by a model (fake OpenAI) and posted to a webhook: the template
 * blocks run inline in the execution service, the LLM and webhook blocks go through the work queue to block-runner.
 */
export function tracedGreetingGraph(credentialId: string, webhookUrl: string) {
  return {
    name: 'Traced greeting',
    nodes: [
      { id: 'in', blockId: BLOCK.input, inputDefault: { name: 'topic' }, metadata: { position: { x: 0, y: 0 } } },
      {
        id: 'fill',
        blockId: BLOCK.template,
        inputDefault: { format: 'Greet {{ topic }} <fake-reply>Hello {{ topic }}!</fake-reply>', values: {} },
        metadata: { position: { x: 300, y: 0 } },
      },
      {
        id: 'llm',
        blockId: AI_TEXT_BLOCK,
        inputDefault: {
          model: 'gpt-4o-mini',
          credentials: { id: credentialId, provider: 'openai', type: 'api_key', title: 'OpenAI' },
        },
        metadata: { position: { x: 600, y: 0 } },
      },
      {
        id: 'hook',
        blockId: WEBHOOK_BLOCK,
        inputDefault: { url: webhookUrl },
        metadata: { position: { x: 900, y: 0 } },
      },
      { id: 'out', blockId: BLOCK.output, inputDefault: { name: 'status' }, metadata: { position: { x: 1200, y: 0 } } },
    ],
    links: [
      { sourceId: 'in', sourceName: 'result', sinkId: 'fill', sinkName: 'values_#_topic', isStatic: false },
      { sourceId: 'fill', sourceName: 'output', sinkId: 'llm', sinkName: 'prompt', isStatic: false },
      { sourceId: 'llm', sourceName: 'response', sinkId: 'hook', sinkName: 'payload', isStatic: false },
      { sourceId: 'hook', sourceName: 'status', sinkId: 'out', sinkName: 'value', isStatic: false },
    ],
  };
}
