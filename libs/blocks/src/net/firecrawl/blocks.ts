import { defineBlock, type BlockContext } from '@agentry/block-sdk';
import { z } from 'zod';
import { ProviderError } from '../errors';
import { callProvider, providerBaseUrl, requireSecret } from '../http';
import { credentialsInput } from '../llm/blocks';
import { pollIntervalMs, pollJob, testApiKey, withErrorPin } from '../support';

/** Firecrawl API v2 (https://docs.firecrawl.dev/api-reference): scrape, crawl (async job), map, extract (async job). */
const FIRECRAWL_CREDENTIALS = { field: 'credentials', providers: ['firecrawl'], types: ['api_key' as const] };
const JOB_TIMEOUT_MS = 15 * 60_000;
const fcKey = testApiKey('firecrawl');

const SCRAPE_FORMATS = [
  'markdown',
  'html',
  'rawHtml',
  'links',
  'screenshot',
  'screenshot@fullPage',
  'json',
  'changeTracking',
] as const;
type ScrapeFormat = (typeof SCRAPE_FORMATS)[number];

/** Output pin for each requested format, as AutoGPT names them. */
const FORMAT_PINS: Record<ScrapeFormat, [pin: string, field: string]> = {
  markdown: ['markdown', 'markdown'],
  html: ['html', 'html'],
  rawHtml: ['raw_html', 'rawHtml'],
  links: ['links', 'links'],
  screenshot: ['screenshot', 'screenshot'],
  'screenshot@fullPage': ['screenshot_full_page', 'screenshot'],
  json: ['json_data', 'json'],
  changeTracking: ['change_tracking', 'changeTracking'],
};

/** v2 takes simple formats as strings; a full-page screenshot is an object. */
const apiFormat = (f: ScrapeFormat): unknown => (f === 'screenshot@fullPage' ? { type: 'screenshot', fullPage: true } : f);

async function firecrawl<T>(
  ctx: BlockContext,
  path: string,
  init: { method?: string; json?: unknown } = {},
): Promise<T> {
  const { data } = await callProvider<T>(ctx, {
    provider: 'firecrawl',
    url: path.startsWith('http') ? path : `${providerBaseUrl('firecrawl')}${path}`,
    method: init.method,
    json: init.json,
    headers: { authorization: `Bearer ${requireSecret(ctx, 'firecrawl')}` },
  });
  const outcome = data as { success?: boolean; error?: string } | undefined;
  if (outcome?.success === false)
    throw new ProviderError('firecrawl', 'PROVIDER_REJECTED', `firecrawl error: ${outcome.error ?? 'unknown'}`, 200, false);
  return data;
}

type Page = Record<string, unknown>;

export const firecrawlCrawlBlock = defineBlock({
  id: 'bdbbaba0-03b7-4971-970e-699e2de6015e',
  name: 'FirecrawlCrawlBlock',
  description: 'Crawl a website with Firecrawl and return the content of each page in the requested formats.',
  categories: ['SEARCH'],
  credentials: FIRECRAWL_CREDENTIALS,
  input: z.object({
    credentials: credentialsInput,
    url: z.string().describe('The URL to crawl'),
    limit: z.number().int().min(1).default(10).describe('Maximum number of pages to crawl'),
    only_main_content: z.boolean().default(true).describe('Only the main content of each page (no header, nav, footer)'),
    max_age: z.number().int().min(0).default(3_600_000).describe('Use a cached copy younger than this (ms)'),
    wait_for: z.number().int().min(0).default(0).describe('Wait this long (ms) before fetching each page'),
    formats: z.array(z.enum(SCRAPE_FORMATS)).default(['markdown']).describe('Formats to return'),
  }),
  output: z.object({
    data: z.array(z.record(z.string(), z.unknown())).describe('Every crawled page'),
    markdown: z.string(),
    html: z.string(),
    raw_html: z.string(),
    links: z.array(z.string()),
    screenshot: z.string(),
    screenshot_full_page: z.string(),
    json_data: z.record(z.string(), z.unknown()),
    change_tracking: z.record(z.string(), z.unknown()),
  }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const started = await firecrawl<{ id: string }>(ctx, '/v2/crawl', {
        method: 'POST',
        json: {
          url: input.url,
          limit: input.limit,
          scrapeOptions: {
            formats: input.formats.map(apiFormat),
            onlyMainContent: input.only_main_content,
            maxAge: input.max_age,
            waitFor: input.wait_for,
          },
        },
      });
      type Status = { status: string; total?: number; completed?: number; data?: Page[]; next?: string | null };
      const finished = await pollJob(
        ctx,
        { provider: 'firecrawl', what: 'the crawl', intervalMs: pollIntervalMs(2000), timeoutMs: JOB_TIMEOUT_MS },
        async () => {
          const s = await firecrawl<Status>(ctx, `/v2/crawl/${encodeURIComponent(started.id)}`);
          if (s.status === 'failed' || s.status === 'cancelled')
            throw new ProviderError('firecrawl', 'PROVIDER_REJECTED', `firecrawl crawl ${s.status}`, 200, false);
          if (s.status !== 'completed') {
            if (s.total) ctx.emitProgress({ fraction: (s.completed ?? 0) / s.total });
            return undefined;
          }
          return s;
        },
      );
      // Large crawls come back in pages linked by `next`.
      const pages: Page[] = [...(finished.data ?? [])];
      for (let next = finished.next; next; ) {
        const more = await firecrawl<Status>(ctx, next);
        pages.push(...(more.data ?? []));
        next = more.next;
      }
      yield ['data', pages];
      for (const page of pages)
        for (const format of input.formats) {
          const [pin, field] = FORMAT_PINS[format];
          if (page[field] !== undefined && page[field] !== null) yield [pin, page[field]];
        }
    }),
  testCases: [
    {
      needs: ['firecrawl'],
      credentials: fcKey,
      input: { url: 'https://example.com', limit: 2 },
      output: [
        ['data', (v: unknown) => Array.isArray(v) && v.length === 2],
        ['markdown', '# Page 1 of https://example.com'],
        ['markdown', '# Page 2 of https://example.com'],
      ],
    },
    {
      name: 'bad key',
      needs: ['firecrawl'],
      credentials: { ...fcKey, apiKey: 'fc-invalid-key-000000' } as never,
      input: { url: 'https://example.com' },
      output: [['error', 'firecrawl API error 401: Unauthorized: Invalid token']],
    },
  ],
});

export const firecrawlMapWebsiteBlock = defineBlock({
  id: 'f0f43e2b-c943-48a0-a7f1-40136ca4d3b9',
  name: 'FirecrawlMapWebsiteBlock',
  description: 'List the URLs of a website with Firecrawl map.',
  categories: ['SEARCH'],
  credentials: FIRECRAWL_CREDENTIALS,
  input: z.object({
    credentials: credentialsInput,
    url: z.string().describe('The website to map'),
  }),
  output: z.object({
    links: z.array(z.string()).describe('URLs found on the website'),
    results: z.array(z.record(z.string(), z.unknown())).describe('Each link with its title and description'),
  }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const data = await firecrawl<{ links?: Array<string | { url: string; title?: string; description?: string }> }>(
        ctx,
        '/v2/map',
        { method: 'POST', json: { url: input.url } },
      );
      const results = (data.links ?? []).map((l) => (typeof l === 'string' ? { url: l } : l));
      yield ['links', results.map((r) => r.url)];
      yield ['results', results];
    }),
  testCases: [
    {
      needs: ['firecrawl'],
      credentials: fcKey,
      input: { url: 'https://example.com' },
      output: [
        ['links', ['https://example.com', 'https://example.com/about', 'https://example.com/blog']],
        ['results', (v: unknown) => Array.isArray(v) && (v[1] as { title?: string }).title === 'About'],
      ],
    },
  ],
});

export const firecrawlExtractBlock = defineBlock({
  id: 'd1774756-4d9e-40e6-bab1-47ec0ccd81b2',
  name: 'FirecrawlExtractBlock',
  description: 'Extract structured data from web pages with Firecrawl, guided by a prompt and an optional schema.',
  categories: ['SEARCH'],
  credentials: FIRECRAWL_CREDENTIALS,
  input: z.object({
    credentials: credentialsInput,
    urls: z.array(z.string()).default([]).describe('URLs to extract from; a trailing /* covers the whole domain'),
    prompt: z.string().nullish().describe('What to extract'),
    output_schema: z.record(z.string(), z.unknown()).nullish().describe('JSON Schema of the data to extract'),
    enable_web_search: z.boolean().default(false).describe('Follow links outside the given URLs'),
  }),
  output: z.object({ data: z.record(z.string(), z.unknown()).describe('The extracted data') }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const started = await firecrawl<{ id: string }>(ctx, '/v2/extract', {
        method: 'POST',
        json: {
          urls: input.urls,
          ...(input.prompt ? { prompt: input.prompt } : {}),
          ...(input.output_schema ? { schema: input.output_schema } : {}),
          enableWebSearch: input.enable_web_search,
        },
      });
      const result = await pollJob(
        ctx,
        { provider: 'firecrawl', what: 'the extraction', intervalMs: pollIntervalMs(2000), timeoutMs: JOB_TIMEOUT_MS },
        async () => {
          const s = await firecrawl<{ status: string; data?: Record<string, unknown>; error?: string }>(
            ctx,
            `/v2/extract/${encodeURIComponent(started.id)}`,
          );
          if (s.status === 'failed' || s.status === 'cancelled')
            throw new ProviderError(
              'firecrawl',
              'PROVIDER_REJECTED',
              `firecrawl extract ${s.status}${s.error ? `: ${s.error}` : ''}`,
              200,
              false,
            );
          return s.status === 'completed' ? (s.data ?? {}) : undefined;
        },
      );
      yield ['data', result];
    }),
  testCases: [
    {
      needs: ['firecrawl'],
      credentials: fcKey,
      input: { urls: ['https://example.com'], prompt: 'Company name' },
      output: [['data', { prompt: 'Company name', urls: ['https://example.com'], summary: 'Extracted 1 page(s)' }]],
    },
  ],
});

export const firecrawlBlocks = [firecrawlCrawlBlock, firecrawlMapWebsiteBlock, firecrawlExtractBlock];
