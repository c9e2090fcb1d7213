import type { Response, Router } from 'express';
import { z } from 'zod';
import { DomainError } from '@agentry/kernel';
import { differences, foldExecution } from '../../../domain/executions/fold';
import type { HttpAppOptions } from '../app';
import { callerOf, claimsOf, param } from './context';

type Options = HttpAppOptions & Required<Pick<HttpAppOptions, 'api' | 'drain'>>;

/** A read model the gateway can drop and fold again from the event log. */
export interface RebuildableReadModel {
  name: string;
  rebuild(): Promise<number>;
}

/**
 * Services whose read models and drain this gateway reaches. The other services rebuild their read models from the
 * log on every start and are drained by their orchestrator (SIGTERM: stop accepting, finish, exit); there is no
 * admin RPC to them yet, so asking for one of them is refused rather than pretending.
 */
const ADMINISTERED = ['gateway'] as const;
const serviceName = z.string().regex(/^[a-z][a-z-]{0,39}$/, 'a service name such as gateway');

const rebuildBody = z.object({
  service: serviceName.optional().describe('default: every service this gateway administers (gateway)'),
});
const rebuildResponse = z.object({
  rebuilt: z.array(z.object({ service: z.string(), readModel: z.string(), events: z.number().int() })),
});
const foldedNode = z.object({ nodeExecId: z.string(), nodeId: z.string(), status: z.string() });
const replayResponse = z.object({
  executionId: z.string(),
  events: z.number().int(),
  lastPosition: z.number().int(),
  replayed: z.object({ status: z.string(), nodes: z.array(foldedNode) }),
  reported: z.object({ status: z.string(), nodes: z.array(foldedNode) }),
  matches: z.boolean(),
  differences: z.array(z.string()),
});
const drainResponse = z.object({
  service: z.string(),
  draining: z.boolean(),
  since: z.string().optional(),
  inFlight: z.number().int(),
  drained: z.boolean(),
});

function administered(service: string): (typeof ADMINISTERED)[number] {
  const known = ADMINISTERED.find((s) => s === service);
  if (!known)
    throw new DomainError(
      'VALIDATION_FAILED',
      `the gateway administers ${ADMINISTERED.join(', ')} only; ${service} rebuilds its read models when it starts and drains on SIGTERM`,
      {
        errors: { service: `one of ${ADMINISTERED.join(', ')}` },
      },
    );
  return known;
}

/** Platform administration: rebuild read models, replay an execution, drain. Platform admins only, with a user token. */
export function adminRoutes(r: Router, { api, accounts, clients, readModels = [], drain }: Options): void {
  const tag = 'admin';
  const requireAdmin = (res: Response) => {
    if (!accounts.getUser(claimsOf(res).sub)?.platformAdmin)
      throw new DomainError('PERMISSION_DENIED', 'only platform admins may do this');
  };

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/admin/read-models/rebuild',
      tag,
      summary:
        "Drop the gateway's read models (accounts, tenants and quotas, sessions, API keys, files) and fold them again from the event log",
      userOnly: true,
      body: rebuildBody,
      responses: { 200: { description: 'rebuilt', schema: rebuildResponse } },
    },
    async ({ res, body }) => {
      requireAdmin(res);
      const service = administered(body.service ?? 'gateway');
      const rebuilt: Array<{ service: string; readModel: string; events: number }> = [];
      for (const model of readModels) rebuilt.push({ service, readModel: model.name, events: await model.rebuild() });
      res.json({ rebuilt });
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/admin/executions/:id/replay',
      tag,
      summary:
        "Re-fold an execution's events (of the caller's tenant) and compare the result with the state the execution service reports",
      userOnly: true,
      responses: { 200: { description: 'the replay and the comparison', schema: replayResponse } },
    },
    async ({ req, res }) => {
      requireAdmin(res);
      const executionId = param(req, 'id');
      const caller = callerOf(res);
      const [{ events }, { execution }] = await Promise.all([
        clients.execution.listExecutionEvents({ caller, executionId }),
        clients.execution.getExecution({ caller, executionId }),
      ]);
      const folded = foldExecution(events);
      const reported = { status: execution!.status, nodeExecutions: execution!.nodeExecutions };
      const diff = differences(folded, reported);
      res.json({
        executionId,
        events: folded.events,
        lastPosition: folded.lastPosition,
        replayed: { status: folded.status, nodes: folded.nodes },
        reported: {
          status: reported.status,
          nodes: reported.nodeExecutions
            .map((n) => ({ nodeExecId: n.id, nodeId: n.nodeId, status: n.status }))
            .sort((a, b) => a.nodeExecId.localeCompare(b.nodeExecId)),
        },
        matches: diff.length === 0,
        differences: diff,
      });
    },
  );

  const drainView = (service: string, ignore: number) => ({ service, ...drain.status(ignore) });
  const drainSpec = (method: 'get' | 'post' | 'delete', summary: string) =>
    ({
      method,
      path: '/v1/admin/services/:service/drain',
      tag,
      summary,
      userOnly: true,
      responses: { 200: { description: 'the drain state', schema: drainResponse } },
    }) as const;

  api.route(
    r,
    drainSpec(
      'post',
      'Drain a service: it takes no new work (execution starts answer 503, /readyz fails) and reports drained once what it runs has finished',
    ),
    async ({ req, res }) => {
      requireAdmin(res);
      const service = administered(param(req, 'service'));
      drain.start();
      res.json(drainView(service, 1));
    },
  );

  api.route(r, drainSpec('get', "A service's drain state"), async ({ req, res }) => {
    requireAdmin(res);
    res.json(drainView(administered(param(req, 'service')), 1));
  });

  api.route(r, drainSpec('delete', 'Stop draining: the service takes new work again'), async ({ req, res }) => {
    requireAdmin(res);
    const service = administered(param(req, 'service'));
    drain.resume();
    res.json(drainView(service, 1));
  });
}
