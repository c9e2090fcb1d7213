import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteEventLog, type SqliteEventLog } from '@agentry/event-log/src/sqlite';
import { checkHealth, connect } from '@agentry/grpc';
import { createLogger } from '@agentry/observability';
import { storeV1 } from '@agentry/proto-ts';
import { startStoreService } from '../src';
import { fakeGraphs } from './fake-graphs';

const creator = { tenantId: 't1', userId: 'u1', roles: [] };
const other = { tenantId: 't2', userId: 'u2', roles: [] };
const third = { tenantId: 't3', userId: 'u3', roles: [] };
const admin = { tenantId: 't9', userId: 'a1', roles: ['admin'] };
const listingFields = { subHeading: 'news', description: 'summarises your feeds every morning', categories: ['Productivity'], images: [], videoUrl: '', draft: false };
const noQuery = { page: undefined, query: '', category: '', sort: '', featuredOnly: false, creatorHandle: '', minRating: 0 };
const node = (id: string, inputDefault: Record<string, unknown>) => ({ id, blockId: 'b', inputDefault, metadata: {} });

describe('StoreService over a real socket', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-store-'));
  const graphs = fakeGraphs();
  const source = graphs.seed('t1', { name: 'Digest', description: '', nodes: [node('llm', { prompt: 'v1', credentials: { id: 'secret-cred' } })], links: [] });
  let log: SqliteEventLog;
  let service: Awaited<ReturnType<typeof startStoreService>>;
  let client: ReturnType<typeof connect<storeV1.StoreServiceClient>>;
  const start = async () => {
    service = await startStoreService({ events: log.events, logger: createLogger({ name: 'test', level: 'silent' }), graphs });
    client = connect(storeV1.StoreServiceClient, service.address);
  };
  const stop = async () => {
    client.close();
    await service.close();
  };
  let listingId = '';

  beforeAll(async () => {
    log = createSqliteEventLog({ path: path.join(dir, 'events.db') });
    await start();
  });
  afterAll(async () => {
    await stop();
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a submission as PENDING with a stripped snapshot, and keeps it out of the public catalogue until approved', async () => {
    expect(await checkHealth(service.address)).toBe('SERVING');
    const { listing } = await client.createListing({ caller: creator, graphId: source.id, graphVersion: 1, name: 'Daily digest', ...listingFields });
    listingId = listing!.id;
    expect(listing).toMatchObject({ status: 'PENDING', categories: ['productivity'], approvedVersion: 0, latestVersion: 1, creatorHandle: expect.stringMatching(/^creator-/) });
    expect(listing!.slug).toMatch(/^daily-digest-/);
    expect(listing!.versions[0].snapshot).toEqual({ name: 'Digest', description: '', nodes: [expect.objectContaining({ id: 'llm', inputDefault: { prompt: 'v1' } })], links: [] });
    expect(listing!.versions[0].requiredCredentials).toEqual(['llm.credentials']);
    expect((await client.listListings(noQuery)).items).toHaveLength(0);
    await expect(client.getListing({ listingId, caller: undefined })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(client.getListing({ listingId, caller: other })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await client.listMyListings({ caller: creator })).items.map((l) => l.id)).toEqual([listingId]);
  });

  it('refuses bad submissions with stable codes and writes nothing', async () => {
    const before = await log.events.headPosition();
    await expect(client.createListing({ caller: creator, graphId: '', graphVersion: 0, name: '', ...listingFields })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { errors: { name: 'required' } } });
    // another tenant's graph does not exist for this caller
    await expect(client.createListing({ caller: other, graphId: source.id, graphVersion: 1, name: 'Stolen', ...listingFields })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(client.createListing({ caller: creator, graphId: source.id, graphVersion: 1, name: 'x', ...listingFields, images: ['00000000-0000-4000-8000-00000000dead'] })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(client.uploadMedia({ caller: creator, data: Buffer.from('<svg/>'), contentType: 'image/png' })).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    await expect(client.uploadMedia({ caller: creator, data: Buffer.alloc(3 * 1024 * 1024, 0xff), contentType: 'image/jpeg' })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(await log.events.headPosition()).toBe(before);
  });

  it('runs the review workflow: only admins, only pending versions, reasons kept', async () => {
    await expect(client.reviewListingVersion({ caller: creator, listingId, version: 1, decision: 'APPROVE', reason: '' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(client.listReviewQueue({ caller: creator, status: '' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect((await client.listReviewQueue({ caller: admin, status: '' })).items.map((i) => i.listing!.id)).toEqual([listingId]);
    const { listing } = await client.reviewListingVersion({ caller: admin, listingId, version: 1, decision: 'APPROVE', reason: 'looks good' });
    expect(listing).toMatchObject({ status: 'APPROVED', approvedVersion: 1 });
    await expect(client.reviewListingVersion({ caller: admin, listingId, version: 1, decision: 'REJECT', reason: 'changed my mind' })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    await expect(client.updateListingVersion({ caller: creator, listingId, version: 1, details: { name: 'New name', subHeading: '', description: '', categories: [], images: [], videoUrl: '' } })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    const pub = (await client.getListing({ listingId: listing!.slug, caller: undefined })).listing!;
    expect(pub).toMatchObject({ id: listingId, name: 'Daily digest', graphId: '' });
    expect(pub.versions.map((v) => v.snapshot)).toEqual([undefined]);
  });

  it('finds approved listings by full-text search over name, description and creator, with filters and sorting', async () => {
    await client.saveCreatorProfile({ caller: creator, handle: 'acme', name: 'Acme Labs', bio: 'we build agents', links: ['https://acme.test'], avatar: '' });
    await expect(client.saveCreatorProfile({ caller: other, handle: 'acme', name: 'Imposter', bio: '', links: [], avatar: '' })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    for (const q of ['digest', 'summar', 'acme', 'labs', 'Daily feeds']) expect((await client.listListings({ ...noQuery, query: q })).items.map((l) => l.id)).toEqual([listingId]);
    expect((await client.listListings({ ...noQuery, query: 'zebra' })).items).toHaveLength(0);
    expect((await client.listListings({ ...noQuery, category: 'productivity' })).total).toBe(1);
    expect((await client.listListings({ ...noQuery, category: 'finance' })).total).toBe(0);
    expect((await client.listListings({ ...noQuery, creatorHandle: 'acme', sort: 'rating' })).items).toHaveLength(1);
    expect((await client.listCategories({})).items).toEqual([{ name: 'productivity', listingCount: 1 }]);
    const page = await client.getCreator({ handle: 'acme', caller: undefined });
    expect(page.creator).toMatchObject({ handle: 'acme', name: 'Acme Labs', listingCount: 1 });
    expect(page.listings.map((l) => l.id)).toEqual([listingId]);
  });

  it('keeps one editable rating per user per listing, averaged by projection', async () => {
    await client.rateListing({ caller: other, listingId, score: 4, comment: 'useful' });
    await expect(client.rateListing({ caller: other, listingId, score: 5, comment: 'again' })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(client.rateListing({ caller: third, listingId, score: 6, comment: '' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(client.rateListing({ caller: creator, listingId, score: 5, comment: 'mine' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await client.rateListing({ caller: third, listingId, score: 1, comment: 'meh' });
    await client.editRating({ caller: third, listingId, score: 3, comment: 'better now' });
    const l = (await client.getListing({ listingId, caller: undefined })).listing!;
    expect(l).toMatchObject({ ratingAverage: 3.5, ratingCount: 2 });
    expect((await client.listRatings({ listingId, page: undefined })).items.map((r) => [r.score, r.comment]).sort()).toEqual([
      [3, 'better now'],
      [4, 'useful'],
    ]);
  });

  it('adds a listing to a library as a fork, tells about a newer approved version, and updates keeping my inputs and presets', async () => {
    const { agent } = await client.addToLibrary({ caller: other, listingId });
    expect(agent).toMatchObject({ listingVersion: 1, updateAvailable: false, requiredCredentials: ['llm.credentials'] });
    const fork = graphs.graphs.get(agent!.graphId)!;
    expect(fork[0]).toMatchObject({ tenantId: 't2', forkedFrom: { id: source.id, version: 1 } });
    await expect(client.addToLibrary({ caller: other, listingId })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    // the installer fills in its own credentials and saves a preset
    await graphs.update(other, agent!.graphId, 1, { ...fork[0], nodes: [node('llm', { prompt: 'v1', credentials: { id: 'my-own' } })] });
    await client.savePreset({ caller: other, libraryAgentId: agent!.id, name: 'morning', inputs: { topic: 'ai' } });

    // the creator publishes version 2
    const g2 = await graphs.update(creator, source.id, 1, { name: 'Digest', description: '', links: [], nodes: [node('llm', { prompt: 'v2', credentials: { id: 'secret-cred' } })] });
    await client.addListingVersion({ caller: creator, listingId, graphVersion: g2.version, draft: false, details: { name: 'Daily digest', subHeading: 'now better', description: 'v2', categories: ['productivity'], images: [], videoUrl: '' } });
    await expect(client.addListingVersion({ caller: creator, listingId, graphVersion: 2, draft: false, details: { name: 'x', subHeading: '', description: '', categories: [], images: [], videoUrl: '' } })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    expect((await client.getLibraryAgent({ caller: other, libraryAgentId: agent!.id })).agent!.updateAvailable).toBe(false);
    await client.reviewListingVersion({ caller: admin, listingId, version: 2, decision: 'APPROVE', reason: '' });
    const [listed] = (await client.listLibrary({ caller: other })).items;
    expect(listed).toMatchObject({ id: agent!.id, updateAvailable: true, latestVersion: 2, listingVersion: 1 });

    const updated = (await client.updateLibraryAgent({ caller: other, libraryAgentId: agent!.id })).agent!;
    expect(updated).toMatchObject({ listingVersion: 2, updateAvailable: false, presets: [expect.objectContaining({ name: 'morning', inputs: { topic: 'ai' } })] });
    const mine = graphs.graphs.get(agent!.graphId)!;
    expect(mine[mine.length - 1].nodes[0].inputDefault).toEqual({ prompt: 'v2', credentials: { id: 'my-own' } });
    await expect(client.updateLibraryAgent({ caller: other, libraryAgentId: agent!.id })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    await expect(client.getLibraryAgent({ caller: third, libraryAgentId: agent!.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('counts runs of library agents from execution events, once per execution', async () => {
    const [agent] = (await client.listLibrary({ caller: other })).items;
    const requested = (executionId: string) => ({ type: 'ExecutionRequested', data: { executionId, graphId: agent.graphId, graphVersion: 2 } });
    await log.events.append('execution-e1', [requested('e1')], { expectedVersion: 0, tenantId: 't2' });
    await log.events.append('execution-e2', [requested('e2')], { expectedVersion: 0, tenantId: 't2' });
    await log.events.append('execution-e3', [{ type: 'ExecutionRequested', data: { executionId: 'e3', graphId: 'unrelated' } }], { expectedVersion: 0, tenantId: 't2' });
    let runs = 0;
    for (let i = 0; i < 200 && runs < 2; i++) {
      runs = (await client.getListing({ listingId, caller: undefined })).listing!.runCount;
      if (runs < 2) await new Promise((r) => setTimeout(r, 10));
    }
    expect(runs).toBe(2);
    expect((await client.listLibrary({ caller: other })).items[0].runCount).toBe(2);
  });

  it('rebuilds every projection, the search index included, from the log after a restart', async () => {
    const before = (await client.getListing({ listingId, caller: creator })).listing;
    await stop();
    await start();
    expect((await client.getListing({ listingId, caller: creator })).listing).toEqual(before);
    expect((await client.listListings({ ...noQuery, query: 'acme', sort: 'runs' })).items.map((l) => [l.id, l.runCount])).toEqual([[listingId, 2]]);
    expect((await client.listLibrary({ caller: other })).items[0]).toMatchObject({ runCount: 2, presets: [expect.objectContaining({ name: 'morning' })] });
  });

  it('serves uploaded images by id with the type their bytes prove', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32)]);
    const up = await client.uploadMedia({ caller: creator, data: png, contentType: 'image/jpeg' });
    expect(up).toMatchObject({ contentType: 'image/png', size: 40 });
    const got = await client.getMedia({ mediaId: up.mediaId });
    expect(Buffer.from(got.data).equals(png)).toBe(true);
    await client.saveCreatorProfile({ caller: creator, handle: 'acme', name: 'Acme Labs', bio: '', links: [], avatar: up.mediaId });
    expect((await client.getCreator({ handle: '', caller: creator })).creator!.avatar).toBe(up.mediaId);
  });
});
