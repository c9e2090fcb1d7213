import type http from 'node:http';
import { WebSocketServer, WebSocket } from 'ws';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { iterateStream } from '@agentry/grpc';
import type { Logger } from '@agentry/observability';
import type { commonV1, notificationV1 } from '@agentry/proto-ts';
import type { ServiceClients } from '../../app/clients';
import type { AccessClaims, TokenService } from '../../app/tokens';
import { EXECUTION_STATUS, NODE_STATUS } from '../../domain/executions/fold';
import { checkScope, type Authenticator } from '../http/auth';

/** A client whose unsent data exceeds this (default) is disconnected rather than allowed to stall the others. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

interface ClientState {
  socket: WebSocket;
  claims: AccessClaims;
  executions: Set<string>;
  graphs: Set<string>;
  /** Highest position sent per execution, so catch-up and live events never duplicate. */
  sent: Map<string, number>;
  /** The caller's own in-app notifications (WatchNotifications of the notification service), once subscribed. */
  notifications?: ClientReadableStream<notificationV1.WatchNotificationsResponse>;
}

interface TenantFeed {
  clients: Set<ClientState>;
  stop(): void;
}

/**
 * WebSocket /ws (ENGINE.md "Real-time"): subscribe_graph_execution, subscribe_graph_executions, subscribe_notifications,
 * unsubscribe, heartbeat. One gRPC watch of the execution log per tenant with subscribers, fanned out to that tenant's
 * sockets only; one watch of the caller's own notifications per socket that asks for them.
 */
export function attachWebSocket(options: {
  server: http.Server;
  tokens: TokenService;
  clients: ServiceClients;
  logger: Logger;
  authenticator?: Authenticator;
  heartbeatMs?: number;
  maxBufferedBytes?: number;
}) {
  const maxBuffered = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const feeds = new Map<string, TenantFeed>();
  const graphOf = new Map<string, string>();
  const nodeOf = new Map<string, string>(); // `${executionId}/${nodeExecId}` -> nodeId

  options.server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws') return socket.destroy();
    const token = url.searchParams.get('token') ?? req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? undefined;
    const header = req.headers['x-api-key'];
    const apiKey = url.searchParams.get('apiKey') ?? (typeof header === 'string' ? header : undefined);
    const verify = options.authenticator
      ? options.authenticator.authenticate({ bearer: apiKey ? undefined : token, apiKey })
      : options.tokens.verify(token ?? '');
    verify.then(
      (claims) => wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, claims)),
      () => {
        socket.write(
          'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/problem+json\r\nConnection: close\r\n\r\n{"code":"UNAUTHENTICATED","status":401,"title":"Authentication required"}',
        );
        socket.destroy();
      },
    );
  });

  /**
   * Never waits for a client: a message is queued or the client is dropped. One whose undelivered bytes pass the bound
   * gets a close frame (1013) behind what it has not read yet, and nothing more is queued for it; if it never reads
   * them, the close handshake times out and the socket is destroyed.
   */
  function send(client: ClientState, message: unknown): void {
    if (client.socket.readyState !== WebSocket.OPEN) return;
    if (client.socket.bufferedAmount > maxBuffered) {
      options.logger.warn(
        { tenant: client.claims.tenant, buffered: client.socket.bufferedAmount },
        'websocket client too slow; disconnecting',
      );
      client.socket.close(1013, 'client too slow: too many undelivered messages');
      return;
    }
    client.socket.send(JSON.stringify(message));
  }

  function callerOf(client: ClientState): commonV1.CallerContext {
    return { tenantId: client.claims.tenant, userId: client.claims.sub, roles: client.claims.roles };
  }

  /** In-app notifications of the socket's own user in its own tenant (the notification service filters by both). */
  function subscribeNotifications(client: ClientState): void {
    try {
      checkScope(client.claims, 'notifications:read');
    } catch (err) {
      return send(client, {
        method: 'error',
        data: { code: (err as { code?: string }).code ?? 'PERMISSION_DENIED', message: (err as Error).message },
      });
    }
    if (client.notifications) return send(client, { method: 'subscribed', data: { notifications: true } });
    const call = options.clients.notification.raw.watchNotifications({ caller: callerOf(client) });
    client.notifications = call;
    // The service sends headers once it watches: from then on nothing new is missed.
    call.once('metadata', () => send(client, { method: 'subscribed', data: { notifications: true } }));
    (async () => {
      for await (const msg of iterateStream(call)) {
        if (msg.notification)
          send(client, { method: 'notification', data: { ...msg.notification, unreadCount: msg.unreadCount } });
      }
    })().then(
      () => ended('UNAVAILABLE'),
      (err: { code?: string }) => ended(err.code ?? 'INTERNAL'),
    );
    // The stream ended without the client asking (the notification service went away): it may subscribe again.
    function ended(code: string): void {
      if (client.notifications !== call) return; // unsubscribed or closed: the cancel ended it
      client.notifications = undefined;
      send(client, {
        method: 'error',
        data: { code, message: 'the notification subscription ended; subscribe again' },
      });
    }
  }

  function unsubscribeNotifications(client: ClientState): void {
    const call = client.notifications;
    client.notifications = undefined;
    call?.cancel();
  }

  /** Remembers what later events of an execution need (its graph, the node of each node execution). */
  function learn(e: commonV1.EventEnvelope): void {
    const executionId = e.streamId.slice('execution-'.length);
    const d = (e.data ?? {}) as { graphId?: unknown; nodeExecId?: unknown; nodeId?: unknown };
    if (e.type === 'ExecutionRequested' && typeof d.graphId === 'string') graphOf.set(executionId, d.graphId);
    if (typeof d.nodeExecId === 'string' && typeof d.nodeId === 'string')
      nodeOf.set(`${executionId}/${d.nodeExecId}`, d.nodeId);
  }

  function deliver(client: ClientState, e: commonV1.EventEnvelope): void {
    const executionId = e.streamId.slice('execution-'.length);
    const graphId = graphOf.get(executionId);
    if (!client.executions.has(executionId) && !(graphId && client.graphs.has(graphId))) return;
    if ((client.sent.get(executionId) ?? 0) >= e.globalPosition) return;
    client.sent.set(executionId, e.globalPosition);
    const payload = (typeof e.data === 'object' && e.data ? e.data : {}) as Record<string, unknown>;
    const isNode = e.type in NODE_STATUS;
    const nodeId =
      isNode && typeof payload.nodeExecId === 'string' ? nodeOf.get(`${executionId}/${payload.nodeExecId}`) : undefined;
    const data = {
      ...payload,
      executionId,
      graphId,
      nodeId,
      type: e.type,
      occurredAt: e.occurredAt,
      status: isNode ? NODE_STATUS[e.type] : (EXECUTION_STATUS[e.type] ?? 'RUNNING'),
    };
    send(client, {
      method: isNode ? 'node_execution_event' : 'graph_execution_event',
      position: e.globalPosition,
      data,
    });
  }

  function feedFor(claims: AccessClaims): TenantFeed {
    let feed = feeds.get(claims.tenant);
    if (feed) return feed;
    const call = options.clients.execution.raw.watchExecutionEvents({
      caller: { tenantId: claims.tenant, userId: claims.sub, roles: claims.roles },
      afterPosition: 0,
    });
    const clients = new Set<ClientState>();
    feed = { clients, stop: () => call.cancel() };
    feeds.set(claims.tenant, feed);
    (async () => {
      for await (const msg of iterateStream(call)) {
        const e = msg.event!;
        learn(e);
        for (const c of clients) deliver(c, e);
      }
    })().catch((err: unknown) => {
      if ((err as { code?: string }).code !== 'CONFLICT') options.logger.debug({ err }, 'execution watch ended');
      feeds.delete(claims.tenant);
    });
    return feed;
  }

  async function catchUp(client: ClientState, executionId: string, after: number): Promise<void> {
    const { events } = await options.clients.execution.listExecutionEvents({
      caller: callerOf(client),
      executionId,
    });
    for (const e of events) {
      learn(e);
      if (e.globalPosition > after) deliver(client, e);
    }
  }

  // Server heartbeats: a socket that did not answer the previous ping is gone (half-open TCP) and is dropped.
  const alive = new WeakMap<WebSocket, boolean>();
  const heartbeat = setInterval(() => {
    for (const socket of wss.clients) {
      if (alive.get(socket) === false) {
        socket.terminate();
        continue;
      }
      alive.set(socket, false);
      socket.ping();
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  function onConnection(socket: WebSocket, claims: AccessClaims): void {
    alive.set(socket, true);
    socket.on('pong', () => alive.set(socket, true));
    const client: ClientState = { socket, claims, executions: new Set(), graphs: new Set(), sent: new Map() };
    const feed = feedFor(claims);
    feed.clients.add(client);
    socket.on('close', () => {
      unsubscribeNotifications(client);
      feed.clients.delete(client);
      if (feed.clients.size === 0) {
        feed.stop();
        feeds.delete(claims.tenant);
      }
    });
    socket.on('message', (raw) => {
      let msg: { method?: string; data?: Record<string, unknown>; lastPosition?: number };
      try {
        msg = JSON.parse(raw.toString());
      } catch {
        return send(client, { method: 'error', data: { code: 'MALFORMED_REQUEST', message: 'messages must be JSON' } });
      }
      const data = msg.data ?? {};
      switch (msg.method) {
        case 'heartbeat':
          return send(client, { method: 'heartbeat', data: 'pong' });
        case 'subscribe_graph_execution': {
          const executionId = typeof data.executionId === 'string' ? data.executionId : '';
          if (!executionId)
            return send(client, {
              method: 'error',
              data: { code: 'VALIDATION_FAILED', message: 'data.executionId is required' },
            });
          client.executions.add(executionId);
          const after = Number(msg.lastPosition ?? data.lastPosition ?? 0) || 0;
          if (after > 0) client.sent.set(executionId, Math.max(client.sent.get(executionId) ?? 0, after));
          catchUp(client, executionId, after).then(
            () => send(client, { method: 'subscribed', data: { executionId } }),
            (err: { code?: string; message?: string }) => {
              client.executions.delete(executionId);
              send(client, {
                method: 'error',
                data: {
                  code: err.code ?? 'INTERNAL',
                  message: err.code === 'NOT_FOUND' ? `execution ${executionId} not found` : 'subscription failed',
                },
              });
            },
          );
          return;
        }
        case 'subscribe_graph_executions': {
          const graphId = typeof data.graphId === 'string' ? data.graphId : '';
          if (!graphId)
            return send(client, {
              method: 'error',
              data: { code: 'VALIDATION_FAILED', message: 'data.graphId is required' },
            });
          // Only graphs of the caller's tenant: another tenant's graph is NOT_FOUND, like everywhere else.
          options.clients.graph.getGraph({ caller: callerOf(client), graphId, version: 0 }).then(
            () => {
              client.graphs.add(graphId);
              send(client, { method: 'subscribed', data: { graphId } });
            },
            (err: { code?: string }) =>
              send(client, {
                method: 'error',
                data: {
                  code: err.code ?? 'INTERNAL',
                  message: err.code === 'NOT_FOUND' ? `graph ${graphId} not found` : 'subscription failed',
                },
              }),
          );
          return;
        }
        case 'subscribe_notifications':
          return subscribeNotifications(client);
        case 'unsubscribe':
          if (typeof data.executionId === 'string') client.executions.delete(data.executionId);
          if (typeof data.graphId === 'string') client.graphs.delete(data.graphId);
          if (data.notifications === true) unsubscribeNotifications(client);
          return send(client, { method: 'unsubscribed', data });
        default:
          return send(client, {
            method: 'error',
            data: { code: 'VALIDATION_FAILED', message: `unknown method '${msg.method}'` },
          });
      }
    });
  }

  return {
    close: async () => {
      clearInterval(heartbeat);
      for (const feed of feeds.values()) feed.stop();
      feeds.clear();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
