import diagnostics from 'node:diagnostics_channel';
import type http from 'node:http';
import { metrics } from './agentry-metrics';

const ID_SEGMENT = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+|[0-9a-f]{16,}|[A-Za-z0-9_-]{22,})$/i;
const FIXED = new Set(['/healthz', '/readyz', '/metrics', '/ws', '/']);

/**
 * The route template of a path, for a bounded `route` label: ids become `:id`, API paths keep at most five
 * segments, static files collapse to `/assets/*`, anything else is `other`.
 */
export function routeOf(url: string | undefined): string {
  const pathname = (url ?? '/').split('?')[0] || '/';
  if (FIXED.has(pathname)) return pathname;
  if (pathname.startsWith('/assets/')) return '/assets/*';
  if (!pathname.startsWith('/api/')) return 'other';
  const segments = pathname.split('/').filter(Boolean).slice(0, 5);
  return `/${segments.map((s) => (ID_SEGMENT.test(s) ? ':id' : s)).join('/')}`;
}

let installed = false;

/**
 * Counts every HTTP request any http.Server of this process serves (agentry_http_requests_total,
 * agentry_http_request_duration_seconds) through Node's diagnostics channels: no change to the servers.
 */
export function instrumentHttpServers(): void {
  if (installed) return;
  installed = true;
  const started = new WeakMap<http.ServerResponse, bigint>();
  diagnostics.subscribe('http.server.request.start', (message) => {
    const { response } = message as { response: http.ServerResponse };
    started.set(response, process.hrtime.bigint());
  });
  diagnostics.subscribe('http.server.response.finish', (message) => {
    const { request, response } = message as { request: http.IncomingMessage; response: http.ServerResponse };
    const begin = started.get(response);
    const route = routeOf(request.url);
    if (route === '/metrics') return; // scrapes are not traffic
    const method = request.method ?? 'GET';
    metrics.httpRequests.inc({ method, route, status: String(response.statusCode) });
    if (begin !== undefined) metrics.httpDuration.observe({ method, route }, Number(process.hrtime.bigint() - begin) / 1e9);
  });
}
