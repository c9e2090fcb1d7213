import type { EventStore } from '@agentry/event-log';
import type { EventEnvelope } from '@agentry/kernel';
import type { CollectionSpec, ListQuery, ReadCollection, ReadDocument, ReadStore, StoredDocument } from './ports';

/** Checkpoints of every projection (one document per projection, under a system tenant). */
const CHECKPOINTS: CollectionSpec<{ position: number }> = { name: 'projection_checkpoints', indexes: [] };
const SYSTEM_TENANT = '_system';
const PAGE = 1000;

export interface ProjectionSpec<T extends ReadDocument> {
  /** Unique per projection: the key of its checkpoint. Change it when `fold` changes meaning (a fresh build). */
  name: string;
  /** Event categories it folds (e.g. ['graph']). */
  categories: string[];
  collection: CollectionSpec<T>;
  /**
   * Folds one event into the document of its aggregate: the new document, `null` to remove it, `undefined` when the
   * event does not change it. Pure; `current` is undefined for an aggregate not seen yet (or removed).
   */
  fold(current: T | undefined, event: EventEnvelope): T | null | undefined;
  /** Document id of an event (default: the stream id without its `<category>-` prefix). */
  idOf?(event: EventEnvelope): string;
}

/**
 * A read model in libs/read-store folded from the event log: one document per aggregate, written with the position
 * of the last event that changed it, so a redelivered, replayed or concurrently applied event is a no-op (the
 * store's guarded upsert). `catchUp` reads from the projection's checkpoint to the head; `apply` folds events the
 * service has just appended (a read after a write sees it); `follow` catches up periodically (other writers).
 * Works the same on SQLite and MongoDB; several replicas may run one projection against one shared store.
 */
export class ReadModelProjection<T extends ReadDocument> {
  private opened?: Promise<{ docs: ReadCollection<T>; checkpoints: ReadCollection<{ position: number }> }>;
  private catching?: Promise<number>;
  /** Writes per document are serialised (read, fold, guarded write). */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly events: EventStore,
    private readonly store: ReadStore,
    private readonly spec: ProjectionSpec<T>,
  ) {}

  /** The projection's collection, for list and get queries. */
  async collection(): Promise<ReadCollection<T>> {
    return (await this.open()).docs;
  }

  private open() {
    this.opened ??= (async () => ({
      docs: await this.store.collection<T>(this.spec.collection),
      checkpoints: await this.store.collection<{ position: number }>(CHECKPOINTS),
    }))();
    return this.opened;
  }

  /** Every document a list query matches, page by page (500 a page), at most `max` (for APIs without paging). */
  async listAll(query: Omit<ListQuery<T>, 'cursor' | 'limit'>, max = 10_000): Promise<Array<StoredDocument<T>>> {
    const docs = await this.collection();
    const out: Array<StoredDocument<T>> = [];
    let cursor: string | undefined;
    do {
      const page = await docs.list({ ...query, limit: Math.min(500, max - out.length), cursor });
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && out.length < max);
    return out;
  }

  /** Folds the log from the checkpoint to the head; concurrent calls share one pass. Answers the events folded. */
  catchUp(): Promise<number> {
    this.catching ??= this.readToHead().finally(() => (this.catching = undefined));
    return this.catching;
  }

  private async readToHead(): Promise<number> {
    const { checkpoints } = await this.open();
    let after = (await checkpoints.get(SYSTEM_TENANT, this.spec.name))?.data.position ?? 0;
    let count = 0;
    for (;;) {
      const page = await this.events.readAll({ after, limit: PAGE, categories: this.spec.categories });
      if (page.length === 0) break;
      await this.apply(page);
      count += page.length;
      after = page[page.length - 1].globalPosition;
      await checkpoints.upsert(SYSTEM_TENANT, this.spec.name, { position: after }, after);
      if (page.length < PAGE) break;
    }
    return count;
  }

  /**
   * Folds the whole log again through the guarded writes (documents missing from the store come back, current ones
   * stay as they are; the store is not emptied), then catches up. Answers the events folded.
   */
  async rebuild(): Promise<number> {
    let count = 0;
    for (let after = 0; ;) {
      const page = await this.events.readAll({ after, limit: PAGE, categories: this.spec.categories });
      if (page.length === 0) break;
      await this.apply(page);
      count += page.length;
      after = page[page.length - 1].globalPosition;
      if (page.length < PAGE) break;
    }
    await this.catchUp();
    return count;
  }

  /** Folds events (any streams, log order); consecutive events of one aggregate are written once. */
  async apply(events: EventEnvelope[]): Promise<void> {
    const { docs } = await this.open();
    const idOf = this.spec.idOf ?? ((e: EventEnvelope) => e.streamId.slice(e.streamId.indexOf('-') + 1));
    const groups = new Map<string, EventEnvelope[]>();
    for (const e of events) {
      if (!this.spec.categories.includes(e.streamId.slice(0, e.streamId.indexOf('-')))) continue;
      const key = `${e.tenantId}\u0000${idOf(e)}`;
      const list = groups.get(key) ?? [];
      list.push(e);
      groups.set(key, list);
    }
    await Promise.all(
      [...groups].map(([key, list]) => this.serial(key, () => this.write(docs, list[0].tenantId, idOf(list[0]), list))),
    );
  }

  private async write(docs: ReadCollection<T>, tenantId: string, id: string, list: EventEnvelope[]): Promise<void> {
    const stored = await docs.get(tenantId, id);
    let doc: T | undefined | null = stored?.data;
    let at = stored?.position ?? 0;
    let changed = false;
    for (const e of list) {
      if (e.globalPosition <= at) continue; // applied before
      const next = this.spec.fold(doc ?? undefined, e);
      if (next === undefined) continue;
      doc = next;
      at = e.globalPosition;
      changed = true;
    }
    if (!changed) return;
    if (doc === null) await docs.remove(tenantId, id, at);
    else if (doc) await docs.upsert(tenantId, id, doc, at);
  }

  private serial(key: string, work: () => Promise<void>): Promise<void> {
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(work, work);
    const tail = next.catch(() => undefined);
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return next;
  }

  /** Catches up every `intervalMs` (writes of other replicas; 0 = never); answers a stop function. */
  follow(intervalMs: number, onError: (err: unknown) => void = () => undefined): () => void {
    if (!(intervalMs > 0)) return () => undefined; // 0: not followed
    const timer = setInterval(() => void this.catchUp().catch(onError), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Waits for writes in flight. */
  async idle(): Promise<void> {
    await this.catching?.catch(() => undefined);
    await Promise.all([...this.chains.values()]);
  }
}
