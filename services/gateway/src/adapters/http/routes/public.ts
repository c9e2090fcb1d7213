import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { HttpAppOptions } from '../app';
import { ApiRegistry } from '../openapi';
import { parse } from '../schemas';
import { param } from './context';
import { storePublicRoutes } from './store-public';

/** Headers never forwarded to the integration service with a webhook delivery. */
const DROPPED_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/**
 * The exact bytes the sender signed. Bodies of non-JSON types are read raw here; JSON bodies were already parsed by
 * the API's JSON parser, which keeps the raw bytes in `rawBody` when configured to (see docs/integrations.md); without
 * it the compact re-serialisation is used, which matches senders that sign compact JSON.
 */
function rawBodyOf(req: Request): Buffer {
  const raw = (req as Request & { rawBody?: unknown }).rawBody;
  if (Buffer.isBuffer(raw)) return raw;
  if (Buffer.isBuffer(req.body)) return req.body;
  if (req.body === undefined) return Buffer.alloc(0);
  return Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body));
}

const callbackQuery = z.object({
  state: z.string().max(500).default(''),
  code: z.string().max(2000).default(''),
  error: z.string().max(200).default(''),
});
const unsubscribeQuery = z.object({ token: z.string().min(1).max(2000) });
const webhookOutcome = z.object({
  outcome: z.string(),
  deliveryId: z.string(),
  event: z.string().optional(),
  executionId: z.string().optional(),
});

const page = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Routes that need no sign-in (mounted before the bearer-token check): webhook ingress, OAuth callbacks,
 * public store pages. Each must do its own verification (signatures, state) where it acts.
 */
export function publicRoutes(options: HttpAppOptions): Router {
  const { integration, execution, notification } = options.clients;
  const api = options.api ?? new ApiRegistry();
  const r = Router();
  const tag = 'public';

  // Webhook bodies are taken as the sender's bytes, whatever their type (JSON bodies were parsed already; see rawBodyOf).
  const rawWebhook = express.raw({ type: () => true, limit: options.bodyLimit ?? '5mb' });
  r.use('/v1/webhooks', (req, res, next) => (req.method === 'POST' ? rawWebhook(req, res, next) : next()));
  api.route(
    r,
    {
      method: 'post',
      path: '/v1/webhooks/:triggerId',
      tag,
      auth: 'none',
      summary:
        'Webhook ingress: a delivery verified by its signature (GitHub, Slack, generic HMAC) starts one execution; a redelivery starts nothing new',
      rawBody: { contentType: '*/*', schema: {} },
      responses: {
        200: {
          description: 'a duplicate delivery (JSON), or the reply a sender expects (e.g. Slack url_verification, text)',
          schema: z.union([z.string(), webhookOutcome]),
          contentTypes: ['application/json', 'text/plain'],
        },
        202: {
          description: 'accepted (with the execution) or ignored (an event the trigger does not take)',
          schema: webhookOutcome,
        },
      },
    },
    async ({ req, res }) => {
      const triggerId = param(req, 'triggerId');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && !DROPPED_HEADERS.has(k)) headers[k] = v;
      const out = await integration.receiveWebhook({ triggerId, headers, body: rawBodyOf(req) });
      if (out.outcome === 'duplicate') {
        res
          .status(200)
          .json({ outcome: 'duplicate', deliveryId: out.deliveryId, executionId: out.executionId || undefined });
        return;
      }
      if (out.outcome !== 'accepted') {
        if (out.reply) res.status(200).type('text/plain').send(out.reply);
        else res.status(202).json({ outcome: out.outcome, deliveryId: out.deliveryId, event: out.event });
        return;
      }
      const { executionId } = await execution.requestExecution({
        caller: out.caller,
        graphId: out.graphId,
        graphVersion: out.graphVersion,
        inputs: out.inputs ?? {},
        trigger: 'webhook',
        parentExecutionId: '',
      });
      await integration.linkWebhookExecution({ triggerId, deliveryId: out.deliveryId, executionId });
      res.status(202).json({ outcome: 'accepted', deliveryId: out.deliveryId, event: out.event, executionId });
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/oauth/callback',
      tag,
      auth: 'none',
      summary:
        'Where the OAuth2 provider sends the browser back: the one-use state is checked and the credential stored (HTML page, or JSON when asked for)',
      query: callbackQuery,
      responses: {
        200: {
          description: 'connected',
          schema: z.union([
            z.string(),
            z.object({ connected: z.literal(true), credential: z.looseObject({ id: z.string() }) }),
          ]),
          contentTypes: ['application/json', 'text/html'],
        },
      },
    },
    async ({ req, res, query }) => {
      const { credential } = await integration.completeOAuth(query);
      if (req.accepts(['html', 'json']) === 'json') {
        res.json({ connected: true, credential });
        return;
      }
      res
        .type('html')
        .send(page('Connected', `${escapeHtml(credential!.title)} is connected. You can close this window.`));
    },
  );

  const unsubscribe = async ({ req, res }: { req: Request; res: Response }) => {
    const q = parse(
      unsubscribeQuery,
      { ...(typeof req.body === 'object' && req.body ? req.body : {}), ...req.query },
      'query',
    );
    const { type } = await notification.unsubscribe({ token: q.token });
    if (req.method === 'POST' || req.accepts(['html', 'json']) === 'json') {
      res.json({ unsubscribed: type });
      return;
    }
    res
      .type('html')
      .send(
        page(
          'Unsubscribed',
          type === 'all'
            ? 'You will get no more email notifications.'
            : `You will get no more emails about ${escapeHtml(type.replace(/_/g, ' '))}.`,
        ),
      );
  };
  const unsubscribed = z.union([z.string(), z.object({ unsubscribed: z.string() })]);
  // GET from the link in the email; POST for one-click unsubscribe (RFC 8058, List-Unsubscribe-Post).
  api.route(
    r,
    {
      method: 'get',
      path: '/v1/notifications/unsubscribe',
      tag,
      auth: 'none',
      summary: "An email's unsubscribe link (signed token): no more email of that type",
      query: unsubscribeQuery,
      responses: {
        200: { description: 'unsubscribed', schema: unsubscribed, contentTypes: ['application/json', 'text/html'] },
      },
    },
    unsubscribe,
  );
  const form = express.urlencoded({ extended: false, limit: '10kb' });
  r.use('/v1/notifications/unsubscribe', (req, res, next) => (req.method === 'POST' ? form(req, res, next) : next()));
  api.route(
    r,
    {
      method: 'post',
      path: '/v1/notifications/unsubscribe',
      tag,
      auth: 'none',
      summary: 'One-click unsubscribe (RFC 8058): the token in the query or the form body',
      rawBody: {
        contentType: 'application/x-www-form-urlencoded',
        schema: { type: 'object', properties: { token: { type: 'string' }, 'List-Unsubscribe': { type: 'string' } } },
      },
      responses: { 200: { description: 'unsubscribed', schema: z.object({ unsubscribed: z.string() }) } },
    },
    unsubscribe,
  );
  r.use(storePublicRoutes(options));
  return r;
}
