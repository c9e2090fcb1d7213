import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { DomainError } from '@agentry/kernel';
import { createOpsHandler, type Logger, type ReadinessCheck } from '@agentry/observability';
import type { Accounts } from '../../app/accounts';
import type { AccessClaims, TokenService } from '../../app/tokens';
import type { ServiceClients } from '../../app/clients';
import { problemHandler } from './problem';
import { apiRoutes } from './routes/api';

export interface HttpAppOptions {
  accounts: Accounts;
  tokens: TokenService;
  clients: ServiceClients;
  logger: Logger;
  readiness?: Record<string, ReadinessCheck>;
  /** Built editor (apps/editor/dist); served at / with SPA fallback when present. */
  editorDir?: string;
  bodyLimit?: string;
}

/** Paths that may be cached; everything else answers `Cache-Control: no-store` (DESIGN.md cross-cutting). */
const CACHEABLE = [/^\/assets\//, /^\/favicon\.(ico|svg)$/, /^\/healthz$/, /^\/readyz$/];

export interface AuthedRequest extends Request {
  auth: AccessClaims;
}

export function createHttpApp(options: HttpAppOptions) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('query parser', 'simple');

  app.use((req, res, next) => {
    const incoming = req.header('x-request-id');
    const id = incoming && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', id);
    if (!CACHEABLE.some((re) => re.test(req.path))) res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'", 'ws:', 'wss:'],
          scriptSrc: ["'self'"],
        },
      },
    }),
  );

  const ops = createOpsHandler(options.readiness);
  app.get(['/healthz', '/readyz', '/metrics'], (req, res, next) => {
    ops(req, res).then((handled) => (handled ? undefined : next()), next);
  });

  app.use('/api', express.json({ limit: options.bodyLimit ?? '5mb', type: ['application/json', 'application/*+json'] }));
  app.use('/api', apiRoutes(options));
  app.use('/api', (_req: Request, _res: Response, next: NextFunction) => next(new DomainError('NOT_FOUND', 'no such API route')));

  if (options.editorDir && fs.existsSync(path.join(options.editorDir, 'index.html'))) {
    const dir = options.editorDir;
    app.use(express.static(dir, { index: false, maxAge: '1h', immutable: false }));
    app.get(/^\/(?!api\/|ws$).*/, (_req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.sendFile(path.join(dir, 'index.html'));
    });
  } else {
    app.get('/', (_req, res) => {
      res
        .type('text/plain')
        .send('Agentry is running. The editor is not built (run `npm run build:editor`); the REST API is under /api/v1.\n');
    });
  }

  app.use(problemHandler(options.logger));
  return app;
}
