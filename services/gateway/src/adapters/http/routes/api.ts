import { Router } from 'express';
import { DomainError } from '@agentry/kernel';
import { draftToProto } from '@agentry/proto-ts';
import type { HttpAppOptions } from '../app';
import { callerOf, claimsOf, param, wrap } from './context';
import { integrationRoutes } from './integrations';
import { publicRoutes } from './public';
import { storeRoutes } from './store';
import { executeBody, graphBody, listExecutionsQuery, listGraphsQuery, loginBody, parse, reviewBody, updateGraphBody } from '../schemas';

export function apiRoutes(options: HttpAppOptions): Router {
  const { accounts, tokens, clients } = options;
  const r = Router();

  r.post(
    '/v1/auth/login',
    wrap(async (req, res) => {
      const body = parse(loginBody, req.body);
      const user = await accounts.authenticate(body.email, body.password);
      const token = await tokens.issue({ sub: user.id, tenant: user.tenantId, roles: user.roles });
      res.json({ accessToken: token.accessToken, tokenType: 'Bearer', expiresIn: token.expiresIn });
    }),
  );

  r.use(publicRoutes(options));

  // Everything below requires a valid bearer token.
  r.use((req, res, next) => {
    const header = req.header('authorization');
    const match = header?.match(/^Bearer\s+([A-Za-z0-9._~+/=-]+)$/);
    if (!match) return next(new DomainError('UNAUTHENTICATED', 'send `Authorization: Bearer <token>` (get one from POST /api/v1/auth/login)'));
    tokens.verify(match[1]).then((claims) => {
      if (!accounts.getUser(claims.sub)) return next(new DomainError('UNAUTHENTICATED', 'the account no longer exists'));
      res.locals.auth = claims;
      next();
    }, next);
  });

  r.get(
    '/v1/me',
    wrap(async (_req, res) => {
      const c = claimsOf(res);
      const user = accounts.getUser(c.sub)!;
      res.json({ id: user.id, email: user.email, tenantId: user.tenantId, roles: user.roles });
    }),
  );

  r.get(
    '/v1/blocks',
    wrap(async (req, res) => {
      const category = typeof req.query.category === 'string' ? req.query.category : '';
      const { items } = await clients.blocks.listBlocks({ category });
      res.json({ items });
    }),
  );

  r.get(
    '/v1/blocks/:id',
    wrap(async (req, res) => {
      const { block } = await clients.blocks.getBlock({ blockId: param(req, 'id') });
      res.json(block);
    }),
  );

  r.get(
    '/v1/graphs',
    wrap(async (req, res) => {
      const q = parse(listGraphsQuery, req.query, 'query');
      const out = await clients.graph.listGraphs({ caller: callerOf(res), query: q.q ?? '', sort: q.sort ?? '', page: { cursor: q.cursor ?? '', limit: q.limit ?? 0 } });
      res.json({ items: out.items, nextCursor: out.page?.nextCursor || undefined });
    }),
  );

  r.post(
    '/v1/graphs',
    wrap(async (req, res) => {
      const body = parse(graphBody, req.body);
      const { graph } = await clients.graph.createGraph({ caller: callerOf(res), draft: draftToProto(body), forkedFrom: undefined });
      res.status(201).location(`/api/v1/graphs/${graph!.id}`).json(graph);
    }),
  );

  r.post(
    '/v1/graphs/import',
    wrap(async (req, res) => {
      if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) throw new DomainError('VALIDATION_FAILED', 'send the graph document as a JSON object');
      const out = await clients.graph.importGraph({ caller: callerOf(res), document: req.body as Record<string, unknown> });
      res.status(201).json({ ...out.graph, subGraphs: out.subGraphs });
    }),
  );

  r.get(
    '/v1/graphs/:id',
    wrap(async (req, res) => {
      const version = req.query.version === undefined ? 0 : Number(req.query.version);
      if (!Number.isInteger(version) || version < 0) throw new DomainError('VALIDATION_FAILED', 'version must be a positive integer', { errors: { version: 'positive integer' } });
      const { graph } = await clients.graph.getGraph({ caller: callerOf(res), graphId: param(req, 'id'), version });
      res.json(graph);
    }),
  );

  r.get(
    '/v1/graphs/:id/export',
    wrap(async (req, res) => {
      const { graph } = await clients.graph.getGraph({ caller: callerOf(res), graphId: param(req, 'id'), version: 0 });
      const g = graph!;
      res.setHeader('content-disposition', `attachment; filename="${g.name.replace(/[^\w.-]+/g, '_')}.agentry.json"`);
      // Exports carry no tenant, owner or credential values: only what is needed to import it elsewhere.
      res.json({
        id: g.id,
        version: g.version,
        name: g.name,
        description: g.description,
        nodes: g.nodes.map((n) => ({ ...n, inputDefault: stripSecrets(n.inputDefault ?? {}) })),
        links: g.links,
      });
    }),
  );

  r.get(
    '/v1/graphs/:id/versions',
    wrap(async (req, res) => {
      const out = await clients.graph.listGraphVersions({ caller: callerOf(res), graphId: param(req, 'id') });
      res.json({ items: out.items });
    }),
  );

  r.put(
    '/v1/graphs/:id',
    wrap(async (req, res) => {
      const body = parse(updateGraphBody, req.body);
      const { baseVersion, ...draft } = body;
      const { graph } = await clients.graph.updateGraph({ caller: callerOf(res), graphId: param(req, 'id'), baseVersion, draft: draftToProto(draft) });
      res.json(graph);
    }),
  );

  r.delete(
    '/v1/graphs/:id',
    wrap(async (req, res) => {
      await clients.graph.deleteGraph({ caller: callerOf(res), graphId: param(req, 'id') });
      res.status(204).end();
    }),
  );

  r.post(
    '/v1/graphs/:id/execute',
    wrap(async (req, res) => {
      const body = parse(executeBody, req.body ?? {});
      const out = await clients.execution.requestExecution({
        caller: callerOf(res),
        graphId: param(req, 'id'),
        graphVersion: body.version ?? 0,
        inputs: body.inputs,
        trigger: 'manual',
        parentExecutionId: '',
      });
      res.status(202).location(`/api/v1/executions/${out.executionId}`).json({ executionId: out.executionId });
    }),
  );

  r.get(
    '/v1/executions',
    wrap(async (req, res) => {
      const q = parse(listExecutionsQuery, req.query, 'query');
      const out = await clients.execution.listExecutions({
        caller: callerOf(res),
        page: { cursor: q.cursor ?? '', limit: q.limit ?? 0 },
        graphId: q.graphId ?? '',
        status: q.status ?? '',
        trigger: q.trigger ?? '',
        from: q.from ?? '',
        to: q.to ?? '',
      });
      res.json({ items: out.items, nextCursor: out.page?.nextCursor || undefined });
    }),
  );

  r.get(
    '/v1/executions/:id',
    wrap(async (req, res) => {
      const { execution } = await clients.execution.getExecution({ caller: callerOf(res), executionId: param(req, 'id') });
      res.json(execution);
    }),
  );

  r.get(
    '/v1/executions/:id/events',
    wrap(async (req, res) => {
      const out = await clients.execution.listExecutionEvents({ caller: callerOf(res), executionId: param(req, 'id') });
      res.json({ items: out.events });
    }),
  );

  r.post(
    '/v1/executions/:id/cancel',
    wrap(async (req, res) => {
      await clients.execution.cancelExecution({ caller: callerOf(res), executionId: param(req, 'id'), reason: 'cancelled by user' });
      res.status(202).json({ executionId: param(req, 'id'), status: 'cancel requested' });
    }),
  );

  r.post(
    '/v1/executions/:id/reviews/:nodeExecId',
    wrap(async (req, res) => {
      const body = parse(reviewBody, req.body);
      await clients.execution.decideReview({
        caller: callerOf(res),
        executionId: param(req, 'id'),
        nodeExecId: param(req, 'nodeExecId'),
        decision: body.decision,
        editedData: body.editedData,
        message: body.message ?? '',
      });
      res.json({ executionId: param(req, 'id'), nodeExecId: param(req, 'nodeExecId'), decision: body.decision });
    }),
  );

  r.use(integrationRoutes(options));
  r.use(storeRoutes(options));

  return r;
}

const SECRET_KEY = /(api[_-]?key|secret|password|token|credentials)/i;
function stripSecrets(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([k]) => !SECRET_KEY.test(k)));
}
