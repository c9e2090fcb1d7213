import type { Response, Router } from 'express';
import { z } from 'zod';
import { DomainError } from '@agentry/kernel';
import type { commonV1 } from '@agentry/proto-ts';
import type { ServiceClients } from '../../../app/clients';
import type { HttpAppOptions } from '../app';
import { claimsOf, param } from './context';

type Options = HttpAppOptions & Required<Pick<HttpAppOptions, 'api'>>;

const limit = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const change = limit.nullable().optional();
/** Unknown names are refused (a typo must not pass as "nothing to change"). */
export const quotasBody = z
  .strictObject({
    executionsPerDay: change.describe('Executions started per UTC day; null: unlimited'),
    concurrentExecutions: change.describe('Executions queued, running or waiting for review at once; null: unlimited'),
    storageBytes: change.describe('Bytes of uploaded files (POST /files); null: unlimited'),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'name at least one quota' });

export const quotasResponse = z
  .object({
    executionsPerDay: limit.optional(),
    concurrentExecutions: limit.optional(),
    storageBytes: limit.optional(),
  })
  .describe('An absent quota is unlimited');
const quotaView = z.object({ tenantId: z.string(), quotas: quotasResponse });
const usageResponse = z.object({
  tenantId: z.string(),
  /** The UTC day executionsToday counts. */
  day: z.string(),
  quotas: quotasResponse,
  usage: z.object({
    executionsToday: z.number().int(),
    concurrentExecutions: z.number().int(),
    storageBytes: z.number().int(),
  }),
});

/** Executions not finished yet: what concurrentExecutions counts. */
const ACTIVE = ['QUEUED', 'RUNNING', 'REVIEW'] as const;

/** Counts a tenant's executions through the execution service's list API, page by page. */
async function countExecutions(
  clients: ServiceClients,
  caller: commonV1.CallerContext,
  filter: { status?: string; from?: string },
): Promise<number> {
  let cursor = '';
  let count = 0;
  for (;;) {
    const out = await clients.execution.listExecutions({
      caller,
      page: { cursor, limit: 500 },
      graphId: '',
      status: filter.status ?? '',
      trigger: '',
      from: filter.from ?? '',
      to: '',
    });
    count += out.items.length;
    cursor = out.page?.nextCursor ?? '';
    if (!cursor) return count;
  }
}

/** GET/PATCH /tenants/{id}/quotas and GET /tenants/{id}/usage: members read them, owners and platform admins set them. */
export function quotaRoutes(r: Router, { api, accounts, clients, files }: Options): void {
  const tag = 'tenants';
  /** The caller, and the tenant of the path (an API key reaches its own tenant only). */
  const who = (req: Parameters<typeof param>[0], res: Response) => {
    const c = claimsOf(res);
    const tenantId = param(req, 'id');
    if (c.scopes && tenantId !== c.tenant) throw new DomainError('NOT_FOUND', `tenant ${tenantId} not found`);
    return {
      tenantId,
      userId: c.sub,
      platformAdmin: !c.scopes && !c.external && !!accounts.getUser(c.sub)?.platformAdmin,
    };
  };

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/tenants/:id/quotas',
      tag,
      summary: "A tenant's quotas (members and platform admins)",
      scope: 'tenant:read',
      responses: { 200: { description: 'the quotas', schema: quotaView } },
    },
    async ({ req, res }) => {
      const w = who(req, res);
      res.json({ tenantId: w.tenantId, quotas: accounts.quotas(w, w.tenantId) });
    },
  );

  api.route(
    r,
    {
      method: 'patch',
      path: '/v1/tenants/:id/quotas',
      tag,
      summary:
        'Change quotas (owners of the tenant and platform admins): a number sets a limit, null removes it; other names are kept',
      scope: 'tenant:admin',
      body: quotasBody,
      responses: { 200: { description: 'the quotas after the change', schema: quotaView } },
    },
    async ({ req, res, body }) => {
      const w = who(req, res);
      res.json({ tenantId: w.tenantId, quotas: await accounts.setQuotas(w, w.tenantId, body) });
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/tenants/:id/usage',
      tag,
      summary:
        "A tenant's usage against its quotas: executions started today (UTC), executions not finished, stored bytes",
      scope: 'tenant:read',
      responses: { 200: { description: 'usage', schema: usageResponse } },
    },
    async ({ req, res }) => {
      const w = who(req, res);
      const quotas = accounts.quotas(w, w.tenantId);
      // Checked above: the caller may see this tenant; the execution service is asked as that tenant.
      const caller = { tenantId: w.tenantId, userId: w.userId, roles: ['viewer'] };
      const day = new Date().toISOString().slice(0, 10);
      const [executionsToday, ...active] = await Promise.all([
        countExecutions(clients, caller, { from: `${day}T00:00:00.000Z` }),
        ...ACTIVE.map((status) => countExecutions(clients, caller, { status })),
      ]);
      res.json({
        tenantId: w.tenantId,
        day,
        quotas,
        usage: {
          executionsToday,
          concurrentExecutions: active.reduce((a, b) => a + b, 0),
          storageBytes: files?.usedBytes(w.tenantId) ?? 0,
        },
      });
    },
  );
}
