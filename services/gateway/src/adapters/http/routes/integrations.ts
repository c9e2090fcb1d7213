import { Router, type Request } from 'express';
import { z } from 'zod';
import type { HttpAppOptions } from '../app';
import { parse } from '../schemas';
import { callerOf, param, wrap } from './context';

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
const oauthStartBody = z.object({ scopes: z.array(z.string().max(200)).max(100).default([]), title: z.string().max(200).default('') });
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
const previewQuery = z.object({ cron: z.string().min(1).max(200), timezone: z.string().max(100).default('UTC'), count: z.coerce.number().int().min(1).max(50).default(5), from: z.iso.datetime().optional() });
const listQuery = z.object({ graphId: z.string().max(200).optional(), provider: z.string().max(64).optional() });
const notificationsQuery = z.object({ unreadOnly: z.enum(['true', 'false']).optional(), cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(200).optional() });
const readBody = z.object({ ids: z.array(z.string().max(200)).max(1000).default([]), all: z.boolean().default(false) });
const preferencesBody = z.object({
  emailAddress: z.email().or(z.literal('')).default(''),
  dailyEmailCap: z.number().int().min(0).max(1000).default(0),
  types: z.record(z.string().max(64), z.object({ inApp: z.boolean().default(true), email: z.enum(['off', 'immediate', 'batched', 'daily']).default('off') })).default({}),
});

/** The public base URL the OAuth provider redirects back to (AGENTRY_PUBLIC_URL, else this request's own origin). */
export function publicBaseUrl(req: Request): string {
  return (process.env.AGENTRY_PUBLIC_URL || `${req.protocol}://${req.get('host')}`).replace(/\/+$/, '');
}

/** Credentials, OAuth connections, triggers, schedules and notifications (signed-in routes). */
export function integrationRoutes(options: HttpAppOptions): Router {
  const { integration, scheduler, notification } = options.clients;
  const r = Router();

  // --- credentials (metadata only: a secret goes in, never comes out) ---
  r.get(
    '/v1/credentials',
    wrap(async (req, res) => {
      const q = parse(listQuery, req.query, 'query');
      res.json(await integration.listCredentials({ caller: callerOf(res), provider: q.provider ?? '' }));
    }),
  );
  r.post(
    '/v1/credentials',
    wrap(async (req, res) => {
      const body = parse(credentialBody, req.body);
      const { credential } = await integration.createCredential({ caller: callerOf(res), ...body });
      res.status(201).location(`/api/v1/credentials/${credential!.id}`).json(credential);
    }),
  );
  r.delete(
    '/v1/credentials/:id',
    wrap(async (req, res) => {
      await integration.deleteCredential({ caller: callerOf(res), credentialId: param(req, 'id') });
      res.status(204).end();
    }),
  );
  r.post(
    '/v1/credentials/:id/revoke',
    wrap(async (req, res) => {
      const { credential } = await integration.revokeCredential({ caller: callerOf(res), credentialId: param(req, 'id') });
      res.json(credential);
    }),
  );

  // --- OAuth2 ---
  r.get(
    '/v1/oauth/providers',
    wrap(async (_req, res) => {
      res.json(await integration.listOAuthProviders({ caller: callerOf(res) }));
    }),
  );
  r.post(
    '/v1/oauth/providers',
    wrap(async (req, res) => {
      const body = parse(providerBody, req.body);
      const { provider } = await integration.registerOAuthProvider({ caller: callerOf(res), ...body });
      res.status(201).json(provider);
    }),
  );
  r.post(
    '/v1/oauth/:provider/start',
    wrap(async (req, res) => {
      const body = parse(oauthStartBody, req.body ?? {});
      const out = await integration.startOAuth({ caller: callerOf(res), provider: param(req, 'provider'), scopes: body.scopes, title: body.title, redirectUri: `${publicBaseUrl(req)}/api/v1/oauth/callback` });
      res.json(out);
    }),
  );

  // --- webhook triggers ---
  r.get(
    '/v1/webhook-triggers',
    wrap(async (req, res) => {
      const q = parse(listQuery, req.query, 'query');
      const out = await integration.listWebhookTriggers({ caller: callerOf(res), graphId: q.graphId ?? '' });
      res.json({ items: out.items.map((t) => ({ ...t, url: `${publicBaseUrl(req)}${t.path}` })) });
    }),
  );
  r.post(
    '/v1/webhook-triggers',
    wrap(async (req, res) => {
      const body = parse(triggerBody, req.body);
      const out = await integration.createWebhookTrigger({ caller: callerOf(res), ...body });
      const t = out.trigger!;
      // The secret is shown once, here.
      res.status(201).location(`/api/v1/webhook-triggers/${t.id}`).json({ ...t, url: `${publicBaseUrl(req)}${t.path}`, secret: out.secret });
    }),
  );
  r.delete(
    '/v1/webhook-triggers/:id',
    wrap(async (req, res) => {
      await integration.deleteWebhookTrigger({ caller: callerOf(res), triggerId: param(req, 'id') });
      res.status(204).end();
    }),
  );

  // --- schedules ---
  r.get(
    '/v1/schedules/preview',
    wrap(async (req, res) => {
      const q = parse(previewQuery, req.query, 'query');
      res.json(await scheduler.previewSchedule({ cron: q.cron, timezone: q.timezone, count: q.count, from: q.from ?? '' }));
    }),
  );
  r.get(
    '/v1/schedules',
    wrap(async (req, res) => {
      const q = parse(listQuery, req.query, 'query');
      res.json(await scheduler.listSchedules({ caller: callerOf(res), graphId: q.graphId ?? '' }));
    }),
  );
  r.post(
    '/v1/schedules',
    wrap(async (req, res) => {
      const body = parse(scheduleBody, req.body);
      const { schedule } = await scheduler.createSchedule({ caller: callerOf(res), ...body });
      res.status(201).location(`/api/v1/schedules/${schedule!.id}`).json(schedule);
    }),
  );
  r.get(
    '/v1/schedules/:id',
    wrap(async (req, res) => {
      res.json((await scheduler.getSchedule({ caller: callerOf(res), scheduleId: param(req, 'id') })).schedule);
    }),
  );
  r.get(
    '/v1/schedules/:id/fires',
    wrap(async (req, res) => {
      res.json(await scheduler.listScheduleFires({ caller: callerOf(res), scheduleId: param(req, 'id') }));
    }),
  );
  r.post(
    '/v1/schedules/:id/pause',
    wrap(async (req, res) => {
      res.json((await scheduler.pauseSchedule({ caller: callerOf(res), scheduleId: param(req, 'id') })).schedule);
    }),
  );
  r.post(
    '/v1/schedules/:id/resume',
    wrap(async (req, res) => {
      res.json((await scheduler.resumeSchedule({ caller: callerOf(res), scheduleId: param(req, 'id') })).schedule);
    }),
  );
  r.delete(
    '/v1/schedules/:id',
    wrap(async (req, res) => {
      await scheduler.deleteSchedule({ caller: callerOf(res), scheduleId: param(req, 'id') });
      res.status(204).end();
    }),
  );

  // --- notifications ---
  r.get(
    '/v1/notifications',
    wrap(async (req, res) => {
      const q = parse(notificationsQuery, req.query, 'query');
      const out = await notification.listNotifications({ caller: callerOf(res), unreadOnly: q.unreadOnly === 'true', page: { cursor: q.cursor ?? '', limit: q.limit ?? 0 } });
      res.json({ items: out.items, unreadCount: out.unreadCount, nextCursor: out.page?.nextCursor || undefined });
    }),
  );
  r.get(
    '/v1/notifications/unread-count',
    wrap(async (_req, res) => {
      res.json(await notification.getUnreadCount({ caller: callerOf(res) }));
    }),
  );
  r.post(
    '/v1/notifications/read',
    wrap(async (req, res) => {
      const body = parse(readBody, req.body);
      await notification.markRead({ caller: callerOf(res), notificationIds: body.ids, all: body.all });
      res.json(await notification.getUnreadCount({ caller: callerOf(res) }));
    }),
  );
  r.get(
    '/v1/notifications/preferences',
    wrap(async (_req, res) => {
      res.json(await notification.getPreferences({ caller: callerOf(res) }));
    }),
  );
  r.put(
    '/v1/notifications/preferences',
    wrap(async (req, res) => {
      const body = parse(preferencesBody, req.body);
      const { preferences } = await notification.setPreferences({ caller: callerOf(res), preferences: body });
      res.json(preferences);
    }),
  );
  return r;
}
