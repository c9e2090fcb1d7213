/**
 * Execution WebSocket: one connection, reconnect with backoff, resubscribe with the last seen position
 * so the server replays what was missed.
 */
import { reconnectDelay } from '../lib/backoff';
import type { ServerMessage } from './types';

type Sub =
  | { kind: 'execution'; executionId: string; lastPosition?: number | string }
  | { kind: 'graph'; graphId: string; lastPosition?: number | string };

export type SocketStatus = 'connecting' | 'open' | 'closed';

export class ExecutionSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private closedByUser = false;
  private readonly subs = new Map<string, Sub>();
  private readonly listeners = new Set<(msg: ServerMessage) => void>();
  private readonly statusListeners = new Set<(s: SocketStatus) => void>();
  status: SocketStatus = 'closed';

  constructor(private readonly tokenProvider: () => string | null) {}

  onMessage(fn: (msg: ServerMessage) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  onStatus(fn: (s: SocketStatus) => void): () => void {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  subscribeExecution(executionId: string): void {
    const key = `execution:${executionId}`;
    if (!this.subs.has(key)) this.subs.set(key, { kind: 'execution', executionId });
    this.ensureOpen();
    this.sendSub(this.subs.get(key)!);
  }

  subscribeGraph(graphId: string): void {
    const key = `graph:${graphId}`;
    if (!this.subs.has(key)) this.subs.set(key, { kind: 'graph', graphId });
    this.ensureOpen();
    this.sendSub(this.subs.get(key)!);
  }

  unsubscribeExecution(executionId: string): void {
    if (this.subs.delete(`execution:${executionId}`)) this.send({ method: 'unsubscribe', data: { executionId } });
  }

  unsubscribeGraph(graphId: string): void {
    if (this.subs.delete(`graph:${graphId}`)) this.send({ method: 'unsubscribe', data: { graphId } });
  }

  close(): void {
    this.closedByUser = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.ws?.close();
    this.ws = null;
    this.setStatus('closed');
  }

  private ensureOpen(): void {
    this.closedByUser = false;
    if (this.ws || this.timer) return;
    this.connect();
  }

  private connect(): void {
    this.timer = null;
    const token = this.tokenProvider();
    if (!token) return;
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${proto}://${location.host}/ws?token=${encodeURIComponent(token)}`);
    this.ws = ws;
    this.setStatus('connecting');
    ws.onopen = () => {
      this.attempt = 0;
      this.setStatus('open');
      for (const sub of this.subs.values()) this.sendSub(sub);
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => this.send({ method: 'heartbeat' }), 20_000);
    };
    ws.onmessage = (e) => {
      let msg: ServerMessage;
      try {
        msg = JSON.parse(String(e.data)) as ServerMessage;
      } catch {
        return;
      }
      if (msg.method === 'heartbeat' || msg.method === 'error') return;
      this.trackPosition(msg);
      for (const l of this.listeners) l(msg);
    };
    ws.onclose = () => {
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = null;
      this.ws = null;
      this.setStatus('closed');
      if (this.closedByUser || this.subs.size === 0) return;
      const delay = reconnectDelay(this.attempt++, Math.random());
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  private trackPosition(msg: ServerMessage): void {
    if (!('position' in msg) || msg.position === undefined) return;
    const data = msg.data as { executionId?: string; id?: string; graphId?: string };
    const execId = data.executionId ?? (msg.method === 'graph_execution_event' ? data.id : undefined);
    const execSub = execId ? this.subs.get(`execution:${execId}`) : undefined;
    if (execSub) execSub.lastPosition = msg.position;
    const graphSub = data.graphId ? this.subs.get(`graph:${data.graphId}`) : undefined;
    if (graphSub) graphSub.lastPosition = msg.position;
    // A single execution subscription with events that do not name their execution.
    if (!execSub && !graphSub && this.subs.size === 1) [...this.subs.values()][0].lastPosition = msg.position;
  }

  private sendSub(sub: Sub): void {
    if (sub.kind === 'execution') {
      this.send({
        method: 'subscribe_graph_execution',
        data: { executionId: sub.executionId },
        ...(sub.lastPosition !== undefined ? { lastPosition: sub.lastPosition } : {}),
      });
    } else {
      this.send({
        method: 'subscribe_graph_executions',
        data: { graphId: sub.graphId },
        ...(sub.lastPosition !== undefined ? { lastPosition: sub.lastPosition } : {}),
      });
    }
  }

  private send(msg: unknown): void {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private setStatus(s: SocketStatus): void {
    this.status = s;
    for (const l of this.statusListeners) l(s);
  }
}
