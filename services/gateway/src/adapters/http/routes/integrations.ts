import { Router, type Request } from 'express';
import { z } from 'zod';
import type { HttpAppOptions } from '../app';
import { ApiRegistry } from '../openapi';
import { callerOf, param } from './context';

const jsonObject = z.record(z.string(), z.unknown());
const name = z.string().regex(/^[a-z0-9_.-]{1,64}$/, 'lower-case letters, digits, _ . - (1–64)');

const credentialBody = z.object({
  provider: name,
  type: z.enum(['api_key', 'oauth2', 'user_password', 'host_scoped']),
  title: z.string().max(200).default(''),
  secret: jsonObject,
  scopes: z.array(z.string().max(200)).max(100).default([]),
});
const providerBody = z.object({
  name,
  displayName: z.string().max(200).default(''),
  authorizeUrl: z.url(),
  tokenUrl: z.url(),
  revokeUrl: z.url().or(z.literal('')).default(''),
  defaultScopes: z.array(z.string().max(200)).max(100).default([]),
  pkce: z.boolean().default(true),
  clientId: z.string().min(1).max(500),
  clientSecret: z.string().max(2000).default(''),
});
const oauthStartBody = z
  .object({
    scopes: z.array(z.string().max(200)).max(100).default([]),
    blockIds: z.array(z.string().max(200)).max(50).default([]),
    title: z.string().max(200).default(''),
  })
  .prefault({});
const triggerBody = z.object({
  graphId: z.string().min(1).max(200),
  graphVersion: z.number().int().min(0).default(0),
  kind: z.enum(['generic', 'github', 'slack']).default('generic'),
  events: z.array(z.string().min(1).max(100)).max(100).default([]),
  inputName: z.string().max(64).default('payload'),
  secret: z.string().max(500).default(''),
  inputs: jsonObject.default({}),
});
const scheduleBody = z.object({
  graphId: z.string().min(1).max(200),
  graphVersion: z.number().int().min(0).default(0),
  cron: z.string().min(1).max(200),
  timezone: z.string().max(100).default('UTC'),
  inputs: jsonObject.default({}),
  missedRunPolicy: z.enum(['skip', 'run_once']).default('skip'),
  name: z.string().max(200).default(''),
});
const previewQuery = z.object({
  cron: z.string().min(1).max(200),
  timezone: z.string().max(100).default('UTC'),
  count: z.coerce.number().int().min(1).max(50).default(5),
  from: z.iso.datetime().optional(),
});
const listQuery = z.object({ graphId: z.string().max(200).optional(), provider: z.string().max(64).optional() });
const notificationsQuery = z.object({
  unreadOnly: z.enum(['true', 'false']).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
const readBody = z
  .object({ ids: z.array(z.string().max(200)).max(1000).default([]), all: z.boolean().default(false) })
  .prefault({});
const preferencesBody = z.object({
  emailAddress: z.email().or(z.literal('')).default(''),
  dailyEmailCap: z.number().int().min(0).max(1000).default(0),
  types: z
    .record(
      z.string().max(64),
      z.object({
        inApp: z.boolean().default(true),
        email: z.enum(['off', 'immediate', 'batched', 'daily']).default('off'),
      }),
    )
    .default({}),
});

// Response shapes (proto messages as JSON): the fields clients rely on; services may add more.
const strings = z.array(z.string());
const credentialMeta = z.looseObject({
  id: z.string(),
  provider: z.string(),
  type: z.string(),
  title: z.string(),
  scopes: strings,
  createdAt: z.string(),
  status: z.string(),
});
const oauthProvider = z.looseObject({
  name: z.string(),
  displayName: z.string(),
  authorizeUrl: z.string(),
  tokenUrl: z.string(),
  defaultScopes: strings,
  pkce: z.boolean(),
  configured: z.boolean(),
  tenantOwned: z.boolean(),
});
const oauthStart = z.looseObject({ authorizationUrl: z.string(), state: z.string(), expiresAt: z.string() });
const webhookTrigger = z.looseObject({
  id: z.string(),
  graphId: z.string(),
  graphVersion: z.number().int(),
  kind: z.string(),
  events: strings,
  inputName: z.string(),
  createdAt: z.string(),
  path: z.string(),
  url: z.string(),
});
const schedule = z.looseObject({
  id: z.string(),
  graphId: z.string(),
  graphVersion: z.number().int(),
  cron: z.string(),
  timezone: z.string(),
  paused: z.boolean(),
  nextRuns: strings,
  createdAt: z.string(),
  missedRunPolicy: z.string(),
});
const scheduleFire = z.looseObject({
  tick: z.string(),
  firedAt: z.string(),
  executionId: z.string(),
  status: z.string(),
});
const notificationItem = z.looseObject({
  id: z.string(),
  type: z.string(),
  title: z.string(),
  body: z.string(),
  read: z.boolean(),
  createdAt: z.string(),
});
const unreadCount = z.object({ unreadCount: z.number().int() });
const channel = z.looseObject({ inApp: z.boolean(), email: z.string() });
const preferences = z.looseObject({
  emailAddress: z.string(),
  dailyEmailCap: z.number().int(),
  types: z.record(z.string(), channel),
});
const items = <T extends z.ZodType>(t: T) => z.object({ items: z.array(t) });

/** The public base URL the OAuth provider redirects back to (AGENTRY_PUBLIC_URL, else this request's own origin). */
export function publicBaseUrl(req: Request): string {
  return (process.env.AGENTRY_PUBLIC_URL || `${req.protocol}://${req.get('host')}`).replace(/\/+$/, '');
}

/** Credentials, OAuth connections, triggers, schedules and notifications (signed-in routes). */
export function integrationRoutes(options: HttpAppOptions): Router {
  const { integration, scheduler, notification, graph } = options.clients;
  const api = options.api ?? new ApiRegistry();
  /** A trigger or schedule may only start a graph of the caller's own tenant (another tenant's is NOT_FOUND). */
  const ownGraph = async (res: Parameters<typeof callerOf>[0], graphId: string, version: number) => {
    await graph.getGraph({ caller: callerOf(res), graphId, version });
  };
  const r = Router();

  // --- credentials (metadata only: a secret goes in, never comes out) ---
  let tag = 'credentials';
  api.route(
    r,
    {
      method: 'get',
      path: '/v1/credentials',
      tag,
      summary: "The tenant's credentials (metadata only; filter by `provider`)",
      scope: 'credentials:read',
      query: listQuery,
      responses: { 200: { description: 'credentials', schema: items(credentialMeta) } },
    },
    async ({ res, query }) => {
      res.json(await integration.listCredentials({ caller: callerOf(res), provider: query.provider ?? '' }));
    },
  );
  api.route(
    r,
    {
      method: 'post',
      path: '/v1/credentials',
      tag,
      summary: 'Store a credential; the secret is encrypted at rest and never returned',
      scope: 'credentials:write',
      body: credentialBody,
      responses: { 201: { description: 'created', schema: credentialMeta } },
    },
    async ({ res, body }) => {
      const { credential } = await integration.createCredential({ caller: callerOf(res), ...body });
      res.status(201).location(`/api/v1/credentials/${credential!.id}`).json(credential);
    },
  );
  api.route(
    r,
    {
      method: 'delete',
      path: '/v1/credentials/:id',
      tag,
      summary: 'Delete a credential',
      scope: 'credentials:write',
      responses: { 204: { description: 'deleted' } },
    },
    async ({ req, res }) => {
      await integration.deleteCredential({ caller: callerOf(res), credentialId: param(req, 'id') });
      res.status(204).end();
    },
  );
  api.route(
    r,
    {
      method: 'post',
      path: '/v1/credentials/:id/revoke',
      tag,
      summary: 'Revoke a credential (at the provider too, for OAuth2 ones that can be)',
      scope: 'credentials:write',
      responses: { 200: { description: 'revoked', schema: credentialMeta } },
    },
    async ({ req, res }) => {
      const { credential } = await integration.revokeCredential({
        caller: callerOf(res),
        credentialId: param(req, 'id'),
      });
      res.json(credential);
    },
  );

  // --- OAuth2 ---
  tag = 'oauth';
  api.route(
    r,
    {
      method: 'get',
      path: '/v1/oauth/providers',
      tag,
      summary: 'OAuth2 providers: built in, and those the tenant registered',
      responses: { 200: { description: 'providers', schema: items(oauthProvider) } },
    },
    async ({ res }) => {
      res.json(await integration.listOAuthProviders({ caller: callerOf(res) }));
    },
  );
  api.route(
    r,
    {
      method: 'post',
      path: '/v1/oauth/providers',
      tag,
      summary: 'Register an OAuth2 provider for the tenant (its client secret is encrypted at rest)',
      body: providerBody,
      responses: { 201: { description: 'registered', schema: oauthProvider } },
    },
    async ({ res, body }) => {
      const { provider } = await integration.registerOAuthProvider({ caller: callerOf(res), ...body });
      res.status(201).json(provider);
    },
  );
  api.route(
    r,
    {
      method: 'post',
      path: '/v1/oauth/:provider/start',
      tag,
      summary: 'Start connecting an OAuth2 account: the URL to send the browser to (PKCE, one-use state)',
      body: oauthStartBody,
      responses: { 200: { description: 'where to go', schema: oauthStart } },
    },
    async ({ req, res, body }) => {
      const out = await integration.startOAuth({
        caller: callerOf(res),
        provider: param(req, 'provider'),
        scopes: body.scopes,
        blockIds: body.blockIds,
        title: body.title,
        redirectUri: `${publicBaseUrl(req)}/api/v1/oauth/callback`,
      });
      res.json(out);
    },
  );

  // --- webhook triggers ---
  tag = 'webhooks';
  api.route(
    r,
    {
      method: 'get',
      path: '/v1/webhook-triggers',
      tag,
      summary: "The tenant's webhook triggers with their URLs (filter by `graphId`)",
      query: listQuery,
      responses: { 200: { description: 'triggers', schema: items(webhookTrigger) } },
    },
    async ({ req, res, query }) => {
      const out = await integration.listWebhookTriggers({ caller: callerOf(res), graphId: query.graphId ?? '' });
      res.json({ items: out.items.map((t) => ({ ...t, url: `${publicBaseUrl(req)}${t.path}` })) });
    },
  );
  api.route(
    r,
    {
      method: 'post',
      path: '/v1/webhook-triggers',
      tag,
      summary: 'Create a webhook trigger for a graph; its signing secret is in this response only',
      body: triggerBody,
      responses: { 201: { description: 'created', schema: webhookTrigger.extend({ secret: z.string() }) } },
    },
    async ({ req, res, body }) => {
      await ownGraph(res, body.graphId, body.graphVersion);
      const out = await integration.createWebhookTrigger({ caller: callerOf(res), ...body });
      const t = out.trigger!;
      // The secret is shown once, here.
      res
        .status(201)
        .location(`/api/v1/webhook-triggers/${t.id}`)
        .json({ ...t, url: `${publicBaseUrl(req)}${t.path}`, secret: out.secret });
    },
  );
  api.route(
    r,
    {
      method: 'delete',
      path: '/v1/webhook-triggers/:id',
      tag,
      summary: 'Delete a webhook trigger',
      responses: { 204: { description: 'deleted' } },
    },
    async ({ req, res }) => {
      await integration.deleteWebhookTrigger({ caller: callerOf(res), triggerId: param(req, 'id') });
      res.status(204).end();
    },
  );

  // --- schedules ---
  tag = 'schedules';
  api.route(
    r,
    {
      method: 'get',
      path: '/v1/schedules/preview',
      tag,
      summary: 'The next runs of a cron expression in a timezone',
      scope: 'schedules:read',
      query: previewQuery,
      responses: { 200: { description: 'run times (ISO)', schema: z.object({ runs: strings }) } },
    },
    async ({ res, query }) => {
      res.json(
        await scheduler.previewSchedule({
          cron: query.cron,
          timezone: query.timezone,
          count: query.count,
          from: query.from ?? '',
        }),
      );
    },
  );
  api.route(
    r,
    {
      method: 'get',
      path: '/v1/schedules',
      tag,
      summary: "The tenant's schedules (filter by `graphId`)",
      scope: 'schedules:read',
      query: listQuery,
      responses: { 200: { description: 'schedules', schema: items(schedule) } },
    },
    async ({ res, query }) => {
      res.json(await scheduler.listSchedules({ caller: callerOf(res), graphId: query.graphId ?? '' }));
    },
  );
  api.route(
    r,
    {
      method: 'post',
      path: '/v1/schedules',
      tag,
      summary: 'Schedule a graph (cron, timezone, inputs, missed-run policy)',
      scope: 'schedules:write',
      body: scheduleBody,
      responses: { 201: { description: 'created', schema: schedule } },
    },
    async ({ res, body }) => {
      await ownGraph(res, body.graphId, body.graphVersion);
      const { schedule: created } = await scheduler.createSchedule({ caller: callerOf(res), ...body });
      res.status(201).location(`/api/v1/schedules/${created!.id}`).json(created);
    },
  );
  api.route(
    r,
    {
      method: 'get',
      path: '/v1/schedules/:id',
      tag,
      summary: 'One schedule with its next runs',
      scope: 'schedules:read',
      responses: { 200: { description: 'the schedule', schema: schedule } },
    },
    async ({ req, res }) => {
      res.json((await scheduler.getSchedule({ caller: callerOf(res), scheduleId: param(req, 'id') })).schedule);
    },
  );
  api.route(
    r,
    {
      method: 'get',
      path: '/v1/schedules/:id/fires',
      tag,
      summary: 'What a schedule fired: each tick and the execution it started (or why not)',
      scope: 'schedules:read',
      responses: { 200: { description: 'fires', schema: items(scheduleFire) } },
    },
    async ({ req, res }) => {
      res.json(await scheduler.listScheduleFires({ caller: callerOf(res), scheduleId: param(req, 'id') }));
    },
  );
  api.route(
    r,
    {
      method: 'post',
      path: '/v1/schedules/:id/pause',
      tag,
      summary: 'Pause a schedule',
      scope: 'schedules:write',
      responses: { 200: { description: 'the schedule', schema: schedule } },
    },
    async ({ req, res }) => {
      res.json((await scheduler.pauseSchedule({ caller: callerOf(res), scheduleId: param(req, 'id') })).schedule);
    },
  );
  api.route(
    r,
    {
      method: 'post',
      path: '/v1/schedules/:id/resume',
      tag,
      summary: 'Resume a paused schedule',
      scope: 'schedules:write',
      responses: { 200: { description: 'the schedule', schema: schedule } },
    },
    async ({ req, res }) => {
      res.json((await scheduler.resumeSchedule({ caller: callerOf(res), scheduleId: param(req, 'id') })).schedule);
    },
  );
  api.route(
    r,
    {
      method: 'delete',
      path: '/v1/schedules/:id',
      tag,
      summary: 'Delete a schedule',
      scope: 'schedules:write',
      responses: { 204: { description: 'deleted' } },
    },
    async ({ req, res }) => {
      await scheduler.deleteSchedule({ caller: callerOf(res), scheduleId: param(req, 'id') });
      res.status(204).end();
    },
  );

  // --- notifications ---
  tag = 'notifications';
  api.route(
    r,
    {
      method: 'get',
      path: '/v1/notifications',
      tag,
      summary: 'My in-app notifications, newest first, with the unread count',
      scope: 'notifications:read',
      query: notificationsQuery,
      responses: {
        200: {
          description: 'a page',
          schema: z.object({
            items: z.array(notificationItem),
            unreadCount: z.number().int(),
            nextCursor: z.string().optional(),
          }),
        },
      },
    },
    async ({ res, query }) => {
      const out = await notification.listNotifications({
        caller: callerOf(res),
        unreadOnly: query.unreadOnly === 'true',
        page: { cursor: query.cursor ?? '', limit: query.limit ?? 0 },
      });
      res.json({ items: out.items, unreadCount: out.unreadCount, nextCursor: out.page?.nextCursor || undefined });
    },
  );
  api.route(
    r,
    {
      method: 'get',
      path: '/v1/notifications/unread-count',
      tag,
      summary: 'How many of my notifications are unread',
      scope: 'notifications:read',
      responses: { 200: { description: 'the count', schema: unreadCount } },
    },
    async ({ res }) => {
      res.json(await notification.getUnreadCount({ caller: callerOf(res) }));
    },
  );
  api.route(
    r,
    {
      method: 'post',
      path: '/v1/notifications/read',
      tag,
      summary: 'Mark notifications read (`ids`, or `all`)',
      scope: 'notifications:write',
      body: readBody,
      responses: { 200: { description: 'the unread count after', schema: unreadCount } },
    },
    async ({ res, body }) => {
      await notification.markRead({ caller: callerOf(res), notificationIds: body.ids, all: body.all });
      res.json(await notification.getUnreadCount({ caller: callerOf(res) }));
    },
  );
  api.route(
    r,
    {
      method: 'get',
      path: '/v1/notifications/preferences',
      tag,
      summary: 'My delivery preferences per notification type, and every type there is',
      scope: 'notifications:read',
      responses: {
        200: { description: 'preferences', schema: z.object({ preferences: preferences, types: strings }) },
      },
    },
    async ({ res }) => {
      res.json(await notification.getPreferences({ caller: callerOf(res) }));
    },
  );
  api.route(
    r,
    {
      method: 'put',
      path: '/v1/notifications/preferences',
      tag,
      summary: 'Set my delivery preferences (in-app, email off/immediate/batched/daily, daily cap)',
      scope: 'notifications:write',
      body: preferencesBody,
      responses: { 200: { description: 'preferences', schema: preferences } },
    },
    async ({ res, body }) => {
      const { preferences: saved } = await notification.setPreferences({ caller: callerOf(res), preferences: body });
      res.json(saved);
    },
  );
  return r;
}
