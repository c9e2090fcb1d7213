import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { draftToProto } from '@agentry/proto-ts';
import type { HttpAppOptions } from '../app';
import { authenticateRequest, checkScope, scopeFor } from '../auth';
import * as R from '../responses';
import { executeBody, graphBody, listExecutionsQuery, listGraphsQuery, reviewBody, updateGraphBody } from '../schemas';
import { accountRoutes, publicAccountRoutes } from './accounts';
import { adminRoutes } from './admin';
import { fileRoutes, resolveFileInputs } from './files';
import { callerOf, claimsOf, param } from './context';
import { executionExtraRoutes } from './executions';
import { integrationRoutes } from './integrations';
import { publicRoutes } from './public';
import { quotaRoutes } from './quotas';
import { storeRoutes } from './store';

type Options = HttpAppOptions &
  Required<Pick<HttpAppOptions, 'api' | 'authenticator' | 'sessions' | 'apiKeys' | 'config' | 'mailer' | 'drain'>> & {
    rateLimits?: RequestHandler[];
  };

const blocksQuery = z.object({ category: z.string().max(100).optional() });
const versionQuery = z.object({
  version: z.coerce.number().int().min(0).optional().describe('0 or absent: the active version'),
});

export function apiRoutes(options: Options): Router {
  const { clients, api } = options;
  const r = Router();

  publicAccountRoutes(r, options);
  r.use(publicRoutes(options));

  // Everything below requires a bearer token or an API key.
  r.use(authenticateRequest(options.authenticator));
  if (options.rateLimits) r.use(options.rateLimits);
  // Routes mounted by hand (not declared through the registry) still get role and scope checks by path.
  r.use((req, res, next) => {
    const scope = scopeFor(req.method, req.path);
    if (scope) checkScope(claimsOf(res), scope);
    next();
  });

  accountRoutes(r, options);
  quotaRoutes(r, options);
  adminRoutes(r, options);

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/blocks',
      tag: 'blocks',
      summary: 'The block catalogue, with JSON Schemas of inputs and outputs',
      scope: 'blocks:read',
      query: blocksQuery,
      responses: { 200: { description: 'blocks', schema: R.list(R.blockResponse) } },
    },
    async ({ res, query }) => {
      const { items } = await clients.blocks.listBlocks({ category: query.category ?? '' });
      res.json({ items });
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/blocks/:id',
      tag: 'blocks',
      summary: 'One block',
      scope: 'blocks:read',
      responses: { 200: { description: 'the block', schema: R.blockResponse } },
    },
    async ({ req, res }) => {
      const { block } = await clients.blocks.getBlock({ blockId: param(req, 'id') });
      res.json(block);
    },
  );

  graphRoutes(r, options);
  executionRoutes(r, options);
  executionExtraRoutes(r, options);
  if (options.files) fileRoutes(r, { ...options, files: options.files });

  r.use(integrationRoutes(options));
  r.use(storeRoutes(options));

  return r;
}

function graphRoutes(r: Router, { clients, api, files }: Options): void {
  const tag = 'graphs';
  api.route(
    r,
    {
      method: 'get',
      path: '/v1/graphs',
      tag,
      summary: "The tenant's graphs, cursor-paginated, filtered by `q`, sorted by `sort`",
      scope: 'graphs:read',
      query: listGraphsQuery,
      responses: { 200: { description: 'a page of graphs', schema: R.page(R.graphSummary) } },
    },
    async ({ res, query: q }) => {
      const out = await clients.graph.listGraphs({
        caller: callerOf(res),
        query: q.q ?? '',
        sort: q.sort ?? '',
        page: { cursor: q.cursor ?? '', limit: q.limit ?? 0 },
      });
      res.json({ items: out.items, nextCursor: out.page?.nextCursor || undefined });
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/graphs',
      tag,
      summary: 'Create a graph (version 1)',
      scope: 'graphs:write',
      body: graphBody,
      responses: { 201: { description: 'created', schema: R.graphResponse } },
    },
    async ({ res, body }) => {
      const { graph } = await clients.graph.createGraph({
        caller: callerOf(res),
        draft: draftToProto(body),
        forkedFrom: undefined,
      });
      res.status(201).location(`/api/v1/graphs/${graph!.id}`).json(graph);
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/graphs/import',
      tag,
      summary: 'Import an Agentry or AutoGPT graph export',
      scope: 'graphs:write',
      body: z.record(z.string(), z.unknown()).describe('The exported document'),
      responses: {
        201: {
          description: 'imported',
          schema: R.graphResponse.extend({ subGraphs: z.array(R.graphResponse).optional() }),
        },
      },
    },
    async ({ res, body }) => {
      const out = await clients.graph.importGraph({ caller: callerOf(res), document: body });
      res.status(201).json({ ...out.graph, subGraphs: out.subGraphs });
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/graphs/:id',
      tag,
      summary: 'A graph (the active version, or `version`)',
      scope: 'graphs:read',
      query: versionQuery,
      responses: { 200: { description: 'the graph', schema: R.graphResponse } },
    },
    async ({ req, res, query }) => {
      const { graph } = await clients.graph.getGraph({
        caller: callerOf(res),
        graphId: param(req, 'id'),
        version: query.version ?? 0,
      });
      res.json(graph);
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/graphs/:id/export',
      tag,
      summary: 'Export a graph (no tenant, owner or secret values)',
      scope: 'graphs:read',
      responses: { 200: { description: 'the export', schema: R.exportResponse } },
    },
    async ({ req, res }) => {
      const { graph } = await clients.graph.getGraph({ caller: callerOf(res), graphId: param(req, 'id'), version: 0 });
      const g = graph!;
      res.setHeader('content-disposition', `attachment; filename="${g.name.replace(/[^\w.-]+/g, '_')}.agentry.json"`);
      res.json({
        id: g.id,
        version: g.version,
        name: g.name,
        description: g.description,
        nodes: g.nodes.map((n) => ({ ...n, inputDefault: stripSecrets(n.inputDefault ?? {}) })),
        links: g.links,
      });
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/graphs/:id/versions',
      tag,
      summary: 'Version history',
      scope: 'graphs:read',
      responses: { 200: { description: 'versions', schema: R.list(R.graphVersion) } },
    },
    async ({ req, res }) => {
      const out = await clients.graph.listGraphVersions({ caller: callerOf(res), graphId: param(req, 'id') });
      res.json({ items: out.items });
    },
  );

  api.route(
    r,
    {
      method: 'put',
      path: '/v1/graphs/:id',
      tag,
      summary: 'Save the next version (409 VERSION_CONFLICT when `baseVersion` is stale)',
      scope: 'graphs:write',
      body: updateGraphBody,
      responses: { 200: { description: 'the new version', schema: R.graphResponse } },
    },
    async ({ req, res, body }) => {
      const { baseVersion, ...draft } = body;
      const { graph } = await clients.graph.updateGraph({
        caller: callerOf(res),
        graphId: param(req, 'id'),
        baseVersion,
        draft: draftToProto(draft),
      });
      res.json(graph);
    },
  );

  api.route(
    r,
    {
      method: 'delete',
      path: '/v1/graphs/:id',
      tag,
      summary: 'Delete a graph',
      scope: 'graphs:write',
      responses: { 204: { description: 'deleted' } },
    },
    async ({ req, res }) => {
      await clients.graph.deleteGraph({ caller: callerOf(res), graphId: param(req, 'id') });
      res.status(204).end();
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/graphs/:id/execute',
      tag: 'executions',
      summary: 'Run a graph',
      scope: 'executions:write',
      body: executeBody,
      responses: { 202: { description: 'accepted', schema: R.accepted } },
    },
    async ({ req, res, body }) => {
      const out = await clients.execution.requestExecution({
        caller: callerOf(res),
        graphId: param(req, 'id'),
        graphVersion: body.version ?? 0,
        inputs: resolveFileInputs(files, claimsOf(res).tenant, body.inputs),
        trigger: claimsOf(res).keyId ? 'api' : 'manual',
        parentExecutionId: '',
      });
      res.status(202).location(`/api/v1/executions/${out.executionId}`).json({ executionId: out.executionId });
    },
  );
}

function executionRoutes(r: Router, { clients, api }: Options): void {
  const tag = 'executions';
  api.route(
    r,
    {
      method: 'get',
      path: '/v1/executions',
      tag,
      summary: 'Execution history, filtered and cursor-paginated',
      scope: 'executions:read',
      query: listExecutionsQuery,
      responses: { 200: { description: 'a page', schema: R.page(R.executionSummary) } },
    },
    async ({ res, query: q }) => {
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
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/executions/:id',
      tag,
      summary: 'Execution state (folded from its events)',
      scope: 'executions:read',
      responses: { 200: { description: 'the execution', schema: R.executionResponse } },
    },
    async ({ req, res }) => {
      const { execution } = await clients.execution.getExecution({
        caller: callerOf(res),
        executionId: param(req, 'id'),
      });
      res.json(execution);
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/executions/:id/events',
      tag,
      summary: 'The raw event log of an execution',
      scope: 'executions:read',
      responses: { 200: { description: 'events', schema: R.list(R.eventEnvelope) } },
    },
    async ({ req, res }) => {
      const out = await clients.execution.listExecutionEvents({ caller: callerOf(res), executionId: param(req, 'id') });
      res.json({ items: out.events });
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/executions/:id/cancel',
      tag,
      summary: 'Cancel a running execution',
      scope: 'executions:write',
      responses: {
        202: { description: 'cancel requested', schema: z.object({ executionId: z.string(), status: z.string() }) },
      },
    },
    async ({ req, res }) => {
      await clients.execution.cancelExecution({
        caller: callerOf(res),
        executionId: param(req, 'id'),
        reason: 'cancelled by user',
      });
      res.status(202).json({ executionId: param(req, 'id'), status: 'cancel requested' });
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/executions/:id/reviews/:nodeExecId',
      tag,
      summary: 'Approve or reject a human review',
      scope: 'executions:write',
      body: reviewBody,
      responses: {
        200: {
          description: 'decided',
          schema: z.object({
            executionId: z.string(),
            nodeExecId: z.string(),
            decision: z.enum(['approve', 'reject']),
          }),
        },
      },
    },
    async ({ req, res, body }) => {
      await clients.execution.decideReview({
        caller: callerOf(res),
        executionId: param(req, 'id'),
        nodeExecId: param(req, 'nodeExecId'),
        decision: body.decision,
        editedData: body.editedData,
        message: body.message ?? '',
      });
      res.json({ executionId: param(req, 'id'), nodeExecId: param(req, 'nodeExecId'), decision: body.decision });
    },
  );
}

const SECRET_KEY = /(api[_-]?key|secret|password|token|credentials)/i;
function stripSecrets(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([k]) => !SECRET_KEY.test(k)));
}
