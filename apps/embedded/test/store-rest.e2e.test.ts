import { api, greetingGraph, login, startTestPlatform, tempDataDir, waitForExecution } from './support';
import type { Platform } from '../src/platform';
import fs from 'node:fs';

/** The store's whole path through REST: submit → approve → find by search → add to library → run. */
describe('store and library through REST', () => {
  const dataDir = tempDataDir();
  const signup = process.env.AGENTRY_SIGNUP;
  let platform: Platform;
  let admin = '';
  let user = '';
  let base = '';

  beforeAll(async () => {
    process.env.AGENTRY_SIGNUP = 'open'; // the gateway reads its own settings from the environment
    platform = await startTestPlatform(dataDir);
    base = platform.url;
    admin = await login(base);
    const signedUp = await api(base, 'POST', '/api/v1/auth/signup', { email: 'buyer@example.test', password: 'another-horse-battery', tenantName: 'Buyer' });
    expect(signedUp.status).toBe(201);
    user = signedUp.json.accessToken;
  });
  afterAll(async () => {
    await platform?.close();
    if (signup === undefined) delete process.env.AGENTRY_SIGNUP;
    else process.env.AGENTRY_SIGNUP = signup;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('submits, reviews, finds, installs and runs an agent, refusing bad input with stable codes', async () => {
    const graph = await api(base, 'POST', '/api/v1/graphs', greetingGraph(), admin);
    expect(graph.status).toBe(201);
    await api(base, 'PUT', '/api/v1/store/me/profile', { handle: 'greeters', name: 'The Greeters', bio: 'friendly agents', links: ['https://greeters.test'] }, admin);

    // submit: PENDING, not public yet
    const submitted = await api(base, 'POST', '/api/v1/store/listings', { graphId: graph.json.id, name: 'Friendly greeter', subHeading: 'says hello', description: 'Greets any topic with a cheerful sentence.', categories: ['fun', 'writing'] }, admin);
    expect(submitted.status).toBe(201);
    expect(submitted.json).toMatchObject({ status: 'PENDING', latestVersion: 1, approvedVersion: 0 });
    expect(submitted.headers.get('cache-control')).toBe('no-store');
    const id = submitted.json.id as string;
    expect((await api(base, 'GET', '/api/v1/store/listings?q=greeter')).json.items).toHaveLength(0);
    expect((await api(base, 'GET', `/api/v1/store/listings/${id}`)).status).toBe(404);

    // bad input, each with its stable code, nothing written
    const stolen = await api(base, 'POST', '/api/v1/store/listings', { graphId: graph.json.id, name: 'Not mine' }, user);
    expect([stolen.status, stolen.json.code]).toEqual([404, 'NOT_FOUND']);
    const notAdmin = await api(base, 'POST', `/api/v1/store/listings/${id}/versions/1/review`, { decision: 'APPROVE' }, user);
    expect([notAdmin.status, notAdmin.json.code]).toEqual([403, 'PERMISSION_DENIED']);
    const noReason = await api(base, 'POST', `/api/v1/store/listings/${id}/versions/1/review`, { decision: 'REJECT' }, admin);
    expect([noReason.status, noReason.json.code]).toEqual([400, 'VALIDATION_FAILED']);
    const svg = await fetch(`${base}/api/v1/store/media`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'image/png' }, body: '<svg onload="alert(1)"/>' });
    expect([svg.status, ((await svg.json()) as { code: string }).code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect((await api(base, 'GET', '/api/v1/store/my/listings', undefined, user)).json.items).toHaveLength(0);

    // the queue, then approval; approving again is refused
    const queue = await api(base, 'GET', '/api/v1/store/admin/queue', undefined, admin);
    expect(queue.json.items.map((i: { listing: { id: string } }) => i.listing.id)).toEqual([id]);
    const approved = await api(base, 'POST', `/api/v1/store/listings/${id}/versions/1/review`, { decision: 'APPROVE', reason: 'works well' }, admin);
    expect(approved.json).toMatchObject({ status: 'APPROVED', approvedVersion: 1 });
    const again = await api(base, 'POST', `/api/v1/store/listings/${id}/versions/1/review`, { decision: 'APPROVE' }, admin);
    expect([again.status, again.json.code]).toEqual([409, 'INVALID_TRANSITION']);

    // public discovery without signing in, cacheable
    const found = await api(base, 'GET', '/api/v1/store/listings?q=cheerful%20greet&category=fun&sort=relevance');
    expect(found.status).toBe(200);
    expect(found.headers.get('cache-control')).toMatch(/^public/);
    expect(found.json).toMatchObject({ total: 1, items: [{ id, name: 'Friendly greeter', creatorHandle: 'greeters' }] });
    expect((await api(base, 'GET', '/api/v1/store/listings?q=greeters')).json.items.map((l: { id: string }) => l.id)).toEqual([id]);
    expect((await api(base, 'GET', '/api/v1/store/categories')).json.items).toEqual(expect.arrayContaining([{ name: 'fun', listingCount: 1 }]));
    expect((await api(base, 'GET', '/api/v1/store/creators/greeters')).json).toMatchObject({ creator: { name: 'The Greeters', listingCount: 1 }, listings: [{ id }] });

    // ratings: one per user, editable
    expect((await api(base, 'POST', `/api/v1/store/listings/${id}/ratings`, { score: 4, comment: 'nice' }, user)).status).toBe(201);
    const twice = await api(base, 'POST', `/api/v1/store/listings/${id}/ratings`, { score: 5 }, user);
    expect([twice.status, twice.json.code]).toEqual([409, 'ALREADY_EXISTS']);
    expect((await api(base, 'PUT', `/api/v1/store/listings/${id}/ratings/mine`, { score: 5, comment: 'great' }, user)).status).toBe(200);
    expect((await api(base, 'GET', `/api/v1/store/listings/${id}`)).json).toMatchObject({ ratingAverage: 5, ratingCount: 1 });

    // add to my library: a fork with lineage, in my tenant
    const added = await api(base, 'POST', '/api/v1/library', { listingId: id }, user);
    expect(added.status).toBe(201);
    const fork = await api(base, 'GET', `/api/v1/graphs/${added.json.graphId}`, undefined, user);
    expect(fork.json).toMatchObject({ name: 'Greeting', forkedFrom: { id: graph.json.id, version: 1 } });
    expect((await api(base, 'GET', `/api/v1/graphs/${added.json.graphId}`, undefined, admin)).status).toBe(404);

    // run it, once with a preset
    const preset = await api(base, 'POST', `/api/v1/library/${added.json.id}/presets`, { name: 'world', inputs: { topic: 'world' } }, user);
    expect(preset.status).toBe(201);
    const run = await api(base, 'POST', `/api/v1/library/${added.json.id}/run`, { presetId: preset.json.presets[0].id }, user);
    expect(run.status).toBe(202);
    const done = await waitForExecution(base, user, run.json.executionId);
    expect(done).toMatchObject({ status: 'COMPLETED', outputs: { greeting: ['Hello world!'] } });

    // run counts come from execution events
    let runCount = 0;
    for (let i = 0; i < 200 && runCount < 1; i++) {
      runCount = (await api(base, 'GET', `/api/v1/store/listings/${id}?fresh=${i}`)).json.runCount;
      if (runCount < 1) await new Promise((r) => setTimeout(r, 25));
    }
    expect(runCount).toBe(1);

    // a new version: the library is told, and updates in one click
    const v2 = await api(base, 'PUT', `/api/v1/graphs/${graph.json.id}`, { ...greetingGraph(), baseVersion: 1, nodes: greetingGraph().nodes.map((n) => (n.id === 'fill' ? { ...n, inputDefault: { format: 'Hi there, {{ topic }}!', values: {} } } : n)) }, admin);
    expect(v2.status).toBe(200);
    expect((await api(base, 'POST', `/api/v1/store/listings/${id}/versions`, { graphVersion: 2, name: 'Friendly greeter', description: 'Now even friendlier.', categories: ['fun'] }, admin)).status).toBe(201);
    await api(base, 'POST', `/api/v1/store/listings/${id}/versions/2/review`, { decision: 'APPROVE' }, admin);
    const notice = await api(base, 'GET', '/api/v1/library', undefined, user);
    expect(notice.json.items[0]).toMatchObject({ updateAvailable: true, listingVersion: 1, latestVersion: 2, runCount: 1 });
    const updated = await api(base, 'POST', `/api/v1/library/${added.json.id}/update`, undefined, user);
    expect(updated.json).toMatchObject({ updateAvailable: false, listingVersion: 2, presets: [{ name: 'world' }] });
    const run2 = await api(base, 'POST', `/api/v1/library/${added.json.id}/run`, { presetId: preset.json.presets[0].id }, user);
    expect((await waitForExecution(base, user, run2.json.executionId)).outputs).toEqual({ greeting: ['Hi there, world!'] });
  });
});
