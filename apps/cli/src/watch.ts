import WebSocket from 'ws';
import type { ApiClient } from './client';
import { CliError } from './errors';
import { bar } from './format';

export const TERMINAL = new Set(['COMPLETED', 'FAILED', 'TERMINATED']);

export interface NodeExecutionView {
  id?: string;
  nodeId: string;
  status: string;
}

export interface ExecutionView {
  id: string;
  graphId: string;
  graphVersion?: number;
  status: string;
  trigger?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown[]>;
  nodeExecutions?: NodeExecutionView[];
  error?: unknown;
  startedAt?: string;
  endedAt?: string;
}

export interface NodeState {
  nodeId: string;
  status: string;
  /** How many node executions this node has had (loops run a node more than once). */
  runs: number;
}

/** What a watcher knows about one execution, folded from REST snapshots and WebSocket messages. */
export interface WatchState {
  executionId: string;
  status: string;
  nodes: Map<string, NodeState>;
  /** nodeExecId -> nodeId, for node events that name only their node execution. */
  nodeOfExec: Map<string, string>;
  position: number;
}

export function initialWatchState(executionId: string, nodeIds: readonly string[] = []): WatchState {
  const nodes = new Map<string, NodeState>();
  for (const id of nodeIds) nodes.set(id, { nodeId: id, status: 'INCOMPLETE', runs: 0 });
  return { executionId, status: 'QUEUED', nodes, nodeOfExec: new Map(), position: 0 };
}

/** Folds a REST snapshot (GET /executions/{id}) into the state. Returns whether anything shown changed. */
export function applySnapshot(state: WatchState, execution: ExecutionView): boolean {
  let changed = state.status !== execution.status;
  state.status = execution.status;
  const seen = new Map<string, { status: string; runs: number }>();
  for (const ne of execution.nodeExecutions ?? []) {
    if (ne.id) state.nodeOfExec.set(ne.id, ne.nodeId);
    const prev = seen.get(ne.nodeId);
    seen.set(ne.nodeId, { status: ne.status, runs: (prev?.runs ?? 0) + 1 });
  }
  for (const [nodeId, s] of seen) {
    const node = state.nodes.get(nodeId);
    if (!node || node.status !== s.status || node.runs !== s.runs) changed = true;
    state.nodes.set(nodeId, { nodeId, status: s.status, runs: s.runs });
  }
  return changed;
}

export interface WsMessage {
  method?: string;
  position?: number;
  data?: Record<string, unknown> | string;
}

/** Folds one /ws message into the state. Returns whether anything shown changed. */
export function applyMessage(state: WatchState, msg: WsMessage): boolean {
  if (typeof msg.data !== 'object' || msg.data === null) return false;
  const data = msg.data;
  if (data.executionId !== undefined && data.executionId !== state.executionId) return false;
  if (typeof msg.position === 'number') {
    if (msg.position <= state.position) return false;
    state.position = msg.position;
  }
  const status = typeof data.status === 'string' ? data.status : undefined;
  if (msg.method === 'graph_execution_event') {
    if (!status || status === state.status) return false;
    state.status = status;
    return true;
  }
  if (msg.method === 'node_execution_event') {
    const execId = typeof data.nodeExecId === 'string' ? data.nodeExecId : undefined;
    const nodeId = typeof data.nodeId === 'string' ? data.nodeId : execId ? state.nodeOfExec.get(execId) : undefined;
    if (!nodeId || !status) return false;
    let fresh = false;
    if (execId && !state.nodeOfExec.has(execId)) {
      state.nodeOfExec.set(execId, nodeId);
      fresh = true;
    }
    const prev = state.nodes.get(nodeId);
    const runs = (prev?.runs ?? 0) + (fresh ? 1 : 0);
    if (prev && prev.status === status && prev.runs === runs) return false;
    state.nodes.set(nodeId, { nodeId, status, runs });
    return true;
  }
  return false;
}

export interface Renderer {
  update(state: WatchState): void;
  /** The last frame: a TTY renderer leaves its final state on screen. */
  finish(state: WatchState): void;
}

const ICON: Record<string, string> = {
  COMPLETED: '✔',
  FAILED: '✖',
  TERMINATED: '■',
  RUNNING: '▶',
  QUEUED: '…',
  REVIEW: '?',
  INCOMPLETE: '·',
};
const MAX_NODE_LINES = 12;

/** The compact display for a terminal: a progress bar and one line per node, redrawn in place. */
export function frame(state: WatchState): string[] {
  const nodes = [...state.nodes.values()];
  const done = nodes.filter((n) => TERMINAL.has(n.status)).length;
  const lines = [`execution ${state.executionId}  ${state.status.padEnd(10)} ${bar(done, nodes.length)} nodes`];
  const width = Math.max(4, ...nodes.map((n) => n.nodeId.length));
  const active =
    nodes.length <= MAX_NODE_LINES
      ? nodes
      : nodes.filter((n) => !['COMPLETED', 'INCOMPLETE'].includes(n.status)).slice(0, MAX_NODE_LINES);
  for (const n of active)
    lines.push(`  ${ICON[n.status] ?? ' '} ${n.nodeId.padEnd(width)}  ${n.status}${n.runs > 1 ? ` (×${n.runs})` : ''}`);
  if (active.length < nodes.length) {
    const counts = new Map<string, number>();
    for (const n of nodes) counts.set(n.status, (counts.get(n.status) ?? 0) + 1);
    lines.push(
      `  … ${nodes.length - active.length} more: ${[...counts].map(([s, c]) => `${c} ${s.toLowerCase()}`).join(', ')}`,
    );
  }
  return lines;
}

export function ttyRenderer(write: (text: string) => void): Renderer {
  let drawn = 0;
  const draw = (state: WatchState) => {
    const lines = frame(state);
    write(`${drawn > 0 ? `\x1b[${drawn}A\r\x1b[0J` : ''}${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  return { update: draw, finish: draw };
}

/** For pipes and logs: one line per change, nothing redrawn. */
export function plainRenderer(write: (text: string) => void): Renderer {
  const last = new Map<string, string>();
  let lastStatus = '';
  const emit = (state: WatchState) => {
    for (const n of state.nodes.values()) {
      const key = `${n.status}#${n.runs}`;
      if (last.get(n.nodeId) === key) continue;
      last.set(n.nodeId, key);
      if (n.status === 'INCOMPLETE') continue; // waiting for inputs: noise in a log
      write(`node ${n.nodeId} ${n.status}\n`);
    }
    if (state.status !== lastStatus) {
      lastStatus = state.status;
      write(`execution ${state.executionId} ${state.status}\n`);
    }
  };
  return { update: emit, finish: emit };
}

export const silentRenderer: Renderer = { update: () => undefined, finish: () => undefined };

export interface WatchOptions {
  renderer: Renderer;
  /** Milliseconds between polls when the WebSocket is not available. */
  pollInterval?: number;
  /** Tests and API-key sessions: skip the WebSocket and poll. */
  useWebSocket?: boolean;
}

/**
 * Follows one execution to its end: live node states from the gateway's WebSocket (with catch-up from
 * position 0, so an execution that already moved on is replayed), REST polling when the socket is not
 * available (API keys, proxies) or drops. Resolves with the final REST view of the execution.
 */
export async function watchExecution(
  client: ApiClient,
  executionId: string,
  options: WatchOptions,
): Promise<ExecutionView> {
  const { renderer } = options;
  const first = await client.get<ExecutionView>(`/executions/${encodeURIComponent(executionId)}`);
  const nodeIds = await graphNodeIds(client, first);
  const state = initialWatchState(executionId, nodeIds);
  if (TERMINAL.has(first.status)) {
    applySnapshot(state, first);
    renderer.finish(state);
    return first;
  }

  // The socket replays the execution's events from position 0, so its state is built from events alone
  // (mixing in the REST snapshot would show states going backwards while the catch-up plays).
  const live =
    options.useWebSocket !== false && client.token
      ? await followSocket(client, state, renderer).catch(() => false)
      : false;
  if (!live) {
    applySnapshot(state, first);
    renderer.update(state);
    await poll(client, state, renderer, options.pollInterval ?? 500);
  }
  const last = await client.get<ExecutionView>(`/executions/${encodeURIComponent(executionId)}`);
  applySnapshot(state, last);
  renderer.finish(state);
  return last;
}

async function graphNodeIds(client: ApiClient, execution: ExecutionView): Promise<string[]> {
  try {
    const graph = await client.get<{ nodes?: Array<{ id: string }> }>(
      `/graphs/${encodeURIComponent(execution.graphId)}`,
      { version: execution.graphVersion || undefined },
    );
    return (graph.nodes ?? []).map((n) => n.id);
  } catch {
    return []; // the graph may be gone; node states still arrive from the execution itself
  }
}

/** Resolves true once the execution ended, false if the socket closed first (the caller then polls). */
function followSocket(client: ApiClient, state: WatchState, renderer: Renderer): Promise<boolean> {
  const wsUrl = `${client.baseUrl.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(client.token ?? '')}`;
  return new Promise<boolean>((resolve, reject) => {
    const socket = new WebSocket(wsUrl, { handshakeTimeout: 10_000 });
    let settled = false;
    let caughtUp = false;
    const settle = (ended: boolean, err?: Error) => {
      if (settled) return;
      settled = true;
      socket.removeAllListeners('message');
      socket.on('error', () => undefined);
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.terminate();
      if (err) reject(err);
      else resolve(ended);
    };
    socket.on('open', () => {
      socket.send(
        JSON.stringify({
          method: 'subscribe_graph_execution',
          data: { executionId: state.executionId },
          lastPosition: 0,
        }),
      );
    });
    socket.on('message', (raw) => {
      let msg: WsMessage;
      try {
        msg = JSON.parse(raw.toString()) as WsMessage;
      } catch {
        return;
      }
      if (msg.method === 'subscribed') {
        // The catch-up has been delivered: show the state it built, then every live change.
        caughtUp = true;
        renderer.update(state);
        if (TERMINAL.has(state.status)) settle(true);
        return;
      }
      if (msg.method === 'error') {
        const data = (typeof msg.data === 'object' && msg.data ? msg.data : {}) as { code?: string; message?: string };
        if (data.code === 'NOT_FOUND')
          return settle(false, new CliError(data.message ?? `execution ${state.executionId} not found`));
        return settle(false);
      }
      if (applyMessage(state, msg) && caughtUp) renderer.update(state);
      if (caughtUp && TERMINAL.has(state.status)) settle(true);
    });
    socket.on('unexpected-response', () => settle(false));
    socket.on('error', () => settle(false));
    socket.on('close', () => settle(false));
  });
}

async function poll(client: ApiClient, state: WatchState, renderer: Renderer, interval: number): Promise<void> {
  for (;;) {
    const view = await client.get<ExecutionView>(`/executions/${encodeURIComponent(state.executionId)}`);
    if (applySnapshot(state, view)) renderer.update(state);
    if (TERMINAL.has(view.status)) return;
    await new Promise((r) => setTimeout(r, interval));
  }
}
