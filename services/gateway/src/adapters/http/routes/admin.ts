import type { Response, Router } from 'express';
import { z } from 'zod';
import { PLATFORM_ADMIN_ROLE } from '@agentry/grpc';
import { DomainError } from '@agentry/kernel';
import type { adminV1, commonV1 } from '@agentry/proto-ts';
import { ADMINISTERED_SERVICES, type AdministeredService } from '../../../app/clients';
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
 * Services whose read models and drain this gateway reaches: itself directly, every other service through that
 * service's AdminService (agentry.admin.v1, platform admins only; the gateway passes the platform-admin role).
 */
const ADMINISTERED = ['gateway', ...ADMINISTERED_SERVICES] as const;
const serviceName = z.string().regex(/^[a-z][a-z-]{0,39}$/, 'a service name such as gateway');

const rebuildBody = z.object({
  service: serviceName.optional().describe(`one of ${ADMINISTERED.join(', ')} (default: gateway)`),
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
    throw new DomainError('VALIDATION_FAILED', `unknown service '${service}': one of ${ADMINISTERED.join(', ')}`, {
      errors: { service: `one of ${ADMINISTERED.join(', ')}` },
    });
  return known;
}

const fromWire = (s: adminV1.DrainStatus | undefined, service: string) => ({
  service,
  draining: s?.draining ?? false,
  ...(s?.since ? { since: s.since } : {}),
  inFlight: s?.inFlight ?? 0,
  drained: s?.drained ?? false,
});

/** Platform administration: rebuild read models, replay an execution, drain. Platform admins only, with a user token. */
export function adminRoutes(r: Router, { api, accounts, clients, readModels = [], drain }: Options): void {
  const tag = 'admin';
  const requireAdmin = (res: Response) => {
    if (!accounts.getUser(claimsOf(res).sub)?.platformAdmin)
      throw new DomainError('PERMISSION_DENIED', 'only platform admins may do this');
  };
  /** The caller of a platform admin on another service's AdminService. */
  const adminCaller = (res: Response): commonV1.CallerContext => {
    const c = callerOf(res);
    return { ...c, roles: [...c.roles, PLATFORM_ADMIN_ROLE] };
  };
  const remote = (service: Exclude<(typeof ADMINISTERED)[number], 'gateway'>) => clients.admin[service as AdministeredService];

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/admin/read-models/rebuild',
      tag,
      summary:
        "Drop a service's in-memory read models and fold them again from the event log (gateway: accounts, tenants and quotas, sessions, API keys, files; graph: graphs; execution: executions; store: catalogue; scheduler: schedules; block-runner, integration and notification keep none)",
      userOnly: true,
      body: rebuildBody,
      responses: { 200: { description: 'rebuilt', schema: rebuildResponse } },
    },
    async ({ res, body }) => {
      requireAdmin(res);
      const service = administered(body.service ?? 'gateway');
      const rebuilt: Array<{ service: string; readModel: string; events: number }> = [];
      if (service === 'gateway') {
        for (const model of readModels) rebuilt.push({ service, readModel: model.name, events: await model.rebuild() });
      } else {
        const out = await remote(service).rebuildReadModels({ caller: adminCaller(res) }, { deadlineMs: 120_000 });
        for (const m of out.rebuilt) rebuilt.push({ service, readModel: m.readModel, events: m.events });
      }
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
      'Drain a service: it takes no new work and reports drained once what it runs has finished (gateway: execution starts answer 503 and /readyz fails; execution: new executions and forks answer 503; block-runner: leases no new tasks; scheduler: claims no ticks; integration: webhook deliveries answer 503; notification: sends no email; graph and store: report only)',
    ),
    async ({ req, res }) => {
      requireAdmin(res);
      const service = administered(param(req, 'service'));
      if (service !== 'gateway') return void res.json(fromWire((await remote(service).drain({ caller: adminCaller(res) })).status, service));
      drain.start();
      res.json(drainView(service, 1));
    },
  );

  api.route(r, drainSpec('get', "A service's drain state"), async ({ req, res }) => {
    requireAdmin(res);
    const service = administered(param(req, 'service'));
    if (service !== 'gateway') return void res.json(fromWire((await remote(service).getStatus({ caller: adminCaller(res) })).status, service));
    res.json(drainView(service, 1));
  });

  api.route(r, drainSpec('delete', 'Stop draining: the service takes new work again'), async ({ req, res }) => {
    requireAdmin(res);
    const service = administered(param(req, 'service'));
    if (service !== 'gateway') return void res.json(fromWire((await remote(service).resume({ caller: adminCaller(res) })).status, service));
    drain.resume();
    res.json(drainView(service, 1));
  });
}
