import fs from 'node:fs';
import path from 'node:path';
import express, { Router, type Application } from 'express';
import { z } from 'zod';
import type { TokenService } from '../../app/tokens';
import { jwksResponse } from './responses';
import { listExpressRoutes, toOpenApiPath, type ApiRegistry } from './openapi';

/** Where swagger-ui-dist is installed (served at /docs/assets: no CDN); absent, /docs is a plain list. */
function swaggerUiDir(): string | undefined {
  try {
    const dir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
    return fs.existsSync(path.join(dir, 'swagger-ui-bundle.js')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Routes the registry does not declare (mounted by hand) are still listed; ops and docs routes are described here. */
const PLATFORM_ROUTES = new Set(['/openapi.json', '/docs', '/docs/init.js', '/.well-known/jwks.json']);

export function buildOpenApi(api: ApiRegistry, app: Application, version: string): Record<string, unknown> {
  const declared = new Set(api.routes.map((r) => `${r.spec.method} ${toOpenApiPath(r.fullPath)}`));
  const all = listExpressRoutes((app as unknown as { router: { stack: never[] } }).router);
  const undeclared = all.filter(
    (r) => !declared.has(`${r.method} ${toOpenApiPath(r.path)}`) && !r.path.includes('*') && !r.path.includes('('),
  );
  return api.document(
    { version },
    undeclared.filter(
      (r) =>
        r.path.startsWith('/api/') ||
        PLATFORM_ROUTES.has(r.path) ||
        ['/healthz', '/readyz', '/metrics'].includes(r.path),
    ),
  );
}

/** /openapi.json, /docs (Swagger UI from node_modules, with a plain list for no-JS), /.well-known/jwks.json. */
export function docsRoutes(options: { api: ApiRegistry; tokens: TokenService; version?: string }): Router {
  const r = Router();
  const { api } = options;
  const text = z.string();
  api.describe({
    method: 'get',
    fullPath: '/openapi.json',
    tag: 'platform',
    auth: 'none',
    summary: 'This OpenAPI 3.1 document',
    responses: {
      200: {
        description: 'the document',
        schema: z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) }),
      },
    },
  });
  api.describe({
    method: 'get',
    fullPath: '/docs',
    tag: 'platform',
    auth: 'none',
    summary: 'Browsable API documentation',
    responses: { 200: { description: 'HTML', schema: text, contentType: 'text/html' } },
  });
  api.describe({
    method: 'get',
    fullPath: '/docs/init.js',
    tag: 'platform',
    auth: 'none',
    summary: 'Script of the documentation page',
    responses: { 200: { description: 'JavaScript', schema: text, contentType: 'application/javascript' } },
  });
  api.describe({
    method: 'get',
    fullPath: '/.well-known/jwks.json',
    tag: 'platform',
    auth: 'none',
    summary: 'Public keys that verify access tokens (JWKS)',
    responses: { 200: { description: 'JWKS', schema: jwksResponse } },
  });
  for (const [p, summary] of [
    ['/healthz', 'Liveness'],
    ['/readyz', 'Readiness'],
    ['/metrics', 'Prometheus metrics'],
  ] as const)
    api.describe({
      method: 'get',
      fullPath: p,
      tag: 'platform',
      auth: 'none',
      summary,
      responses: {
        200: {
          description: summary,
          schema: p === '/metrics' ? text : z.unknown(),
          contentType: p === '/metrics' ? 'text/plain' : 'application/json',
        },
        503: { description: 'not ready' },
      },
    });
  const version = options.version ?? '0.1.0';
  let cached: Record<string, unknown> | undefined;
  const doc = (app: Application) => (cached ??= buildOpenApi(options.api, app, version));

  r.get('/openapi.json', (req, res) => {
    res.json(doc(req.app));
  });

  r.get('/.well-known/jwks.json', (_req, res, next) => {
    options.tokens.jwks().then((jwks) => {
      res.setHeader('Cache-Control', 'public, max-age=300');
      res.json(jwks);
    }, next);
  });

  const ui = swaggerUiDir();
  if (ui) r.use('/docs/assets', express.static(ui, { index: false, maxAge: '1d' }));
  r.get('/docs/init.js', (_req, res) => {
    res
      .type('application/javascript')
      .send(
        `window.onload = () => { window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true }); };\n`,
      );
  });
  r.get('/docs', (req, res) => {
    const document = doc(req.app) as { paths: Record<string, Record<string, { summary?: string; tags?: string[] }>> };
    const rows = Object.entries(document.paths)
      .flatMap(([p, ops]) =>
        Object.entries(ops).map(
          ([m, op]) => `<li><code>${m.toUpperCase()} ${escape(p)}</code> ${escape(op.summary ?? '')}</li>`,
        ),
      )
      .join('\n');
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Agentry API</title>
${ui ? '<link rel="stylesheet" href="/docs/assets/swagger-ui.css">' : ''}
</head><body>
<div id="swagger-ui"></div>
<noscript><h1>Agentry API</h1><p>The OpenAPI 3.1 document is at <a href="/openapi.json">/openapi.json</a>.</p><ul>
${rows}
</ul></noscript>
${ui ? '<script src="/docs/assets/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script>' : ''}
</body></html>`);
  });
  return r;
}

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
