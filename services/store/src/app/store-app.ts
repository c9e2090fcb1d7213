import type { EventStore, Subscription } from '@agentry/event-log';
import { DomainError, streamIdOf, type Clock, type EventEnvelope, type NewEvent } from '@agentry/kernel';
import type { storeV1 } from '@agentry/proto-ts';
import type { ReadStore } from '@agentry/read-store';
import { replayCategories } from '@agentry/runtime';
import type { ListingCommand } from '../domain/listing/commands';
import { approvedVersion, listingDecider, type ListingState, type ListingVersionState } from '../domain/listing/decider';
import type { ListingDetails, ListingEvent } from '../domain/listing/events';
import { normalizeDetails, slugFor, validateDetails } from '../domain/listing/validate';
import { sniffImage } from '../domain/media';
import { normalizeProfile, validateProfile, validateRating, type CreatorProfile } from '../domain/profile';
import { mergeForUpdate, snapshotOf } from '../domain/snapshot';
import { CAT, type CreatorEvent, type HandleEvent, type LibraryEvent, type MediaEvent, type PresetState, type RatingEvent, type RunEvent } from './events';
import type { Caller, CatalogueQuery, GraphPort, SearchIndex } from './ports';
import { inMemoryStoreLists, type ListReadModel, type RatingRow, type StoreLists } from './store-lists';
import { readStoreLists } from './store-lists-read-store';

export const STORE_ADMIN_ROLE = 'admin';

interface ListingEntry {
  state: ListingState;
  streamVersion: number;
}
interface RatingState {
  listingId: string;
  userId: string;
  tenantId: string;
  score: number;
  comment: string;
  createdAt: string;
  updatedAt: string;
  streamVersion: number;
}
interface LibraryAgentState {
  id: string;
  tenantId: string;
  listingId: string;
  listingVersion: number;
  graphId: string;
  graphVersion: number;
  requiredCredentials: string[];
  presets: PresetState[];
  addedBy: string;
  addedAt: string;
  updatedAt: string;
  streamVersion: number;
}

export interface SubmitInput {
  graphId: string;
  graphVersion: number;
  details: Partial<ListingDetails>;
  draft: boolean;
}

/**
 * NOT_FOUND without echoing the requested id into error details: ids come from URLs, and gRPC metadata (where details
 * travel) only carries ASCII.
 */
const missing = (what: string, _id: string) => new DomainError('NOT_FOUND', `${what} not found`, { what });
const ratingKey = (listingId: string, userId: string) => `${listingId}.${userId}`;
const isConflict = (err: unknown) => err instanceof DomainError && err.code === 'VERSION_CONFLICT';
const STORE_CATEGORIES = [CAT.listing, CAT.creator, CAT.handle, CAT.rating, CAT.library, CAT.run];

export interface StoreAppDeps {
  events: EventStore;
  clock: Clock;
  newId: () => string;
  graphs: GraphPort;
  search: SearchIndex;
  countRuns?: boolean;
  /** Keep the lists (my listings, library, ratings, review queue) in this read store; default: scans of the fold. */
  readModels?: ReadStore;
  /** A list write that failed after its append (the list catches up from the log later). */
  onListError?: (err: unknown) => void;
  /**
   * `catchUp` also folds other instances' appends into memory (default: with `readModels`, where replicas share the
   * lists). Without it the store is the single writer of its streams and `catchUp` only catches the lists up.
   */
  followLog?: boolean;
}

/**
 * Store use cases: listings and their review workflow, creator profiles, ratings, media, the tenant library and
 * run counts. State of record is the store's own streams (see CAT); every map here and the search index are
 * projections rebuilt from them on start and advanced by this service's own appends (it is their single writer).
 */
export class StoreApp {
  private readonly listings = new Map<string, ListingEntry>();
  private readonly slugs = new Map<string, string>();
  private readonly profiles = new Map<string, CreatorProfile>();
  private readonly handles = new Map<string, string>();
  private readonly ratings = new Map<string, RatingState>();
  private readonly ratingStats = new Map<string, { sum: number; count: number }>();
  private readonly library = new Map<string, LibraryAgentState>();
  private readonly libraryByTenantListing = new Map<string, string>();
  private readonly libraryByGraph = new Map<string, string>();
  private readonly runsByListing = new Map<string, number>();
  private readonly runsByAgent = new Map<string, number>();
  private readonly inFlight = new Set<string>();
  private replaying = false;
  private subscription?: Subscription;
  /** The lists (issue #10): in memory by default, in a read store with `readModels`. */
  private readonly lists: StoreLists;
  /** Highest global position read from the log (start, catchUp); own appends above it are in `ownAhead`. */
  private position = 0;
  private readonly ownAhead = new Set<number>();
  private readonly followLog: boolean;
  private catching?: Promise<number>;

  constructor(private readonly deps: StoreAppDeps) {
    this.followLog = deps.followLog ?? !!deps.readModels;
    this.lists = deps.readModels
      ? readStoreLists(deps.events, deps.readModels)
      : inMemoryStoreLists({ listings: () => [...this.listings.values()].map((e) => e.state), library: () => this.library.values(), ratings: () => this.ratings.values() });
  }

  private get listModels(): ListReadModel[] {
    return Object.values(this.lists);
  }

  async start(): Promise<void> {
    this.replaying = true;
    await replayCategories(this.deps.events, STORE_CATEGORIES, (e) => {
      this.apply(e);
      this.position = Math.max(this.position, e.globalPosition);
    });
    this.replaying = false;
    for (const id of this.listings.keys()) this.reindex(id);
    for (const list of this.listModels) await list.catchUp();
    if (this.deps.countRuns !== false) {
      // Run counts come from execution events: each run of a library agent becomes one idempotent store event.
      this.subscription = this.deps.events.subscribe({ consumer: 'store-service-runs', categories: ['execution'], handler: (e) => this.onExecutionEvent(e) });
    }
  }

  /**
   * Admin (issue #6): folds listings, creators, handles, ratings, the library and run counts again from the log into
   * fresh maps, swaps them in and reindexes the catalogue; returns the events folded.
   */
  async rebuild(): Promise<number> {
    const fresh = new StoreApp({ ...this.deps, countRuns: false, readModels: undefined, followLog: false });
    fresh.replaying = true;
    let count = 0;
    let after = 0;
    // Read to the head (an empty page), then swap in the same turn: appends while reading are in the fresh fold.
    for (;;) {
      const page = await this.deps.events.readAll({ after, limit: 5000, categories: STORE_CATEGORIES });
      if (page.length === 0) break;
      for (const e of page) fresh.apply(e);
      count += page.length;
      after = page[page.length - 1].globalPosition;
    }
    // own appends up to `after` are in the fresh fold; later ones went to the maps swapped out: a catchUp refolds them
    this.position = Math.max(this.position, after);
    this.ownAhead.clear();
    const swap = <K, V>(mine: Map<K, V>, theirs: Map<K, V>) => {
      mine.clear();
      for (const [k, v] of theirs) mine.set(k, v);
    };
    swap(this.listings, fresh.listings);
    swap(this.slugs, fresh.slugs);
    swap(this.profiles, fresh.profiles);
    swap(this.handles, fresh.handles);
    swap(this.ratings, fresh.ratings);
    swap(this.ratingStats, fresh.ratingStats);
    swap(this.library, fresh.library);
    swap(this.libraryByTenantListing, fresh.libraryByTenantListing);
    swap(this.libraryByGraph, fresh.libraryByGraph);
    swap(this.runsByListing, fresh.runsByListing);
    swap(this.runsByAgent, fresh.runsByAgent);
    for (const id of this.listings.keys()) this.reindex(id);
    for (const list of this.listModels) await list.rebuild();
    return count;
  }

  /**
   * Folds what other instances appended to the store's streams (the fold, the search index and the lists) since
   * this one last read the log (with `followLog`; otherwise the lists only). Own appends are not folded twice.
   */
  catchUp(): Promise<number> {
    // concurrent calls share one pass (two passes over one page would fold it twice)
    this.catching ??= this.readAhead().finally(() => (this.catching = undefined));
    return this.catching;
  }

  private async readAhead(): Promise<number> {
    let folded = 0;
    while (this.followLog) {
      const page = await this.deps.events.readAll({ after: this.position, limit: 1000, categories: STORE_CATEGORIES });
      // no await below: an own append is folded either here or by its writer, never both
      for (const e of page) {
        if (!this.ownAhead.delete(e.globalPosition)) {
          this.apply(e);
          folded++;
        }
        this.position = Math.max(this.position, e.globalPosition);
      }
      if (page.length < 1000) break;
    }
    for (const list of this.listModels) await list.catchUp();
    return folded;
  }

  async close(): Promise<void> {
    await this.subscription?.close();
    await this.deps.search.close();
    for (const list of this.listModels) await list.close();
  }

  // ---------------------------------------------------------------- listings

  async createListing(caller: Caller, input: SubmitInput): Promise<storeV1.Listing> {
    const details = normalizeDetails(input.details);
    validateDetails(details);
    await this.checkImages(details.images);
    const content = await this.snapshot(caller, input.graphId, input.graphVersion);
    const listingId = this.deps.newId();
    await this.ensureProfile(caller);
    await this.executeListing(caller.tenantId, listingId, {
      type: 'CreateListing',
      actor: this.actor(caller),
      listingId,
      slug: slugFor(details.name, listingId),
      graphId: input.graphId,
      graphVersion: content.graphVersion,
      details,
      snapshot: content.snapshot,
      requiredCredentials: content.requiredCredentials,
      draft: input.draft,
      now: this.now(),
    });
    return this.getListing(listingId, caller);
  }

  async addListingVersion(caller: Caller, listingId: string, input: Omit<SubmitInput, 'graphId'>): Promise<storeV1.Listing> {
    const entry = this.ownedListing(caller, listingId);
    const details = normalizeDetails(input.details);
    await this.checkImages(details.images);
    const content = await this.snapshot(caller, entry.state.graphId, input.graphVersion);
    await this.executeListing(caller.tenantId, listingId, {
      type: 'AddListingVersion',
      actor: this.actor(caller),
      graphVersion: content.graphVersion,
      details,
      snapshot: content.snapshot,
      requiredCredentials: content.requiredCredentials,
      draft: input.draft,
      now: this.now(),
    });
    return this.getListing(listingId, caller);
  }

  async editListingVersion(caller: Caller, listingId: string, version: number, details: Partial<ListingDetails>): Promise<storeV1.Listing> {
    this.ownedListing(caller, listingId);
    const normalized = normalizeDetails(details);
    await this.checkImages(normalized.images);
    await this.executeListing(caller.tenantId, listingId, { type: 'EditListingVersion', actor: this.actor(caller), version, details: normalized, now: this.now() });
    return this.getListing(listingId, caller);
  }

  async submitListingVersion(caller: Caller, listingId: string, version: number): Promise<storeV1.Listing> {
    this.ownedListing(caller, listingId);
    await this.executeListing(caller.tenantId, listingId, { type: 'SubmitListingVersion', actor: this.actor(caller), version, now: this.now() });
    return this.getListing(listingId, caller);
  }

  async reviewListingVersion(caller: Caller, listingId: string, version: number, decision: string, reason: string): Promise<storeV1.Listing> {
    const entry = this.listingEntry(listingId);
    if (!this.actor(caller).isAdmin) throw new DomainError('PERMISSION_DENIED', 'only store admins may review listings');
    const d = decision.toUpperCase();
    if (d !== 'APPROVE' && d !== 'REJECT') throw new DomainError('VALIDATION_FAILED', 'decision must be APPROVE or REJECT', { errors: { decision: 'APPROVE or REJECT' } });
    await this.executeListing(entry.state.creatorTenantId, entry.state.id, { type: 'ReviewListingVersion', actor: this.actor(caller), version, decision: d, reason, now: this.now() });
    return this.getListing(entry.state.id, caller);
  }

  async setFeatured(caller: Caller, listingId: string, featured: boolean): Promise<storeV1.Listing> {
    const entry = this.listingEntry(listingId);
    await this.executeListing(entry.state.creatorTenantId, entry.state.id, { type: 'SetListingFeatured', actor: this.actor(caller), featured, now: this.now() });
    return this.getListing(entry.state.id, caller);
  }

  /** By id or slug. The creator's tenant and store admins see every version; everyone else only approved listings. */
  getListing(idOrSlug: string, caller?: Caller): storeV1.Listing {
    const entry = this.listings.get(idOrSlug) ?? this.listings.get(this.slugs.get(idOrSlug) ?? '');
    if (!entry) throw missing('listing', idOrSlug);
    const privileged = !!caller && (caller.tenantId === entry.state.creatorTenantId || this.actor(caller).isAdmin);
    if (!privileged && !approvedVersion(entry.state)) throw missing('listing', idOrSlug);
    return this.view(entry.state, privileged ? 'private' : 'public');
  }

  async search(q: CatalogueQuery): Promise<{ items: storeV1.Listing[]; nextCursor?: string; total: number }> {
    const out = await this.deps.search.search(q);
    const items = out.ids.flatMap((id) => {
      const entry = this.listings.get(id);
      return entry ? [this.view(entry.state, 'summary')] : [];
    });
    return { items, nextCursor: out.nextCursor, total: out.total };
  }

  categories(): Promise<Array<{ name: string; listingCount: number }>> {
    return this.deps.search.categories();
  }

  /** The caller tenant's listings, newest first (ids from the list read model, views from the fold). */
  async myListings(caller: Caller): Promise<storeV1.Listing[]> {
    const ids = await this.lists.myListings.ids(caller.tenantId);
    return ids.flatMap((id) => {
      const entry = this.listings.get(id);
      return entry && entry.state.creatorTenantId === caller.tenantId ? [this.view(entry.state, 'mine')] : [];
    });
  }

  /** Listing versions in one status (PENDING by default), oldest submission first: the admins' queue. */
  async reviewQueue(caller: Caller, status = 'PENDING'): Promise<Array<{ listing: storeV1.Listing; version: storeV1.ListingVersion }>> {
    if (!this.actor(caller).isAdmin) throw new DomainError('PERMISSION_DENIED', 'only store admins may see the review queue');
    const queued = await this.lists.reviewQueue.versions(status);
    return queued.flatMap(({ listingId, version }) => {
      const state = this.listings.get(listingId)?.state;
      const v = state?.versions.find((x) => x.version === version);
      return state && v && v.status === status ? [{ listing: this.view(state, 'summary'), version: this.versionView(v, true) }] : [];
    });
  }

  // ---------------------------------------------------------------- ratings

  async rate(caller: Caller, listingId: string, score: number, comment: string): Promise<storeV1.Rating> {
    const entry = this.publicListing(listingId);
    validateRating(score, comment.trim());
    if (entry.state.creatorTenantId === caller.tenantId) throw new DomainError('PERMISSION_DENIED', 'creators cannot rate their own listings');
    const key = ratingKey(entry.state.id, caller.userId);
    if (this.ratings.has(key)) throw new DomainError('ALREADY_EXISTS', 'you have already rated this listing; edit your rating instead', { errors: { rating: 'already exists' } });
    const event: RatingEvent = { type: 'ListingRated', data: { listingId: entry.state.id, userId: caller.userId, tenantId: caller.tenantId, score, comment: comment.trim(), at: this.now() } };
    try {
      await this.append(streamIdOf(CAT.rating, key), [event], 0, caller.tenantId);
    } catch (err) {
      if (isConflict(err)) throw new DomainError('ALREADY_EXISTS', 'you have already rated this listing; edit your rating instead', { errors: { rating: 'already exists' } });
      throw err;
    }
    return this.ratingView(this.ratings.get(key)!);
  }

  async editRating(caller: Caller, listingId: string, score: number, comment: string): Promise<storeV1.Rating> {
    const entry = this.publicListing(listingId);
    validateRating(score, comment.trim());
    const key = ratingKey(entry.state.id, caller.userId);
    const current = this.ratings.get(key);
    if (!current) throw missing('rating', key);
    const event: RatingEvent = { type: 'ListingRatingEdited', data: { listingId: entry.state.id, userId: caller.userId, score, comment: comment.trim(), at: this.now() } };
    await this.append(streamIdOf(CAT.rating, key), [event], current.streamVersion, caller.tenantId);
    return this.ratingView(this.ratings.get(key)!);
  }

  /** A public listing's ratings, last updated first, paged (1..200 a page). */
  async listRatings(listingId: string, cursor?: string, limit = 50): Promise<{ items: storeV1.Rating[]; nextCursor?: string }> {
    const entry = this.publicListing(listingId);
    const page = await this.lists.ratings.page(entry.state.id, cursor, Math.min(Math.max(limit, 1), 200));
    return { items: page.items.map((r) => this.ratingView(r)), nextCursor: page.nextCursor };
  }

  // ---------------------------------------------------------------- creators

  async saveProfile(caller: Caller, input: { handle: string; name: string; bio: string; links: string[]; avatar: string }): Promise<storeV1.Creator> {
    const p = normalizeProfile(input);
    validateProfile(p);
    if (p.avatar) await this.checkImages([p.avatar]);
    const current = this.profiles.get(caller.userId);
    const owner = this.handles.get(p.handle);
    if (owner && owner !== caller.userId) throw new DomainError('ALREADY_EXISTS', `the handle ${p.handle} is taken`, { errors: { handle: 'taken' } });
    if (!owner) {
      const claim: HandleEvent = { type: 'CreatorHandleClaimed', data: { handle: p.handle, userId: caller.userId, claimedAt: this.now() } };
      try {
        await this.append(streamIdOf(CAT.handle, p.handle), [claim], 0, caller.tenantId);
      } catch (err) {
        if (isConflict(err)) throw new DomainError('ALREADY_EXISTS', `the handle ${p.handle} is taken`, { errors: { handle: 'taken' } });
        throw err;
      }
    }
    const now = this.now();
    const profile: CreatorProfile = { userId: caller.userId, tenantId: caller.tenantId, ...p, createdAt: current?.createdAt ?? now, updatedAt: now };
    const event: CreatorEvent = { type: 'CreatorProfileSaved', data: profile };
    await this.append(streamIdOf(CAT.creator, caller.userId), [event], 'any', caller.tenantId);
    return this.creatorView(profile);
  }

  getCreator(handle: string, caller?: Caller): { creator: storeV1.Creator; listings: storeV1.Listing[] } {
    const userId = handle ? this.handles.get(handle.trim().toLowerCase()) : caller?.userId;
    const profile = userId ? this.profiles.get(userId) : undefined;
    if (!profile || (handle && profile.handle !== handle.trim().toLowerCase())) throw missing('creator', handle || 'me');
    const listings = [...this.listings.values()]
      .filter((e) => e.state.creatorUserId === profile.userId && approvedVersion(e.state))
      .sort((a, b) => (approvedVersion(b.state)!.reviewedAt ?? '').localeCompare(approvedVersion(a.state)!.reviewedAt ?? ''))
      .map((e) => this.view(e.state, 'summary'));
    return { creator: this.creatorView(profile), listings };
  }

  // ---------------------------------------------------------------- media

  async uploadMedia(caller: Caller, data: Uint8Array): Promise<{ mediaId: string; contentType: string; size: number }> {
    const contentType = sniffImage(data);
    const mediaId = this.deps.newId();
    const event: MediaEvent = { type: 'MediaUploaded', data: { mediaId, contentType, size: data.length, base64: Buffer.from(data).toString('base64'), uploadedBy: caller.userId, at: this.now() } };
    await this.deps.events.append(streamIdOf(CAT.media, mediaId), [event], { expectedVersion: 0, tenantId: caller.tenantId });
    return { mediaId, contentType, size: data.length };
  }

  /** Media are read from their stream on demand (never held in memory): they are public once uploaded. */
  async getMedia(mediaId: string): Promise<{ data: Buffer; contentType: string }> {
    if (!/^[0-9a-f-]{36}$/.test(mediaId)) throw missing('media', mediaId);
    const [e] = await this.deps.events.readStream(streamIdOf(CAT.media, mediaId));
    if (!e || e.type !== 'MediaUploaded') throw missing('media', mediaId);
    const d = (e as unknown as MediaEvent).data;
    return { data: Buffer.from(d.base64, 'base64'), contentType: d.contentType };
  }

  // ---------------------------------------------------------------- library

  async addToLibrary(caller: Caller, listingId: string): Promise<storeV1.LibraryAgent> {
    const entry = this.publicListing(listingId);
    const key = `${caller.tenantId}:${entry.state.id}`;
    if (this.libraryByTenantListing.has(key) || this.inFlight.has(key)) throw new DomainError('ALREADY_EXISTS', 'this listing is already in your library', { errors: { listingId: 'already in library' } });
    this.inFlight.add(key);
    try {
      const v = approvedVersion(entry.state)!;
      const fork = await this.deps.graphs.create(caller, v.snapshot, { id: entry.state.graphId, version: v.graphVersion });
      const id = this.deps.newId();
      const event: LibraryEvent = {
        type: 'LibraryAgentAdded',
        data: { id, tenantId: caller.tenantId, listingId: entry.state.id, listingVersion: v.version, graphId: fork.id, graphVersion: fork.version, requiredCredentials: v.requiredCredentials, addedBy: caller.userId, addedAt: this.now() },
      };
      try {
        await this.append(streamIdOf(CAT.library, id), [event], 0, caller.tenantId);
      } catch (err) {
        // Nothing half-written: the fork goes when its library entry could not be recorded.
        await this.deps.graphs.delete(caller, fork.id).catch(() => undefined);
        throw err;
      }
      return this.agentView(this.library.get(id)!);
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** The caller tenant's library, newest first (ids from the list read model, views from the fold). */
  async listLibrary(caller: Caller): Promise<storeV1.LibraryAgent[]> {
    const ids = await this.lists.library.ids(caller.tenantId);
    return ids.flatMap((id) => {
      const agent = this.library.get(id);
      return agent && agent.tenantId === caller.tenantId ? [this.agentView(agent)] : [];
    });
  }

  getLibraryAgent(caller: Caller, id: string): storeV1.LibraryAgent {
    return this.agentView(this.ownedAgent(caller, id));
  }

  /** One-click update to the newest approved version, keeping the inputs this tenant changed and its presets. */
  async updateLibraryAgent(caller: Caller, id: string): Promise<storeV1.LibraryAgent> {
    const agent = this.ownedAgent(caller, id);
    const listing = this.listingEntry(agent.listingId).state;
    const latest = approvedVersion(listing);
    if (!latest || latest.version <= agent.listingVersion) throw new DomainError('INVALID_TRANSITION', 'this agent is already on the newest approved version');
    const installed = listing.versions.find((v) => v.version === agent.listingVersion)!;
    const mine = await this.deps.graphs.get(caller, agent.graphId, 0);
    const merged = mergeForUpdate(installed.snapshot, mine, latest.snapshot);
    const updated = await this.deps.graphs.update(caller, agent.graphId, mine.version, merged);
    const event: LibraryEvent = { type: 'LibraryAgentUpdated', data: { listingVersion: latest.version, graphVersion: updated.version, requiredCredentials: latest.requiredCredentials, updatedAt: this.now() } };
    await this.append(streamIdOf(CAT.library, id), [event], agent.streamVersion, caller.tenantId);
    return this.agentView(this.library.get(id)!);
  }

  async savePreset(caller: Caller, id: string, name: string, inputs: Record<string, unknown>): Promise<storeV1.LibraryAgent> {
    const agent = this.ownedAgent(caller, id);
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 100) throw new DomainError('VALIDATION_FAILED', 'a preset needs a name of at most 100 characters', { errors: { name: trimmed ? 'at most 100 characters' : 'required' } });
    if (JSON.stringify(inputs).length > 64 * 1024) throw new DomainError('VALIDATION_FAILED', 'preset inputs are limited to 64 KiB', { errors: { inputs: 'too large' } });
    if (agent.presets.length >= 50) throw new DomainError('VALIDATION_FAILED', 'at most 50 presets per agent', { errors: { name: 'too many presets' } });
    const existing = agent.presets.find((p) => p.name === trimmed);
    const preset: PresetState = { id: existing?.id ?? this.deps.newId(), name: trimmed, inputs, createdAt: existing?.createdAt ?? this.now() };
    await this.append(streamIdOf(CAT.library, id), [{ type: 'LibraryPresetSaved', data: preset }], agent.streamVersion, caller.tenantId);
    return this.agentView(this.library.get(id)!);
  }

  async deletePreset(caller: Caller, id: string, presetId: string): Promise<storeV1.LibraryAgent> {
    const agent = this.ownedAgent(caller, id);
    if (!agent.presets.some((p) => p.id === presetId)) throw missing('preset', presetId);
    await this.append(streamIdOf(CAT.library, id), [{ type: 'LibraryPresetDeleted', data: { presetId, at: this.now() } }], agent.streamVersion, caller.tenantId);
    return this.agentView(this.library.get(id)!);
  }

  // ---------------------------------------------------------------- internals

  private actor(caller: Caller) {
    return { tenantId: caller.tenantId, userId: caller.userId, isAdmin: caller.roles.includes(STORE_ADMIN_ROLE) };
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  private listingEntry(idOrSlug: string): ListingEntry {
    const entry = this.listings.get(idOrSlug) ?? this.listings.get(this.slugs.get(idOrSlug) ?? '');
    if (!entry) throw missing('listing', idOrSlug);
    return entry;
  }

  private ownedListing(caller: Caller, id: string): ListingEntry {
    const entry = this.listingEntry(id);
    if (entry.state.creatorTenantId !== caller.tenantId) throw missing('listing', id);
    return entry;
  }

  private publicListing(id: string): ListingEntry {
    const entry = this.listingEntry(id);
    if (!approvedVersion(entry.state)) throw missing('listing', id);
    return entry;
  }

  private ownedAgent(caller: Caller, id: string): LibraryAgentState {
    const agent = this.library.get(id);
    if (!agent || agent.tenantId !== caller.tenantId) throw missing('library agent', id);
    return agent;
  }

  /** The graph version, fetched with the caller's own tenant: another tenant's graph is NOT_FOUND. */
  private async snapshot(caller: Caller, graphId: string, graphVersion: number) {
    const errors: Record<string, string> = {};
    if (!graphId) errors.graphId = 'required';
    if (!Number.isInteger(graphVersion) || graphVersion < 0) errors.graphVersion = 'a positive version (0 = the newest)';
    if (Object.keys(errors).length) throw new DomainError('VALIDATION_FAILED', 'the listing is not valid', { errors });
    const graph = await this.deps.graphs.get(caller, graphId, graphVersion);
    return { graphVersion: graph.version, ...snapshotOf(graph) };
  }

  private async checkImages(images: string[]): Promise<void> {
    for (const image of images) {
      if (image.startsWith('https://')) continue;
      if ((await this.deps.events.streamVersion(streamIdOf(CAT.media, image))) === 0) throw new DomainError('VALIDATION_FAILED', `image ${image} was not uploaded`, { errors: { images: `unknown media ${image}` } });
    }
  }

  /** A creator's listings need a name to show: the first submission creates a default profile. */
  private async ensureProfile(caller: Caller): Promise<void> {
    if (this.profiles.has(caller.userId)) return;
    const base = `creator-${caller.userId.replace(/[^a-z0-9]/gi, '').slice(0, 8).toLowerCase()}`;
    await this.saveProfile(caller, { handle: base, name: base, bio: '', links: [], avatar: '' });
  }

  private async executeListing(tenantId: string, listingId: string, command: ListingCommand): Promise<void> {
    const entry = this.listings.get(listingId);
    const events = listingDecider.decide(command, entry?.state ?? listingDecider.initialState());
    if (!events.length) return;
    await this.append(streamIdOf(CAT.listing, listingId), events, entry?.streamVersion ?? 0, tenantId);
  }

  private async append(streamId: string, events: NewEvent[], expectedVersion: number | 'any', tenantId: string): Promise<void> {
    const result = await this.deps.events.append(streamId, events, { expectedVersion, tenantId });
    for (const e of result.events) {
      if (!this.followLog) this.apply(e);
      else if (e.globalPosition > this.position) {
        // (at or below the position a catchUp folded it already)
        this.apply(e);
        this.ownAhead.add(e.globalPosition);
      }
    }
    // the lists after the fold (a read after this write sees it); a failed list write is caught up from the log
    await Promise.all(this.listModels.map((list) => list.apply(result.events))).catch((err: unknown) => this.deps.onListError?.(err));
  }

  private async onExecutionEvent(e: EventEnvelope): Promise<void> {
    if (e.type !== 'ExecutionRequested') return;
    const data = (e.data ?? {}) as { executionId?: string; graphId?: string };
    const agentId = data.graphId ? this.libraryByGraph.get(data.graphId) : undefined;
    const agent = agentId ? this.library.get(agentId) : undefined;
    if (!agent || !data.executionId) return;
    const event: RunEvent = { type: 'ListingRunRecorded', data: { executionId: data.executionId, listingId: agent.listingId, libraryAgentId: agent.id, graphId: agent.graphId, at: e.occurredAt } };
    try {
      await this.append(streamIdOf(CAT.run, data.executionId), [event], 0, e.tenantId);
    } catch (err) {
      if (!isConflict(err)) throw err; // a redelivered event: already counted
    }
  }

  private apply(envelope: EventEnvelope): void {
    const category = envelope.streamId.slice(0, envelope.streamId.indexOf('-'));
    const id = envelope.streamId.slice(category.length + 1);
    switch (category) {
      case CAT.listing: {
        const entry = this.listings.get(id);
        if (entry && envelope.streamVersion <= entry.streamVersion) return;
        const state = listingDecider.evolve(entry?.state ?? listingDecider.initialState(), { type: envelope.type, data: envelope.data } as ListingEvent);
        this.listings.set(id, { state, streamVersion: envelope.streamVersion });
        if (state.slug) this.slugs.set(state.slug, id);
        this.reindex(id);
        return;
      }
      case CAT.handle: {
        const e = envelope as unknown as HandleEvent;
        this.handles.set(e.data.handle, e.data.userId);
        return;
      }
      case CAT.creator: {
        const p = (envelope as unknown as CreatorEvent).data;
        const before = this.profiles.get(p.userId);
        if (before && before.handle !== p.handle && this.handles.get(before.handle) === p.userId) this.handles.delete(before.handle);
        this.handles.set(p.handle, p.userId);
        this.profiles.set(p.userId, p);
        if (!this.replaying) for (const [lid, e] of this.listings) if (e.state.creatorUserId === p.userId) this.reindex(lid);
        return;
      }
      case CAT.rating: {
        const e = { type: envelope.type, data: envelope.data } as RatingEvent;
        const key = ratingKey(e.data.listingId, e.data.userId);
        const before = this.ratings.get(key);
        const stats = this.ratingStats.get(e.data.listingId) ?? { sum: 0, count: 0 };
        if (before) stats.sum -= before.score;
        else stats.count += 1;
        stats.sum += e.data.score;
        this.ratingStats.set(e.data.listingId, stats);
        this.ratings.set(key, {
          listingId: e.data.listingId,
          userId: e.data.userId,
          tenantId: before?.tenantId ?? envelope.tenantId,
          score: e.data.score,
          comment: e.data.comment,
          createdAt: before?.createdAt ?? e.data.at,
          updatedAt: e.data.at,
          streamVersion: envelope.streamVersion,
        });
        this.reindex(e.data.listingId);
        return;
      }
      case CAT.library: {
        const e = { type: envelope.type, data: envelope.data } as LibraryEvent;
        if (e.type === 'LibraryAgentAdded') {
          const d = e.data;
          this.library.set(d.id, { ...d, presets: [], updatedAt: d.addedAt, streamVersion: envelope.streamVersion });
          this.libraryByTenantListing.set(`${d.tenantId}:${d.listingId}`, d.id);
          this.libraryByGraph.set(d.graphId, d.id);
          return;
        }
        const agent = this.library.get(id);
        if (!agent) return;
        agent.streamVersion = envelope.streamVersion;
        if (e.type === 'LibraryAgentUpdated') Object.assign(agent, { listingVersion: e.data.listingVersion, graphVersion: e.data.graphVersion, requiredCredentials: e.data.requiredCredentials, updatedAt: e.data.updatedAt });
        else if (e.type === 'LibraryPresetSaved') agent.presets = [...agent.presets.filter((p) => p.id !== e.data.id), e.data];
        else if (e.type === 'LibraryPresetDeleted') agent.presets = agent.presets.filter((p) => p.id !== e.data.presetId);
        return;
      }
      case CAT.run: {
        const d = (envelope as unknown as RunEvent).data;
        this.runsByListing.set(d.listingId, (this.runsByListing.get(d.listingId) ?? 0) + 1);
        this.runsByAgent.set(d.libraryAgentId, (this.runsByAgent.get(d.libraryAgentId) ?? 0) + 1);
        this.reindex(d.listingId);
        return;
      }
    }
  }

  private reindex(listingId: string): void {
    if (this.replaying) return;
    const entry = this.listings.get(listingId);
    if (!entry) return;
    const v = approvedVersion(entry.state);
    if (!v) return this.deps.search.remove(listingId);
    const profile = this.profiles.get(entry.state.creatorUserId);
    const stats = this.ratingStats.get(listingId);
    this.deps.search.upsert({
      id: listingId,
      name: v.details.name,
      subHeading: v.details.subHeading,
      description: v.details.description,
      categories: v.details.categories,
      creatorHandle: profile?.handle ?? '',
      creatorName: profile?.name ?? '',
      featured: entry.state.featured,
      ratingAverage: stats?.count ? stats.sum / stats.count : 0,
      ratingCount: stats?.count ?? 0,
      runCount: this.runsByListing.get(listingId) ?? 0,
      approvedAt: v.reviewedAt,
    });
  }

  // ---------------------------------------------------------------- views

  private versionView(v: ListingVersionState, withSnapshot: boolean): storeV1.ListingVersion {
    return {
      version: v.version,
      graphVersion: v.graphVersion,
      name: v.details.name,
      subHeading: v.details.subHeading,
      description: v.details.description,
      categories: v.details.categories,
      images: v.details.images,
      videoUrl: v.details.videoUrl,
      status: v.status,
      reviewReason: v.reviewReason,
      reviewedBy: v.reviewedBy,
      createdAt: v.createdAt,
      submittedAt: v.submittedAt,
      reviewedAt: v.reviewedAt,
      snapshot: withSnapshot ? (v.snapshot as unknown as Record<string, unknown>) : undefined,
      requiredCredentials: v.requiredCredentials,
    };
  }

  /** public: approved versions only; private: every version with snapshots; summary/mine: no snapshots. */
  private view(s: ListingState, mode: 'public' | 'private' | 'summary' | 'mine'): storeV1.Listing {
    const approved = approvedVersion(s);
    const latest = s.versions[s.versions.length - 1];
    const shown = mode === 'public' ? approved! : (approved ?? latest);
    const profile = this.profiles.get(s.creatorUserId);
    const stats = this.ratingStats.get(s.id);
    const versions =
      mode === 'summary' ? [] : mode === 'public' ? s.versions.filter((v) => v.status === 'APPROVED').map((v) => this.versionView(v, false)) : s.versions.map((v) => this.versionView(v, mode === 'private'));
    return {
      id: s.id,
      slug: s.slug,
      name: shown.details.name,
      subHeading: shown.details.subHeading,
      description: shown.details.description,
      categories: shown.details.categories,
      creatorTenantId: s.creatorTenantId,
      graphId: mode === 'public' || mode === 'summary' ? '' : s.graphId,
      graphVersion: shown.graphVersion,
      status: latest.status,
      createdAt: s.createdAt,
      creatorUserId: s.creatorUserId,
      creatorHandle: profile?.handle ?? '',
      creatorName: profile?.name ?? '',
      images: shown.details.images,
      videoUrl: shown.details.videoUrl,
      featured: s.featured,
      approvedVersion: approved?.version ?? 0,
      approvedAt: approved?.reviewedAt ?? '',
      ratingAverage: stats?.count ? Math.round((stats.sum / stats.count) * 100) / 100 : 0,
      ratingCount: stats?.count ?? 0,
      runCount: this.runsByListing.get(s.id) ?? 0,
      latestVersion: latest.version,
      versions,
    };
  }

  private ratingView(r: RatingRow): storeV1.Rating {
    return { listingId: r.listingId, userId: r.userId, tenantId: '', score: r.score, comment: r.comment, createdAt: r.createdAt, updatedAt: r.updatedAt };
  }

  private creatorView(p: CreatorProfile): storeV1.Creator {
    let listingCount = 0;
    let runCount = 0;
    let sum = 0;
    let count = 0;
    for (const { state } of this.listings.values()) {
      if (state.creatorUserId !== p.userId || !approvedVersion(state)) continue;
      listingCount++;
      runCount += this.runsByListing.get(state.id) ?? 0;
      const stats = this.ratingStats.get(state.id);
      if (stats) {
        sum += stats.sum;
        count += stats.count;
      }
    }
    return {
      userId: p.userId,
      tenantId: '',
      handle: p.handle,
      name: p.name,
      bio: p.bio,
      links: p.links,
      avatar: p.avatar,
      listingCount,
      runCount,
      ratingAverage: count ? Math.round((sum / count) * 100) / 100 : 0,
      ratingCount: count,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    };
  }

  private agentView(a: LibraryAgentState): storeV1.LibraryAgent {
    const listing = this.listings.get(a.listingId)?.state;
    const latest = listing ? approvedVersion(listing) : undefined;
    return {
      id: a.id,
      tenantId: a.tenantId,
      listingId: a.listingId,
      listingName: latest?.details.name ?? '',
      listingVersion: a.listingVersion,
      graphId: a.graphId,
      graphVersion: a.graphVersion,
      latestVersion: latest?.version ?? a.listingVersion,
      updateAvailable: !!latest && latest.version > a.listingVersion,
      presets: a.presets.map((p) => ({ id: p.id, name: p.name, inputs: p.inputs, createdAt: p.createdAt })),
      requiredCredentials: a.requiredCredentials,
      runCount: this.runsByAgent.get(a.id) ?? 0,
      addedBy: a.addedBy,
      addedAt: a.addedAt,
      updatedAt: a.updatedAt,
    };
  }
}
