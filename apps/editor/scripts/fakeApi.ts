/**
 * In-memory fake of the Agentry REST + WebSocket API, for the editor's own development smoke check only.
 * The real end-to-end test runs against the real platform.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { BlockDefinition, Execution, Graph, GraphLink, GraphNode, NodeExecution } from '../src/api/types';

const TOKEN = 'smoke-token';
export const USER = { email: 'dev@agentry.local', password: 'secret' };

const S = (type: string, extra: Record<string, unknown> = {}) => ({ type, ...extra });
export const BLOCKS: BlockDefinition[] = [
  {
    id: 'b-input',
    name: 'AgentInput',
    description: 'A named input of the agent',
    categories: ['Input/Output'],
    kind: 'input',
    inputSchema: {
      type: 'object',
      required: ['name'],
      properties: { name: S('string'), value: { title: 'Default value' } },
    },
    outputSchema: { type: 'object', properties: { result: {} } },
  },
  {
    id: 'b-output',
    name: 'AgentOutput',
    description: 'A named output of the agent',
    categories: ['Input/Output'],
    kind: 'output',
    inputSchema: { type: 'object', required: ['name'], properties: { name: S('string'), value: {} } },
    outputSchema: { type: 'object', properties: { output: {} } },
  },
  {
    id: 'b-fill',
    name: 'FillTextTemplate',
    description: 'Fill a text template with named values',
    categories: ['Text'],
    kind: 'standard',
    inputSchema: {
      type: 'object',
      required: ['format'],
      properties: {
        format: S('string', { description: 'Template, e.g. Hello {name}!' }),
        values: S('object', { additionalProperties: {} }),
      },
    },
    outputSchema: { type: 'object', properties: { output: S('string') } },
  },
  {
    id: 'b-calc',
    name: 'Calculator',
    description: 'Arithmetic on two numbers',
    categories: ['Math'],
    kind: 'standard',
    inputSchema: {
      type: 'object',
      required: ['a', 'b'],
      properties: {
        operation: S('string', { enum: ['add', 'subtract', 'multiply', 'divide'], default: 'add' }),
        a: S('number'),
        b: S('number'),
        round: S('boolean', { advanced: true }),
      },
    },
    outputSchema: { type: 'object', properties: { result: S('number') } },
  },
  {
    id: 'b-cond',
    name: 'Condition',
    description: 'Branch on a boolean',
    categories: ['Logic'],
    kind: 'standard',
    inputSchema: {
      type: 'object',
      required: ['value'],
      properties: { value: S('boolean'), negate: S('boolean', { advanced: true }) },
    },
    outputSchema: { type: 'object', properties: { yes: S('boolean'), no: S('boolean') } },
  },
  {
    id: 'b-http',
    name: 'HttpRequest',
    description: 'Send an HTTP request',
    categories: ['Web'],
    kind: 'standard',
    inputSchema: {
      type: 'object',
      required: ['url'],
      properties: {
        url: S('string', { format: 'uri' }),
        method: S('string', { enum: ['GET', 'POST'] }),
        headers: S('object'),
        api_key: S('string', { secret: true, title: 'API key' }),
        timeout: S('integer', { minimum: 1, advanced: true }),
        tags: S('array', { items: S('string'), advanced: true }),
      },
    },
    outputSchema: { type: 'object', properties: { response: S('object'), status: S('integer'), error: S('string') } },
  },
  {
    id: 'b-review',
    name: 'HumanReview',
    description: 'Pause for a human to approve',
    categories: ['Logic'],
    kind: 'review',
    inputSchema: { type: 'object', properties: { data: {}, message: S('string') } },
    outputSchema: { type: 'object', properties: { approved: {}, rejected: {} } },
  },
  {
    id: 'b-const',
    name: 'StoreValue',
    description: 'Hold a value for every later run (static output)',
    categories: ['Basic'],
    kind: 'standard',
    staticOutput: true,
    inputSchema: { type: 'object', properties: { value: {} } },
    outputSchema: { type: 'object', properties: { value: {} } },
  },
  {
    id: 'b-note',
    name: 'StickyNote',
    description: 'A note on the canvas',
    categories: ['Basic'],
    kind: 'note',
    inputSchema: { type: 'object', properties: { text: S('string', { format: 'long-text', title: 'Note' }) } },
    outputSchema: { type: 'object', properties: {} },
  },
];

interface StoredGraph {
  versions: Graph[];
  active: number;
}
interface RunEvent {
  position: number;
  method: 'graph_execution_event' | 'node_execution_event';
  data: Record<string, unknown>;
}
interface Run {
  exec: Execution;
  events: RunEvent[];
  pendingReview?: { nodeExecId: string; resolve: (d: { decision: string; editedData?: unknown }) => void };
  cancelled: boolean;
}

export class FakeApi {
  readonly graphs = new Map<string, StoredGraph>();
  readonly runs = new Map<string, Run>();
  readonly subscriptions: Array<{ method: string; data: unknown; lastPosition?: unknown }> = [];
  private sockets = new Set<WebSocket>();
  private subs = new Map<WebSocket, Set<string>>();
  private position = 0;
  server!: Server;
  port = 0;

  constructor(
    private readonly distDir: string,
    private readonly stepMs = 150,
  ) {}

  seed(name: string, nodes: GraphNode[], links: GraphLink[]): Graph {
    const id = randomUUID();
    const g: Graph = {
      id,
      version: 1,
      name,
      description: '',
      isActive: true,
      nodes,
      links,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    };
    this.graphs.set(id, { versions: [g], active: 1 });
    return g;
  }

  /** Simulates another user saving: bumps the latest version. */
  bumpVersion(id: string): void {
    const s = this.graphs.get(id)!;
    const last = s.versions[s.versions.length - 1];
    s.versions.push({ ...last, version: last.version + 1, name: `${last.name}`, updatedAt: new Date().toISOString() });
    s.active = last.version + 1;
  }

  dropSockets(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  async start(): Promise<number> {
    this.server = createServer(
      (req, res) => void this.handle(req, res).catch((e) => this.problem(res, 500, String(e))),
    );
    const wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/ws' || url.searchParams.get('token') !== TOKEN) return socket.destroy();
      wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  async stop(): Promise<void> {
    this.dropSockets();
    await new Promise((r) => this.server.close(r));
  }

  private onSocket(ws: WebSocket): void {
    this.sockets.add(ws);
    this.subs.set(ws, new Set());
    ws.on('close', () => {
      this.sockets.delete(ws);
      this.subs.delete(ws);
    });
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { method: string; data?: { executionId?: string }; lastPosition?: number };
      if (msg.method === 'heartbeat') return ws.send(JSON.stringify({ method: 'heartbeat' }));
      if (msg.method === 'subscribe_graph_execution' && msg.data?.executionId) {
        this.subscriptions.push({ method: msg.method, data: msg.data, lastPosition: msg.lastPosition });
        this.subs.get(ws)!.add(msg.data.executionId);
        const run = this.runs.get(msg.data.executionId);
        for (const ev of run?.events ?? []) if (ev.position > (msg.lastPosition ?? 0)) ws.send(JSON.stringify(ev));
      }
    });
  }

  private emit(run: Run, method: RunEvent['method'], data: Record<string, unknown>): void {
    const ev: RunEvent = {
      position: ++this.position,
      method,
      data: { executionId: run.exec.id, graphId: run.exec.graphId, ...data },
    };
    run.events.push(ev);
    for (const [ws, ids] of this.subs) if (ids.has(run.exec.id)) ws.send(JSON.stringify(ev));
  }

  private send(res: ServerResponse, status: number, body?: unknown): void {
    res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  private problem(res: ServerResponse, status: number, detail: string, code?: string, errors?: unknown): void {
    res.writeHead(status, { 'content-type': 'application/problem+json' });
    res.end(JSON.stringify({ type: 'about:blank', title: detail, status, detail, code, errors }));
  }

  private async body(req: IncomingMessage): Promise<any> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    return text ? JSON.parse(text) : undefined;
  }

  private serveStatic(req: IncomingMessage, res: ServerResponse): void {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    let file = join(this.distDir, path);
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(this.distDir, 'index.html');
    const types: Record<string, string> = {
      '.html': 'text/html',
      '.js': 'text/javascript',
      '.css': 'text/css',
      '.svg': 'image/svg+xml',
    };
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  }

  private latest(id: string): Graph | undefined {
    const s = this.graphs.get(id);
    return s?.versions[s.versions.length - 1];
  }

  private validate(nodes: GraphNode[]): Record<string, Record<string, string>> | null {
    const errors: Record<string, Record<string, string>> = {};
    for (const n of nodes) if (!BLOCKS.some((b) => b.id === n.blockId)) errors[n.id] = { blockId: 'unknown block' };
    return Object.keys(errors).length ? errors : null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    if (!p.startsWith('/api/')) return this.serveStatic(req, res);
    const m = req.method ?? 'GET';
    if (p === '/api/v1/auth/login' && m === 'POST') {
      const b = await this.body(req);
      if (b?.email === USER.email && b?.password === USER.password)
        return this.send(res, 200, { accessToken: TOKEN, tokenType: 'Bearer', expiresIn: 3600 });
      return this.problem(res, 401, 'Invalid email or password', 'INVALID_CREDENTIALS');
    }
    if (req.headers.authorization !== `Bearer ${TOKEN}`)
      return this.problem(res, 401, 'Unauthorized', 'UNAUTHENTICATED');
    if (p === '/api/v1/me')
      return this.send(res, 200, { id: 'u1', email: USER.email, tenantId: 't1', roles: ['admin'] });
    if (p === '/api/v1/blocks') return this.send(res, 200, { items: BLOCKS });

    if (p === '/api/v1/graphs' && m === 'GET') {
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      const items = [...this.graphs.keys()]
        .map((id) => this.latest(id)!)
        .filter((g) => g.name.toLowerCase().includes(q))
        .sort((a, b) =>
          url.searchParams.get('sort') === 'name'
            ? a.name.localeCompare(b.name)
            : String(b.updatedAt).localeCompare(String(a.updatedAt)),
        )
        .map(({ nodes, links: _links, ...g }) => ({ ...g, nodeCount: nodes.length, isActive: true }));
      return this.send(res, 200, { items });
    }
    if ((p === '/api/v1/graphs' || p === '/api/v1/graphs/import') && m === 'POST') {
      let b = await this.body(req);
      if (p.endsWith('/import') && Array.isArray(b?.nodes) && b.nodes[0]?.block_id) {
        // AutoGPT export: snake_case, block ids unknown unless mapped.
        const unknown = b.nodes
          .filter((n: any) => !BLOCKS.some((x) => x.id === n.block_id))
          .map((n: any) => n.block_id);
        if (unknown.length)
          return this.problem(res, 400, `Unknown blocks: ${unknown.join(', ')}`, 'UNKNOWN_BLOCKS', unknown);
        b = {
          name: b.name,
          description: b.description ?? '',
          nodes: b.nodes.map((n: any) => ({
            id: n.id,
            blockId: n.block_id,
            inputDefault: n.input_default ?? {},
            metadata: n.metadata ?? { position: { x: 0, y: 0 } },
          })),
          links: b.links.map((l: any) => ({
            sourceId: l.source_id,
            sourceName: l.source_name,
            sinkId: l.sink_id,
            sinkName: l.sink_name,
            isStatic: Boolean(l.is_static),
          })),
        };
      }
      const errors = this.validate(b.nodes ?? []);
      if (errors) return this.problem(res, 400, 'Graph is invalid', 'GRAPH_INVALID', errors);
      return this.send(res, 201, this.seed(b.name, b.nodes, b.links));
    }
    const gm = /^\/api\/v1\/graphs\/([^/]+)(\/[a-z]+)?$/.exec(p);
    if (gm) {
      const [, id, sub] = gm;
      const stored = this.graphs.get(id);
      if (!stored) return this.problem(res, 404, 'Graph not found', 'NOT_FOUND');
      const latest = stored.versions[stored.versions.length - 1];
      if (!sub && m === 'GET') {
        const v = url.searchParams.get('version');
        const g = v ? stored.versions.find((x) => x.version === Number(v)) : latest;
        return g ? this.send(res, 200, g) : this.problem(res, 404, 'Version not found');
      }
      if (!sub && m === 'PUT') {
        const b = await this.body(req);
        if (b.baseVersion !== latest.version)
          return this.problem(
            res,
            409,
            `Version ${b.baseVersion} is not the latest (${latest.version})`,
            'VERSION_CONFLICT',
          );
        const errors = this.validate(b.nodes);
        if (errors) return this.problem(res, 400, 'Graph is invalid', 'GRAPH_INVALID', errors);
        const g: Graph = {
          ...latest,
          name: b.name,
          description: b.description,
          nodes: b.nodes,
          links: b.links,
          version: latest.version + 1,
          updatedAt: new Date().toISOString(),
        };
        stored.versions.push(g);
        stored.active = g.version;
        return this.send(res, 200, g);
      }
      if (!sub && m === 'DELETE') {
        this.graphs.delete(id);
        return this.send(res, 204);
      }
      if (sub === '/versions')
        return this.send(res, 200, {
          items: stored.versions.map((g) => ({
            version: g.version,
            createdAt: g.updatedAt,
            isActive: g.version === stored.active,
          })),
        });
      if (sub === '/export') return this.send(res, 200, { ...latest, id: undefined });
      if (sub === '/execute' && m === 'POST') {
        const b = await this.body(req);
        const g = stored.versions.find((x) => x.version === (b.version ?? latest.version)) ?? latest;
        return this.send(res, 202, { executionId: this.startRun(g, b.inputs ?? {}) });
      }
    }
    if (p === '/api/v1/executions' && m === 'GET') {
      const graphId = url.searchParams.get('graphId');
      const items = [...this.runs.values()]
        .map((r) => r.exec)
        .filter((e) => !graphId || e.graphId === graphId)
        .reverse()
        .map(({ nodeExecutions, outputs, inputs, ...e }) => (void nodeExecutions, void outputs, void inputs, e));
      return this.send(res, 200, { items });
    }
    const em = /^\/api\/v1\/executions\/([^/]+)(?:\/(cancel|reviews)(?:\/([^/]+))?)?$/.exec(p);
    if (em) {
      const run = this.runs.get(em[1]);
      if (!run) return this.problem(res, 404, 'Execution not found');
      if (!em[2]) return this.send(res, 200, run.exec);
      if (em[2] === 'cancel') {
        run.cancelled = true;
        run.pendingReview?.resolve({ decision: 'cancel' });
        return this.send(res, 202, {});
      }
      if (em[2] === 'reviews' && run.pendingReview?.nodeExecId === em[3]) {
        run.pendingReview.resolve(await this.body(req));
        return this.send(res, 200, {});
      }
      return this.problem(res, 404, 'No such review');
    }
    return this.problem(res, 404, `No route ${m} ${p}`);
  }

  private startRun(g: Graph, inputs: Record<string, unknown>): string {
    const exec: Execution = {
      id: randomUUID(),
      graphId: g.id,
      graphVersion: g.version,
      status: 'QUEUED',
      trigger: 'manual',
      startedAt: new Date().toISOString(),
      inputs,
      outputs: {},
      nodeExecutions: [],
    };
    const run: Run = { exec, events: [], cancelled: false };
    this.runs.set(exec.id, run);
    void this.simulate(run, g).catch((e) => console.error('simulate', e));
    return exec.id;
  }

  /** A toy dataflow: nodes in dependency order, one execution each. Enough to drive the UI. */
  private async simulate(run: Run, g: Graph): Promise<void> {
    // Large graphs run flat out, to exercise the editor's batching of live updates.
    const stepMs = g.nodes.length > 200 ? 0 : this.stepMs;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms === this.stepMs ? stepMs : ms));
    const inbound = new Map<string, GraphLink[]>();
    for (const l of g.links) (inbound.get(l.sinkId) ?? inbound.set(l.sinkId, []).get(l.sinkId)!).push(l);
    const blockOf = (n: GraphNode) => BLOCKS.find((b) => b.id === n.blockId)!;
    const values = new Map<string, Record<string, unknown>>();
    const done = new Set<string>();
    const setStatus = (status: Execution['status']) => {
      run.exec.status = status;
      this.emit(run, 'graph_execution_event', { status, outputs: run.exec.outputs });
    };
    await sleep(this.stepMs);
    setStatus('RUNNING');
    const pending = g.nodes.filter((n) => blockOf(n).kind !== 'note');
    while (pending.length) {
      if (run.cancelled) return setStatus('TERMINATED');
      const idx = pending.findIndex((n) => (inbound.get(n.id) ?? []).every((l) => done.has(l.sourceId)));
      if (idx < 0) break;
      const node = pending.splice(idx, 1)[0];
      const input: Record<string, unknown> = { ...node.inputDefault };
      for (const l of inbound.get(node.id) ?? []) {
        const v = values.get(l.sourceId)?.[l.sourceName];
        const dict = /^(.+)_#_(.+)$/.exec(l.sinkName);
        if (dict) input[dict[1]] = { ...((input[dict[1]] as object) ?? {}), [dict[2]]: v };
        else input[l.sinkName] = v;
      }
      const ne: NodeExecution = {
        id: randomUUID(),
        nodeId: node.id,
        blockId: node.blockId,
        status: 'QUEUED',
        attempt: 1,
        input,
        outputs: {},
      };
      run.exec.nodeExecutions.push(ne);
      const evt = (status: NodeExecution['status'], extra: Record<string, unknown> = {}) => {
        ne.status = status;
        this.emit(run, 'node_execution_event', { nodeId: node.id, nodeExecId: ne.id, status, ...extra });
      };
      evt('QUEUED');
      await sleep(this.stepMs);
      evt('RUNNING');
      await sleep(this.stepMs);
      const block = blockOf(node);
      let out: Record<string, unknown> = {};
      if (block.kind === 'input') out = { result: run.exec.inputs[String(input.name)] ?? input.value };
      else if (block.kind === 'output') {
        out = { output: input.value };
        (run.exec.outputs[String(input.name)] ??= []).push(input.value);
      } else if (block.name === 'FillTextTemplate') {
        const vals = (input.values ?? {}) as Record<string, unknown>;
        out = { output: String(input.format ?? '').replace(/\{(\w+)\}/g, (_, k: string) => String(vals[k] ?? '')) };
      } else if (block.name === 'Calculator') {
        const a = Number(input.a),
          b = Number(input.b);
        out = {
          result: { add: a + b, subtract: a - b, multiply: a * b, divide: a / b }[String(input.operation ?? 'add')],
        };
      } else if (block.kind === 'review') {
        evt('REVIEW');
        run.exec.status = 'REVIEW';
        this.emit(run, 'graph_execution_event', { status: 'REVIEW' });
        const decision = await new Promise<{ decision: string; editedData?: unknown }>(
          (resolve) => (run.pendingReview = { nodeExecId: ne.id, resolve }),
        );
        run.pendingReview = undefined;
        if (run.cancelled) {
          evt('TERMINATED');
          return setStatus('TERMINATED');
        }
        setStatus('RUNNING');
        out =
          decision.decision === 'approve' ? { approved: decision.editedData ?? input.data } : { rejected: input.data };
      } else if (block.name === 'HttpRequest') {
        ne.error = 'network disabled in the smoke fake';
        evt('FAILED', { error: ne.error });
        done.add(node.id);
        continue;
      } else out = { ...input };
      ne.outputs = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [v]]));
      values.set(node.id, out);
      done.add(node.id);
      evt('COMPLETED', { outputs: ne.outputs });
    }
    run.exec.endedAt = new Date().toISOString();
    setStatus(run.exec.nodeExecutions.some((n) => n.status === 'FAILED') ? 'FAILED' : 'COMPLETED');
  }
}
