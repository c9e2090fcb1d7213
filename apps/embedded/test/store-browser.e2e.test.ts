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
});
