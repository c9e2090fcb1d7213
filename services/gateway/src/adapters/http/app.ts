import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import cors from 'cors';
import helmet from 'helmet';
import { DomainError, systemClock } from '@agentry/kernel';
import { createOpsHandler, type Logger, type ReadinessCheck } from '@agentry/observability';
import type { Accounts } from '../../app/accounts';
import type { ApiKeys } from '../../app/api-keys';
import { Drain } from '../../app/drain';
import type { Files } from '../../app/files';
import type { Sessions } from '../../app/sessions';
import type { AccessClaims, TokenService } from '../../app/tokens';
import type { ServiceClients } from '../../app/clients';
import type { GatewayConfig } from '../../config';
import type { Mailer } from '../mail/smtp';
import type { Authenticator } from './auth';
import { docsRoutes } from './docs';
import { addressRateLimit, callerRateLimits } from './limits';
import { ApiRegistry } from './openapi';
import { problemHandler } from './problem';
import type { RebuildableReadModel } from './routes/admin';
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
  /** Route declarations (request/response schemas) that become the OpenAPI document; route modules may add theirs. */
  api?: ApiRegistry;
  authenticator?: Authenticator;
  sessions?: Sessions;
  apiKeys?: ApiKeys;
  config?: GatewayConfig;
  mailer?: Mailer;
  files?: Files;
  version?: string;
  /** Read models the admin rebuild drops and folds again. */
  readModels?: RebuildableReadModel[];
  /** The gateway's drain state (admin drain); one is made when not given. */
  drain?: Drain;
}

/** Paths that may be cached; everything else answers `Cache-Control: no-store` (DESIGN.md cross-cutting). */
const CACHEABLE = [
  /^\/assets\//,
  /^\/favicon\.(ico|svg)$/,
  /^\/healthz$/,
  /^\/readyz$/,
  /^\/docs\/assets\//,
  /^\/\.well-known\/jwks\.json$/,
  /^\/api\/v1\/store\/(listings(\/[^/]+(\/ratings)?)?|featured|categories|creators\/[^/]+|media\/[^/]+)$/,
];

export interface AuthedRequest extends Request {
  auth: AccessClaims;
}

export function createHttpApp(input: HttpAppOptions) {
  if (!input.authenticator || !input.sessions || !input.apiKeys || !input.config || !input.mailer)
    throw new Error('createHttpApp needs authenticator, sessions, apiKeys, config and mailer');
  const options = {
    ...input,
    api: input.api ?? new ApiRegistry(),
    drain: input.drain ?? new Drain(systemClock),
  } as HttpAppOptions &
    Required<Pick<HttpAppOptions, 'api' | 'authenticator' | 'sessions' | 'apiKeys' | 'config' | 'mailer' | 'drain'>>;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('query parser', 'simple');

  app.use((req, res, next) => {
    const incoming = req.header('x-request-id');
    const id = incoming && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', id);
    res.locals.requestId = id;
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const auth = res.locals.auth as AccessClaims | undefined;
      options.logger.info(
        {
          requestId: id,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
          tenant: auth?.tenant,
          keyId: auth?.keyId,
        },
        'request',
      );
    });
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

  const origins = options.config.corsOrigins;
  if (origins.length) {
    app.use(
      cors({
        origin: origins.includes('*') ? '*' : origins,
        methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
        allowedHeaders: ['authorization', 'content-type', 'x-api-key', 'x-request-id'],
        exposedHeaders: ['x-request-id', 'retry-after', 'location', 'ratelimit', 'ratelimit-policy'],
        maxAge: 600,
      }),
    );
  }

  const ops = createOpsHandler(options.readiness);
  app.get(['/healthz', '/readyz', '/metrics'], (req, res, next) => {
    ops(req, res).then((handled) => (handled ? undefined : next()), next);
  });

  app.use(docsRoutes(options));

  app.use(
    ['/api/v1/auth/login', '/api/v1/auth/signup', '/api/v1/auth/password-reset', '/api/v1/invitations/accept'],
    addressRateLimit(options.config.AGENTRY_RATE_LIMIT_AUTH_PER_IP),
  );
  // Requests in flight are counted for the drain; while draining, requests that would start work are refused.
  app.use('/api', (req: Request, res: Response, next: NextFunction) => {
    res.on('close', options.drain.track());
    try {
      options.drain.admit(req.method, req.path);
      next();
    } catch (err) {
      next(err);
    }
  });
  app.use(
    '/api',
    express.json({
      limit: options.bodyLimit ?? options.config.AGENTRY_BODY_LIMIT,
      type: ['application/json', 'application/*+json'],
    }),
  );
  app.use(
    '/api',
    apiRoutes({
      ...options,
      rateLimits: callerRateLimits({
        perTenant: options.config.AGENTRY_RATE_LIMIT_PER_TENANT,
        perKey: options.config.AGENTRY_RATE_LIMIT_PER_KEY,
      }),
    }),
  );
  app.use('/api', (_req: Request, _res: Response, next: NextFunction) =>
    next(new DomainError('NOT_FOUND', 'no such API route')),
  );

  if (options.editorDir && fs.existsSync(path.join(options.editorDir, 'index.html'))) {
    const dir = options.editorDir;
    app.use(express.static(dir, { index: false, maxAge: '1h', immutable: false }));
    app.get(/^\/(?!api\/|ws$).*/, (_req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.sendFile(path.join(dir, 'index.html'));
    });
  } else {
    options.api.describe({
      method: 'get',
      fullPath: '/',
      tag: 'platform',
      auth: 'none',
      summary: 'Where the editor is served (a note when it is not built)',
      responses: { 200: { description: 'text' } },
    });
    app.get('/', (_req, res) => {
      res
        .type('text/plain')
        .send(
          'Agentry is running. The editor is not built (run `npm run build:editor`); the REST API is under /api/v1.\n',
        );
    });
  }

  app.use(problemHandler(options.logger));
  return app;
}
