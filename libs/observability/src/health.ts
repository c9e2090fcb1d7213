import http from 'node:http';
import { registry } from './metrics';

export type ReadinessCheck = () => Promise<boolean> | boolean;

/** Liveness/readiness/metrics handlers, mountable on any http server or express app. */
export function createOpsHandler(checks: Record<string, ReadinessCheck> = {}) {
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> => {
    const url = (req.url ?? '').split('?')[0];
    if (url === '/healthz') {
      send(res, 200, { status: 'ok' });
      return true;
    }
    if (url === '/readyz') {
      const results: Record<string, boolean> = {};
      for (const [name, check] of Object.entries(checks)) {
        try {
          results[name] = await check();
        } catch {
          results[name] = false;
        }
      }
      const ready = Object.values(results).every(Boolean);
      send(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks: results });
      return true;
    }
    if (url === '/metrics') {
      res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
      res.end(await registry.metrics());
      return true;
    }
    return false;
  };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** A small ops server for services without their own HTTP port: /healthz, /readyz, /metrics. */
export async function startOpsServer(options: { port: number; host?: string; checks?: Record<string, ReadinessCheck> }) {
  const handler = createOpsHandler(options.checks);
  const server = http.createServer((req, res) => {
    handler(req, res).then(
      (handled) => {
        if (!handled) send(res, 404, { status: 'not found' });
      },
      () => send(res, 500, { status: 'error' }),
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '0.0.0.0', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
