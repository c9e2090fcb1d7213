import type { EventStore } from '@agentry/event-log';
import type { EventEnvelope } from '@agentry/kernel';
import type { CollectionSpec, ProjectionSpec, ReadStore } from '@agentry/read-store';
import { FollowedList, type FollowedListOptions } from './followed-list';
import type { TriggerEvent, WebhookKind, WebhookTrigger } from './webhooks';

/** A webhook trigger as lists show it: everything but its (sealed) secret. */
export type WebhookTriggerMeta = Omit<WebhookTrigger, 'sealedSecret' | 'deleted' | 'streamVersion'>;

/**
 * The webhook-trigger list port: the triggers of one tenant, optionally of one graph, oldest first (createdAt, then
 * id). A read model of the `webhook` category, never the source of truth; deliveries are checked against the
 * service's own in-memory fold (it holds the sealed secrets). Adapters: `InMemoryWebhookList` (the default) and
 * `ReadStoreWebhookList` (libs/read-store: SQLite or MongoDB, AGENTRY_READ_STORE=mongo).
 */
export interface WebhookList {
  /** Folds the log up to its head, then keeps following it (other replicas' writes). */
  start(): Promise<void>;
  /** Folds the log from where this list left off to its head. */
  catchUp(): Promise<void>;
  /** Events just appended or read, any category (others are ignored); applying them again changes nothing. */
  apply(events: EventEnvelope[]): Promise<void>;
  list(tenantId: string, graphId?: string): Promise<WebhookTriggerMeta[]>;
  /** Stops following and waits for writes in flight (a store it was given stays open). */
  close(): Promise<void>;
}

export const webhookMeta = (t: WebhookTrigger): WebhookTriggerMeta => ({
  id: t.id,
  tenantId: t.tenantId,
  userId: t.userId,
  graphId: t.graphId,
  graphVersion: t.graphVersion,
  kind: t.kind,
  events: t.events,
  inputName: t.inputName,
  inputs: t.inputs,
  createdAt: t.createdAt,
});

const oldestFirst = (a: WebhookTriggerMeta, b: WebhookTriggerMeta) =>
  a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? -1 : 1) : a.id === b.id ? 0 : a.id < b.id ? -1 : 1;

/** Over the service's in-memory fold of every trigger (`Webhooks`), which it keeps up to date. */
export class InMemoryWebhookList implements WebhookList {
  constructor(private readonly all: () => Iterable<WebhookTrigger>) {}

  async start(): Promise<void> {}

  async catchUp(): Promise<void> {}

  async apply(): Promise<void> {}

  async list(tenantId: string, graphId?: string): Promise<WebhookTriggerMeta[]> {
    return [...this.all()]
      .filter((t) => t.tenantId === tenantId && !t.deleted && (!graphId || t.graphId === graphId))
      .map(webhookMeta)
      .sort(oldestFirst);
  }

  async close(): Promise<void> {}
}

/** A trigger's metadata as a read-store document: scalars only (lists and inputs as JSON), never its secret. */
export type WebhookDoc = {
  userId: string;
  graphId: string;
  graphVersion: number;
  kind: string;
  eventsJson: string;
  inputName: string;
  inputsJson: string;
  createdAt: string;
};

/** Both list queries (all of a tenant, or of one graph), oldest first; tenant first. */
export const WEBHOOK_LIST: CollectionSpec<WebhookDoc> = {
  name: 'integration_webhooks',
  indexes: [['createdAt'], ['graphId', 'createdAt']],
};

/** The fold of one trigger's metadata; a deleted trigger's document is removed (a reseal changes nothing listed). */
export function foldWebhook(current: WebhookDoc | undefined, e: EventEnvelope): WebhookDoc | null | undefined {
  const event = { type: e.type, data: e.data } as TriggerEvent;
  switch (event.type) {
    case 'WebhookTriggerCreated': {
      if (current) return undefined;
      const d = event.data;
      return {
        userId: d.userId,
        graphId: d.graphId,
        graphVersion: d.graphVersion,
        kind: d.kind,
        eventsJson: JSON.stringify(d.events ?? []),
        inputName: d.inputName,
        inputsJson: JSON.stringify(d.inputs ?? {}),
        createdAt: d.createdAt,
      };
    }
    case 'WebhookTriggerDeleted':
      return current ? null : undefined;
    default:
      return undefined;
  }
}

const SPEC: ProjectionSpec<WebhookDoc> = {
  name: 'integration-webhooks-v1',
  categories: ['webhook'],
  collection: WEBHOOK_LIST,
  fold: foldWebhook,
};

const toMeta = (tenantId: string, id: string, d: WebhookDoc): WebhookTriggerMeta => ({
  id,
  tenantId,
  userId: d.userId,
  graphId: d.graphId,
  graphVersion: d.graphVersion,
  kind: d.kind as WebhookKind,
  events: JSON.parse(d.eventsJson) as string[],
  inputName: d.inputName,
  inputs: JSON.parse(d.inputsJson) as Record<string, unknown>,
  createdAt: d.createdAt,
});

/**
 * The webhook-trigger list in libs/read-store (SQLite or MongoDB): one metadata document per trigger, keyed by
 * (tenant, trigger id) and written at the position of the event that last changed it (a replayed event is a
 * no-op). The service applies its own appends at once; the projection follows the log for other replicas' writes.
 */
export class ReadStoreWebhookList extends FollowedList<WebhookDoc> implements WebhookList {
  constructor(events: EventStore, store: ReadStore, options: FollowedListOptions = {}) {
    super(events, store, SPEC, options);
  }

  async list(tenantId: string, graphId?: string): Promise<WebhookTriggerMeta[]> {
    const docs = await this.projection.listAll(
      { tenantId, where: graphId ? { graphId } : {}, orderBy: { field: 'createdAt', direction: 'asc' } },
      Infinity,
    );
    return docs.map((d) => toMeta(tenantId, d.id, d.data));
  }
}
