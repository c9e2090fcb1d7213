import type { NextFunction, Request, Response, Router } from 'express';
import { z } from 'zod';
import { parse } from './schemas';
import { authorize } from './auth';
import type { Scope } from '../../domain/accounts/events';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Defaults to application/json when a schema is given. */
  contentType?: string;
  /** Several media types with the same schema (e.g. the image types a media route may answer). */
  contentTypes?: string[];
}

export interface RouteSpec<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined> {
  method: Method;
  /** Express path relative to the router (e.g. `/v1/graphs/:id`). */
  path: string;
  summary: string;
  tag: string;
  /** `none`: no credential (mounted before the auth check); `user`: bearer token or API key (default). */
  auth?: 'none' | 'user';
  /** What an API key needs, and (for `:write`/`tenant:admin`) what a role needs. */
  scope?: Scope;
  /** A user token only (not an API key): e.g. managing API keys or the session itself. */
  userOnly?: boolean;
  body?: B;
  /** A body that is not JSON (e.g. multipart), documented as given and parsed by the handler. */
  rawBody?: { contentType: string; schema: Record<string, unknown> };
  query?: Q;
  responses: Record<number, ResponseSpec>;
}

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface RouteContext<B, Q> {
  req: Request;
  res: Response;
  body: B;
  query: Q;
}

interface Registered {
  spec: RouteSpec<z.ZodType | undefined, z.ZodType | undefined>;
  fullPath: string;
}

/**
 * Routes are declared once, with the zod schemas that validate them; the same declarations become the
 * OpenAPI 3.1 document, so the document cannot drift from what the server accepts.
 */
export class ApiRegistry {
  readonly routes: Registered[] = [];

  constructor(private readonly prefix = '/api') {}

  route<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
    router: Router,
    spec: RouteSpec<B, Q>,
    handler: (ctx: RouteContext<Out<B>, Out<Q>>) => Promise<void>,
  ): void {
    this.routes.push({
      spec: spec as RouteSpec<z.ZodType | undefined, z.ZodType | undefined>,
      fullPath: this.prefix + spec.path,
    });
    router[spec.method](spec.path, (req: Request, res: Response, next: NextFunction) => {
      (async () => {
        if (spec.auth !== 'none') authorize(res, spec.scope, spec.userOnly);
        const body = (spec.body ? parse(spec.body, req.body) : undefined) as Out<B>;
        const query = (spec.query ? parse(spec.query, req.query, 'query') : undefined) as Out<Q>;
        await handler({ req, res, body, query });
      })().catch(next);
    });
  }

  /** Documents a route mounted outside the API router (ops, docs, JWKS) under its full path. */
  describe(spec: Omit<RouteSpec, 'path'> & { fullPath: string }): void {
    this.routes.push({ spec: { ...spec, path: spec.fullPath }, fullPath: spec.fullPath });
  }

  document(
    info: { version: string; serverUrl?: string },
    appRoutes: Array<{ method: string; path: string }> = [],
  ): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    const add = (path: string, method: string, op: unknown) => {
      const p = toOpenApiPath(path);
      paths[p] ??= {};
      paths[p][method] ??= op;
    };
    for (const { spec, fullPath } of this.routes) add(fullPath, spec.method, operation(spec, fullPath));
    // Routes mounted by hand (not through `route`) still appear, marked, so nothing the server answers is missing.
    for (const r of appRoutes) {
      add(r.path, r.method, {
        summary: `${r.method.toUpperCase()} ${r.path}`,
        tags: [r.path.startsWith('/api/') ? 'other' : 'platform'],
        'x-agentry-undeclared': true,
        parameters: pathParams(r.path),
        responses: {
          default: { description: 'see the route module', content: { 'application/json': { schema: {} } } },
        },
      });
    }
    return {
      openapi: '3.1.0',
      jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
      info: {
        title: 'Agentry API',
        version: info.version,
        description:
          'REST API of the Agentry gateway. Errors are RFC 9457 application/problem+json with a stable `code`.',
      },
      servers: [{ url: info.serverUrl ?? '/' }],
      security: [{ bearer: [] }, { apiKey: [] }],
      paths,
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
        schemas: { Problem: toSchema(problemSchema, 'output') },
        responses: Object.fromEntries(
          Object.entries(PROBLEM_STATUSES).map(([status, description]) => [
            `Problem${status}`,
            {
              description,
              content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
            },
          ]),
        ),
      },
    };
  }
}

export const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  instance: z.string().optional(),
  errors: z.unknown().optional(),
});

const PROBLEM_STATUSES: Record<string, string> = {
  '400': 'Invalid request (VALIDATION_FAILED, MALFORMED_REQUEST)',
  '401': 'No or invalid credential (UNAUTHENTICATED, TOKEN_EXPIRED)',
  '403': 'Role or API-key scope does not allow it (PERMISSION_DENIED)',
  '404': 'Not found, or belongs to another tenant (NOT_FOUND)',
  '409': 'Conflict (VERSION_CONFLICT, ALREADY_EXISTS, INVALID_TRANSITION)',
  '413': 'Body too large (PAYLOAD_TOO_LARGE)',
  '415': 'Unsupported media type (UNSUPPORTED_MEDIA_TYPE)',
  '429': 'Rate limited (RATE_LIMITED; see Retry-After) or quota exceeded',
  '500': 'Internal error (INTERNAL)',
  '503': 'A service behind the gateway is unavailable (UNAVAILABLE)',
};

function operation(
  spec: RouteSpec<z.ZodType | undefined, z.ZodType | undefined>,
  fullPath: string,
): Record<string, unknown> {
  const parameters: unknown[] = pathParams(fullPath);
  if (spec.query) {
    const schema = toSchema(spec.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, s] of Object.entries(schema.properties ?? {}))
      parameters.push({ name, in: 'query', required: schema.required?.includes(name) ?? false, schema: s });
  }
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    const schema = r.schema ? toSchema(r.schema, 'output') : undefined;
    responses[status] = schema
      ? {
          description: r.description,
          content: Object.fromEntries(
            (r.contentTypes ?? [r.contentType ?? 'application/json']).map((t) => [t, { schema }]),
          ),
        }
      : { description: r.description };
  }
  const api = fullPath.startsWith('/api/');
  const errors = api
    ? [
        '400',
        '401',
        '403',
        '404',
        '429',
        '500',
        '503',
        ...(spec.method === 'get' ? [] : ['409']),
        ...(spec.body || spec.rawBody ? ['413', '415'] : []),
      ]
    : ['500'];
  for (const s of errors) responses[s] ??= { $ref: `#/components/responses/Problem${s}` };
  return {
    operationId: operationId(spec.method, fullPath),
    summary: spec.summary,
    tags: [spec.tag],
    ...(spec.auth === 'none' ? { security: [] } : {}),
    ...(spec.scope ? { 'x-agentry-scope': spec.scope } : {}),
    parameters,
    ...(spec.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(spec.body, 'input') } } } }
      : {}),
    ...(spec.rawBody
      ? { requestBody: { required: true, content: { [spec.rawBody.contentType]: { schema: spec.rawBody.schema } } } }
      : {}),
    responses,
  };
}

export function toSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  delete out.$schema;
  return out;
}

function pathParams(path: string): unknown[] {
  return [...path.matchAll(/:(\w+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string', maxLength: 200 },
  }));
}

export function toOpenApiPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}');
}

function operationId(method: string, path: string): string {
  const words = path
    .replace(/^\/api\/v1\//, '')
    .split('/')
    .filter(Boolean)
    .map((s) => (s.startsWith(':') ? `by_${s.slice(1)}` : s.replace(/[^a-zA-Z0-9]+/g, '_')));
  return [method, ...words].join('_');
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  rawPath?: string | string[];
  name?: string;
}

/** Every route an express app or router answers, walked from its stack (nested routers included). */
export function listExpressRoutes(router: { stack: Layer[] }, prefix = ''): Array<{ method: string; path: string }> {
  const out: Array<{ method: string; path: string }> = [];
  for (const layer of router.stack) {
    if (layer.route) {
      for (const p of [layer.route.path].flat()) {
        if (typeof p !== 'string') continue;
        for (const [m, on] of Object.entries(layer.route.methods))
          if (on && m !== '_all') out.push({ method: m, path: join(prefix, p) });
      }
    } else if (layer.handle?.stack && layer.name === 'router') {
      const mount = typeof layer.rawPath === 'string' ? layer.rawPath : '';
      out.push(...listExpressRoutes({ stack: layer.handle.stack }, join(prefix, mount)));
    }
  }
  return out;
}

function join(a: string, b: string): string {
  const s = `${a}/${b}`.replace(/\/+/g, '/');
  return s.length > 1 ? s.replace(/\/$/, '') : s;
}
