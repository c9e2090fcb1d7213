import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN, api, greetingGraph, login, startTestPlatform, tempDataDir } from './support';
import { DEMO_CATALOGUE, seedStore } from '@agentry/svc-store/src/seed/demo-catalogue';
import type { Platform } from '../src/platform';

const CHROMIUM = '/usr/bin/chromium';
const EDITOR_DIST = path.resolve(__dirname, '../../editor/dist/index.html');
const SHOTS = path.resolve(__dirname, '../../../test-results/store');
const canRun = fs.existsSync(CHROMIUM) && fs.existsSync(EDITOR_DIST);
if (!canRun) console.warn(`store browser e2e skipped: needs ${CHROMIUM} (apt-get install chromium) and a built editor (npm run build:editor)`);

const BUYER = { email: 'buyer@example.test', password: 'another-horse-battery' };

(canRun ? describe : describe.skip)('the store in a real browser against the real platform', () => {
  const dataDir = tempDataDir();
  const signup = process.env.AGENTRY_SIGNUP;
  let platform: Platform;
  let browser: Browser;
  const errors: string[] = [];

  async function newPage(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => errors.push(String(e.stack ?? e)));
    return page;
  }
  async function signIn(page: Page, who: { email: string; password: string }) {
    await page.goto(`${platform.url}/login`);
    await page.getByTestId('login-email').fill(who.email);
    await page.getByTestId('login-password').fill(who.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('graph-list').waitFor();
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, name) });

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    process.env.AGENTRY_SIGNUP = 'open';
    platform = await startTestPlatform(dataDir);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.close();
    if (signup === undefined) delete process.env.AGENTRY_SIGNUP;
    else process.env.AGENTRY_SIGNUP = signup;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('seeds a catalogue, then submit → approve → search → add to library → run, all in the browser', async () => {
    const token = await login(platform.url);
    expect(await seedStore(platform.url, token)).toBe(DEMO_CATALOGUE.length);
    expect(await seedStore(platform.url, token)).toBe(0); // idempotent
    const graph = await api(platform.url, 'POST', '/api/v1/graphs', { ...greetingGraph(), name: 'Greeting' }, token);
    expect((await api(platform.url, 'POST', '/api/v1/auth/signup', BUYER)).status).toBe(201);

    // the public catalogue, signed out
    const visitor = await newPage();
    await visitor.goto(`${platform.url}/store`);
    await visitor.getByTestId('store-featured').waitFor();
    await visitor.getByTestId('store-total').filter({ hasText: `${DEMO_CATALOGUE.length} agents` }).waitFor();
    await shot(visitor, '01-catalogue-signed-out.png');
    await visitor.getByTestId('store-search').fill('invoice');
    await visitor.getByTestId('store-total').filter({ hasText: /^[1-9]\d* agents$/ }).waitFor();
    await visitor.getByTestId('store-results').getByText('Invoice Data Extractor').waitFor();
    await visitor.close();

    // the creator submits
    const creator = await newPage();
    await signIn(creator, ADMIN);
    await creator.goto(`${platform.url}/store/submit`);
    await creator.getByTestId('submit-graph').locator(`option[value="${graph.json.id}"]`).waitFor({ state: 'attached' });
    await creator.getByTestId('submit-graph').selectOption(graph.json.id);
    await creator.getByTestId('submit-name').fill('Friendly greeter');
    await creator.getByTestId('submit-subheading').fill('says hello');
    await creator.getByTestId('submit-description').fill('Greets any topic with a cheerful sentence.');
    await creator.getByTestId('submit-categories').fill('fun, writing');
    await creator.getByTestId('submit-button').click();
    const mine = creator.getByTestId('my-listings').locator('tr', { hasText: 'Friendly greeter' });
    await mine.getByTestId('my-listing-status').filter({ hasText: 'PENDING' }).waitFor();
    await shot(creator, '02-submitted.png');

    // the store admin approves from the queue
    await creator.getByTestId('nav-review-queue').click();
    const item = creator.locator('[data-testid^="queue-item-"]', { hasText: 'Friendly greeter' });
    await item.waitFor();
    await shot(creator, '03-review-queue.png');
    await item.getByTestId('queue-approve').click();
    await creator.getByTestId('queue-empty').waitFor();
    await creator.close();

    // a user of another tenant finds it and adds it to their library
    const buyer = await newPage();
    await signIn(buyer, BUYER);
    await buyer.getByTestId('nav-store').first().click();
    await buyer.getByTestId('store-search').fill('cheerful greet');
    const card = buyer.getByTestId('store-results').locator('[data-testid^="listing-card-"]', { hasText: 'Friendly greeter' });
    await card.waitFor();
    // only platform admins review submissions: no review queue in a member's bar
    await buyer.getByTestId('nav-profile').waitFor();
    expect(await buyer.getByTestId('nav-review-queue').count()).toBe(0);
    await shot(buyer, '04-search.png');
    await card.getByTestId('listing-open').click();
    await buyer.getByTestId('listing-name').filter({ hasText: 'Friendly greeter' }).waitFor();
    await buyer.getByTestId('rating-score').selectOption('5');
    await buyer.getByTestId('rating-comment').fill('lovely');
    await buyer.getByTestId('rating-submit').click();
    await buyer.getByTestId('listing-rating').filter({ hasText: '★ 5.0' }).waitFor();
    await shot(buyer, '05-listing.png');
    await buyer.getByTestId('listing-add-to-library').click();
    const row = buyer.getByTestId('library-list').locator('tr', { hasText: 'Friendly greeter' });
    await row.waitFor();
    await shot(buyer, '06-library.png');

    // and runs it in the editor
    await row.getByTestId('library-open').click();
    await buyer.getByTestId('node-fill').waitFor();
    await buyer.getByTestId('run-input-topic').fill('world');
    await buyer.getByTestId('run-button').click();
    await buyer.getByTestId('output-greeting').waitFor({ timeout: 30000 }).catch(async (err: unknown) => {
      await shot(buyer, '07-run-failed.png');
      console.error(errors.join('\n'));
      throw err;
    });
    expect(await buyer.getByTestId('output-greeting').textContent()).toContain('Hello world!');
    await shot(buyer, '07-run-completed.png');
    await buyer.close();
    expect(errors).toEqual([]);
  });

  it('presets per library agent (create, list, run), creator profile editing with an avatar, and a new version from "my submissions"', async () => {
    const admin = await login(platform.url);
    const graph = await api(platform.url, 'POST', '/api/v1/graphs', { ...greetingGraph(), name: 'Preset greeting' }, admin);
    const listing = await api(platform.url, 'POST', '/api/v1/store/listings', { graphId: graph.json.id, name: 'Preset greeter', subHeading: 'greets from presets', description: 'Says hello to a saved topic.', categories: ['fun'] }, admin);
    expect(listing.status).toBe(201);
    expect((await api(platform.url, 'POST', `/api/v1/store/listings/${listing.json.id}/versions/1/review`, { decision: 'APPROVE' }, admin)).status).toBe(200);
    const signup = await api(platform.url, 'POST', '/api/v1/auth/signup', { email: 'presets@example.test', password: 'preset-horse-battery' });
    expect([201, 409]).toContain(signup.status);
    const buyerToken = (await api(platform.url, 'POST', '/api/v1/auth/login', { email: 'presets@example.test', password: 'preset-horse-battery' })).json.accessToken as string;
    expect((await api(platform.url, 'POST', '/api/v1/library', { listingId: listing.json.id }, buyerToken)).status).toBe(201);

    // presets: create one from the agent's inputs, see it listed, run it and see its output
    const buyer = await newPage();
    await signIn(buyer, { email: 'presets@example.test', password: 'preset-horse-battery' });
    await buyer.goto(`${platform.url}/library`);
    const row = buyer.getByTestId(`library-row-${listing.json.id}`);
    await row.getByTestId('library-presets').click();
    const panel = buyer.getByTestId('preset-panel');
    await panel.getByTestId('preset-input-topic').waitFor();
    await panel.getByTestId('preset-save').click();
    await panel.getByText('Give the preset a name').waitFor();
    await panel.getByTestId('preset-name').fill('World');
    await panel.getByTestId('preset-input-topic').fill('world');
    await panel.getByTestId('preset-save').click();
    const preset = panel.locator('[data-preset-name="World"]');
    await preset.waitFor();
    await row.getByTestId('library-presets').filter({ hasText: '1 presets' }).waitFor();
    await shot(buyer, '08-preset-saved.png');
    await preset.getByTestId('preset-run').click();
    await preset.getByTestId('preset-run-status').filter({ hasText: 'COMPLETED' }).waitFor({ timeout: 30000 });
    expect(await preset.getByTestId('preset-output-greeting').textContent()).toContain('Hello world!');
    await shot(buyer, '09-preset-run.png');
    const lib = await api(platform.url, 'GET', '/api/v1/library', undefined, buyerToken);
    const agent = (lib.json.items as Array<{ listingId: string; presets: Array<{ name: string; inputs: unknown }> }>).find((a) => a.listingId === listing.json.id);
    expect(agent?.presets).toEqual([expect.objectContaining({ name: 'World', inputs: { topic: 'world' } })]);
    await buyer.close();

    // creator profile: handle, name, bio, links and an uploaded avatar, shown on the public creator page
    const creator = await newPage();
    await signIn(creator, ADMIN);
    await creator.goto(`${platform.url}/store`);
    await creator.getByTestId('nav-profile').click();
    await creator.getByTestId('profile-form').waitFor();
    await creator.getByTestId('profile-handle').fill('greetings-co');
    await creator.getByTestId('profile-name').fill('Greetings Co');
    await creator.getByTestId('profile-bio').fill('We make agents that say hello.');
    await creator.getByTestId('profile-links').fill('https://greetings.example/\nhttps://greetings.example/blog');
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    await creator.getByTestId('profile-avatar').setInputFiles({ name: 'avatar.png', mimeType: 'image/png', buffer: png });
    await creator.getByTestId('profile-avatar-preview').waitFor();
    await creator.getByTestId('profile-save').click();
    await creator.getByTestId('profile-public-link').filter({ hasText: '@greetings-co' }).waitFor();
    await shot(creator, '10-profile.png');
    await creator.getByTestId('profile-public-link').click();
    await creator.getByTestId('creator-name').filter({ hasText: 'Greetings Co' }).waitFor();
    expect(await creator.getByTestId('creator-page').textContent()).toContain('We make agents that say hello.');
    const avatar = await creator.getByTestId('creator-page').locator('img').first().getAttribute('src');
    const served = await fetch(`${platform.url}${avatar}`);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);
    await shot(creator, '11-creator-page.png');

    // a new version of the listing from "my submissions", after the graph changed
    const current = await api(platform.url, 'GET', `/api/v1/graphs/${graph.json.id}`, undefined, admin);
    const changed = greetingGraph();
    changed.nodes[1].inputDefault.format = 'Hi {{ topic }}!';
    expect((await api(platform.url, 'PUT', `/api/v1/graphs/${graph.json.id}`, { ...changed, name: 'Preset greeting', baseVersion: current.json.version }, admin)).status).toBe(200);
    await creator.goto(`${platform.url}/store/submit`);
    const v1 = creator.getByTestId(`my-listing-${listing.json.id}-v1`);
    await v1.getByTestId('my-listing-status').filter({ hasText: 'APPROVED' }).waitFor();
    await v1.getByTestId('my-listing-resubmit').click();
    const form = creator.getByTestId('resubmit-form');
    expect(await form.getByTestId('resubmit-name').inputValue()).toBe('Preset greeter');
    await form.getByTestId('resubmit-subheading').fill('now says hi');
    await form.getByTestId('resubmit-button').click();
    const v2 = creator.getByTestId(`my-listing-${listing.json.id}-v2`);
    await v2.getByTestId('my-listing-status').filter({ hasText: 'PENDING' }).waitFor();
    await shot(creator, '12-new-version.png');
    const mine = await api(platform.url, 'GET', `/api/v1/store/my/listings/${listing.json.id}`, undefined, admin);
    expect(mine.json.versions.find((v: { version: number }) => v.version === 2)).toMatchObject({ subHeading: 'now says hi', status: 'PENDING', graphVersion: current.json.version + 1 });
    await creator.close();
    expect(errors).toEqual([]);
  });
});
