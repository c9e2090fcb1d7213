import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EventStore } from '@agentry/event-log';
import { categoryOf, DomainError, notFound, streamIdOf, type Clock, type EventEnvelope } from '@agentry/kernel';
import type { ReadStore } from '@agentry/read-store';
import { catchUpCategories, replayCategories } from '@agentry/runtime';
import type { SecretBox, Sealed } from '../domain/crypto';
import { InMemoryWebhookList, ReadStoreWebhookList, type WebhookList, type WebhookTriggerMeta } from './webhook-list';

export const WEBHOOK_KINDS = ['generic', 'github', 'slack'] as const;
export type WebhookKind = (typeof WEBHOOK_KINDS)[number];

export interface WebhookTrigger {
  id: string;
  tenantId: string;
  userId: string;
  graphId: string;
  graphVersion: number;
  kind: WebhookKind;
  events: string[];
  inputName: string;
  inputs: Record<string, unknown>;
  createdAt: string;
  sealedSecret: Sealed;
  deleted: boolean;
  streamVersion: number;
}

export type TriggerEvent =
  | { type: 'WebhookTriggerCreated'; data: Omit<WebhookTrigger, 'deleted' | 'streamVersion'> }
  | { type: 'WebhookTriggerDeleted'; data: { id: string; deletedAt: string } }
  | { type: 'WebhookSecretResealed'; data: { id: string; sealedSecret: Sealed } };

type DeliveryEvent =
  | { type: 'WebhookDeliveryAccepted'; data: { triggerId: string; deliveryId: string; event: string; receivedAt: string } }
  | { type: 'WebhookExecutionStarted'; data: { triggerId: string; deliveryId: string; executionId: string } };

export type ReceiveOutcome =
  | { outcome: 'accepted'; deliveryId: string; event: string; trigger: WebhookTrigger; inputs: Record<string, unknown> }
  | { outcome: 'duplicate'; deliveryId: string; event: string; trigger: WebhookTrigger; executionId: string }
  | { outcome: 'ignored'; deliveryId: string; event: string; trigger: WebhookTrigger; reply?: string };

/** `sha256=<hex>` of HMAC-SHA256(secret, body): GitHub's X-Hub-Signature-256 format (also ours for generic hooks). */
export const hubSignature = (secret: string, body: Buffer | string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Slack signs `v0:<timestamp>:<body>` and sends the timestamp; older than five minutes is a replay. */
const SLACK_MAX_SKEW_S = 300;

/**
 * Webhook triggers and their ingress: signature check, event filter, dedupe by delivery id (the accept is an
 * append with expected version 0 to the delivery's own stream, so a replay — on any replica — starts nothing new).
 */
export class Webhooks {
  private readonly byId = new Map<string, WebhookTrigger>();
  /** The trigger list: over `byId` by default, in libs/read-store (metadata only) when given one. */
  private readonly listModel: WebhookList;
  /** Where `catchUp` reads on from (own appends do not move it: another replica's may come before them). */
  private position = 0;

  constructor(
    private readonly deps: {
      events: EventStore;
      box: SecretBox;
      clock: Clock;
      newId: () => string;
      /** List triggers from this read store (SQLite or MongoDB); it stays open on close. */
      readModels?: ReadStore;
      /** How often the read-store list picks up other replicas' writes (default 1000 ms; 0: never). */
      followMs?: number;
      /** A read-store write that failed (the next catch-up repairs it). */
      onError?: (err: unknown) => void;
    },
  ) {
    this.listModel = deps.readModels
      ? new ReadStoreWebhookList(deps.events, deps.readModels, { followMs: deps.followMs, onError: deps.onError })
      : new InMemoryWebhookList(() => this.byId.values());
  }

  async start(): Promise<void> {
    this.position = await this.deps.events.headPosition();
    await replayCategories(this.deps.events, ['webhook'], (e) => this.apply(e));
    await this.listModel.start();
  }

  /** Stops following the log; waits for list writes in flight. */
  async close(): Promise<void> {
    await this.listModel.close();
  }

  /** Folds what other replicas appended since (in memory and the list). */
  async catchUp(): Promise<void> {
    this.position = await catchUpCategories(this.deps.events, ['webhook'], this.position, (page) => this.fold(page));
    await this.listModel.catchUp();
  }

  /** Folds events (any category; log order) into the list and into memory; folding them again changes nothing. */
  async fold(events: EventEnvelope[]): Promise<void> {
    await this.listModel.apply(events);
    for (const e of events) if (categoryOf(e.streamId) === 'webhook') this.apply(e);
  }

  async create(
    caller: { tenantId: string; userId: string },
    input: { graphId: string; graphVersion: number; kind: string; events: string[]; inputName: string; secret: string; inputs: Record<string, unknown> },
  ): Promise<{ trigger: WebhookTrigger; secret: string }> {
    const errors: Record<string, string> = {};
    const kind = (input.kind || 'generic') as WebhookKind;
    if (!WEBHOOK_KINDS.includes(kind)) errors.kind = `one of ${WEBHOOK_KINDS.join(', ')}`;
    if (!input.graphId) errors.graphId = 'required';
    if (input.secret && input.secret.length < 16) errors.secret = 'at least 16 characters (or leave empty to generate one)';
    const inputName = input.inputName || 'payload';
    if (!/^[A-Za-z_][\w-]{0,63}$/.test(inputName)) errors.inputName = 'a graph input name';
    if (input.events.some((e) => !e || e.length > 100)) errors.events = 'event names of 1–100 characters';
    if (Object.keys(errors).length) throw new DomainError('VALIDATION_FAILED', 'the webhook trigger is not valid', { errors });
    const id = this.deps.newId();
    const secret = input.secret || `whsec_${randomBytes(24).toString('base64url')}`;
    const data: Omit<WebhookTrigger, 'deleted' | 'streamVersion'> = {
      id,
      tenantId: caller.tenantId,
      userId: caller.userId,
      graphId: input.graphId,
      graphVersion: input.graphVersion,
      kind,
      events: input.events,
      inputName,
      inputs: input.inputs,
      createdAt: this.deps.clock.now().toISOString(),
      sealedSecret: this.deps.box.seal(secret, `webhook/${caller.tenantId}/${id}`),
    };
    await this.append(caller.tenantId, id, 0, [{ type: 'WebhookTriggerCreated', data }]);
    return { trigger: this.byId.get(id)!, secret };
  }

  /** The tenant's triggers (of one graph), oldest first, without their secrets. */
  list(tenantId: string, graphId?: string): Promise<WebhookTriggerMeta[]> {
    return this.listModel.list(tenantId, graphId);
  }

  get(tenantId: string, id: string): WebhookTrigger {
    const t = this.byId.get(id);
    if (!t || t.tenantId !== tenantId || t.deleted) throw notFound('webhook trigger', id);
    return t;
  }

  async delete(tenantId: string, id: string): Promise<void> {
    const t = this.get(tenantId, id);
    await this.append(tenantId, id, t.streamVersion, [{ type: 'WebhookTriggerDeleted', data: { id, deletedAt: this.deps.clock.now().toISOString() } }]);
  }

  /** Verifies, filters and dedupes one delivery. Throws UNAUTHENTICATED on a bad signature. */
  async receive(triggerId: string, headers: Record<string, string>, body: Buffer): Promise<ReceiveOutcome> {
    let t = this.byId.get(triggerId);
    if (!t) {
      for (const e of await this.deps.events.readStream(streamIdOf('webhook', triggerId))) this.apply(e); // created on another replica
      t = this.byId.get(triggerId);
    }
    if (!t || t.deleted) throw notFound('webhook trigger', triggerId);
    const secret = String(this.deps.box.open(t.sealedSecret, `webhook/${t.tenantId}/${t.id}`));
    const h = (name: string) => headers[name] ?? '';
    const payload = parseBody(body, h('content-type'));
    let event = '';
    let deliveryId = '';
    switch (t.kind) {
      case 'github':
        if (!safeEqual(h('x-hub-signature-256'), hubSignature(secret, body))) throw badSignature();
        event = h('x-github-event');
        deliveryId = h('x-github-delivery');
        if (event === 'ping') return { outcome: 'ignored', deliveryId, event, trigger: t };
        break;
      case 'slack': {
        const ts = h('x-slack-request-timestamp');
        const expected = `v0=${createHmac('sha256', secret).update(`v0:${ts}:`).update(body).digest('hex')}`;
        if (!ts || !safeEqual(h('x-slack-signature'), expected)) throw badSignature();
        if (Math.abs(this.deps.clock.now().getTime() / 1000 - Number(ts)) > SLACK_MAX_SKEW_S) throw badSignature('the request timestamp is too old');
        const p = (payload ?? {}) as { type?: unknown; challenge?: unknown; event_id?: unknown; event?: { type?: unknown } };
        if (p.type === 'url_verification') return { outcome: 'ignored', deliveryId: '', event: 'url_verification', trigger: t, reply: String(p.challenge ?? '') };
        event = typeof p.event?.type === 'string' ? p.event.type : String(p.type ?? '');
        deliveryId = typeof p.event_id === 'string' ? p.event_id : '';
        break;
      }
      case 'generic': {
        const sig = h('x-agentry-signature-256') || h('x-hub-signature-256');
        if (!safeEqual(sig, hubSignature(secret, body))) throw badSignature();
        const p = (payload ?? {}) as { event?: unknown; type?: unknown };
        event = h('x-agentry-event') || (typeof p.event === 'string' ? p.event : typeof p.type === 'string' ? p.type : '');
        deliveryId = h('x-agentry-delivery') || h('x-delivery-id') || h('idempotency-key');
        break;
      }
      default: {
        const never: never = t.kind;
        throw new Error(`unhandled webhook kind ${String(never)}`);
      }
    }
    // Without a delivery id the signed body itself identifies the delivery: an identical replay is dropped.
    if (!deliveryId) deliveryId = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    if (deliveryId.length > 200) throw new DomainError('VALIDATION_FAILED', 'delivery id too long', { errors: { deliveryId: 'at most 200 characters' } });
    if (t.events.length && !t.events.includes(event)) return { outcome: 'ignored', deliveryId, event, trigger: t };
    const stream = deliveryStream(t.id, deliveryId);
    try {
      await this.deps.events.append(stream, [{ type: 'WebhookDeliveryAccepted', data: { triggerId: t.id, deliveryId, event, receivedAt: this.deps.clock.now().toISOString() } } satisfies DeliveryEvent], {
        expectedVersion: 0,
        tenantId: t.tenantId,
      });
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== 'VERSION_CONFLICT') throw err;
      const seen = await this.deps.events.readStream(stream);
      const started = seen.find((e) => e.type === 'WebhookExecutionStarted')?.data as { executionId?: string } | undefined;
      return { outcome: 'duplicate', deliveryId, event, trigger: t, executionId: started?.executionId ?? '' };
    }
    return { outcome: 'accepted', deliveryId, event, trigger: t, inputs: { ...t.inputs, [t.inputName]: payload } };
  }

  /** Records the execution a delivery started (the event links delivery and execution). */
  async link(triggerId: string, deliveryId: string, executionId: string): Promise<void> {
    const t = this.byId.get(triggerId);
    if (!t) throw notFound('webhook trigger', triggerId);
    await this.deps.events.append(deliveryStream(triggerId, deliveryId), [{ type: 'WebhookExecutionStarted', data: { triggerId, deliveryId, executionId } } satisfies DeliveryEvent], {
      expectedVersion: 1,
      tenantId: t.tenantId,
    });
  }

  async resealAll(): Promise<number> {
    let count = 0;
    for (const t of this.byId.values()) {
      if (t.sealedSecret.kid === this.deps.box.kid) continue;
      const sealedSecret = this.deps.box.reseal(t.sealedSecret, `webhook/${t.tenantId}/${t.id}`);
      await this.append(t.tenantId, t.id, t.streamVersion, [{ type: 'WebhookSecretResealed', data: { id: t.id, sealedSecret } }]);
      count++;
    }
    return count;
  }

  private async append(tenantId: string, id: string, expectedVersion: number, events: TriggerEvent[]): Promise<void> {
    const result = await this.deps.events.append(streamIdOf('webhook', id), events, { expectedVersion, tenantId });
    await this.fold(result.events);
  }

  private apply(envelope: EventEnvelope): void {
    const event = { type: envelope.type, data: envelope.data } as TriggerEvent;
    const current = this.byId.get(envelope.streamId.slice('webhook-'.length));
    if (current && envelope.streamVersion <= current.streamVersion) return;
    const v = { streamVersion: envelope.streamVersion };
    switch (event.type) {
      case 'WebhookTriggerCreated':
        this.byId.set(event.data.id, { ...event.data, deleted: false, ...v });
        return;
      case 'WebhookTriggerDeleted':
        if (current) Object.assign(current, { deleted: true }, v);
        return;
      case 'WebhookSecretResealed':
        if (current) Object.assign(current, { sealedSecret: event.data.sealedSecret }, v);
        return;
      default:
        if (current) current.streamVersion = envelope.streamVersion;
    }
  }
}

const deliveryStream = (triggerId: string, deliveryId: string) => streamIdOf('webhookdelivery', `${triggerId}.${createHash('sha256').update(deliveryId).digest('base64url').slice(0, 32)}`);

const badSignature = (why = 'the signature does not match') => new DomainError('UNAUTHENTICATED', `webhook signature check failed: ${why}`);

function parseBody(body: Buffer, contentType: string): unknown {
  const text = body.toString('utf8');
  if (/json/i.test(contentType) || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  if (/x-www-form-urlencoded/i.test(contentType)) {
    const form = Object.fromEntries(new URLSearchParams(text));
    // Slack interactivity and GitHub's form mode put JSON in a `payload` field.
    if (typeof form.payload === 'string') {
      try {
        return JSON.parse(form.payload);
      } catch {
        return form;
      }
    }
    return form;
  }
  return text;
}
