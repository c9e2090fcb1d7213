import { defineBlock } from '@agentry/block-sdk';
import { load } from 'cheerio';
import { XMLParser } from 'fast-xml-parser';
import { NodeHtmlMarkdown } from 'node-html-markdown';
import { z } from 'zod';
import { credentialsInput } from '../llm/blocks';
import { callProvider, callProviderText, providerBaseUrl, requireSecret } from '../http';
import { fakeWebUrl, lazyInput, testApiKey, withErrorPin } from '../support';

const JINA_CREDENTIALS = { field: 'credentials', providers: ['jina'], types: ['api_key' as const] };

// ---------------------------------------------------------------- SendWebRequestBlock

/** `data:[<mime>][;base64],<data>` → Blob with a file name; the only file source accepted (no local paths). */
function dataUriToBlob(uri: string): Blob {
  const m = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(uri);
  if (!m) throw new Error('files must be data: URIs');
  const bytes = m[2] ? Buffer.from(m[3], 'base64') : Buffer.from(decodeURIComponent(m[3]));
  return new Blob([bytes], { type: m[1] || 'application/octet-stream' });
}

const extensionOf = (mime: string): string =>
  ({
    'text/plain': 'txt',
    'application/json': 'json',
    'image/png': 'png',
    'image/jpeg': 'jpg',
    'application/pdf': 'pdf',
  })[mime] ?? 'bin';

export const sendWebRequestBlock = defineBlock({
  id: '6595ae1f-b924-42cb-9a41-551a0611c4b4',
  name: 'SendWebRequestBlock',
  description:
    'Make an HTTP request (any method; JSON, form or multipart body) and route the answer by status: response (2xx), client_error (4xx), server_error (5xx).',
  categories: ['WEB'],
  sideEffects: true,
  input: z.object({
    url: z.string().describe('The URL to send the request to'),
    method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']).default('POST'),
    headers: z.record(z.string(), z.string()).default({}),
    json_format: z.boolean().default(true).describe('Send the body as JSON and parse the answer as JSON'),
    body: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown()), z.string()]).nullish(),
    files_name: z.string().default('file').describe('Form field name of the files'),
    files: z.array(z.string()).default([]).describe('Files to upload (data: URIs); makes the request multipart'),
    timeout: z.number().positive().default(30).describe('Ours: seconds before the request is abandoned'),
  }),
  output: z.object({ response: z.unknown(), client_error: z.unknown(), server_error: z.unknown(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const headers: Record<string, string> = { ...input.headers };
      const has = (h: string) => Object.keys(headers).some((k) => k.toLowerCase() === h);
      let body: RequestInit['body'];
      const method = input.method;
      let payload: unknown = input.body ?? undefined;
      if (typeof payload === 'string' && input.json_format) {
        try {
          payload = JSON.parse(payload);
        } catch {
          // A plain string body is sent as it is.
        }
      }
      if (method !== 'GET' && method !== 'HEAD') {
        if (input.files.length) {
          const form = new FormData();
          if (payload && typeof payload === 'object' && !Array.isArray(payload)) {
            for (const [k, v] of Object.entries(payload)) form.append(k, typeof v === 'string' ? v : JSON.stringify(v));
          }
          input.files.forEach((file, i) => {
            const blob = dataUriToBlob(file);
            form.append(input.files_name, blob, `${input.files_name}${i + 1}.${extensionOf(blob.type)}`);
          });
          body = form;
        } else if (typeof payload === 'string') {
          body = payload;
          if (!has('content-type')) headers['content-type'] = 'text/plain; charset=utf-8';
        } else if (payload !== undefined) {
          if (input.json_format) {
            body = JSON.stringify(payload);
            if (!has('content-type')) headers['content-type'] = 'application/json';
          } else {
            body = new URLSearchParams(
              Object.entries(payload as Record<string, unknown>).map(([k, v]): [string, string] => [
                k,
                typeof v === 'string' ? v : JSON.stringify(v),
              ]),
            );
          }
        }
      }
      let response: Response;
      try {
        response = await ctx.fetch(input.url, {
          method,
          headers,
          body,
          signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(input.timeout * 1000)]),
        });
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        const e = err as Error & { cause?: { code?: string; message?: string } };
        const detail =
          e.name === 'TimeoutError'
            ? `timed out after ${input.timeout} s`
            : (e.cause?.code ?? e.cause?.message ?? e.message);
        yield ['error', `Request to ${input.url} failed: ${detail}`];
        return;
      }
      const text = method === 'HEAD' ? '' : await response.text();
      let result: unknown = text;
      if (input.json_format && text) {
        try {
          result = JSON.parse(text);
        } catch {
          // Not JSON after all: keep the text.
        }
      }
      if (response.status >= 200 && response.status < 300) yield ['response', result];
      else if (response.status >= 400 && response.status < 500) yield ['client_error', result];
      else if (response.status >= 500) yield ['server_error', result];
      else yield ['error', `Unexpected status code ${response.status}`];
    }),
  testCases: [
    {
      name: 'POST JSON',
      needs: ['web'],
      input: lazyInput(
        { method: 'POST', body: { hello: 'world' }, headers: { 'x-test': '1' } },
        { url: () => fakeWebUrl('/web/echo') },
      ),
      output: [
        [
          'response',
          (v: unknown) =>
            (v as { body: unknown; method: string }).method === 'POST' &&
            JSON.stringify((v as { body: unknown }).body) === '{"hello":"world"}',
        ],
      ],
    },
    {
      name: '4xx goes to client_error',
      needs: ['web'],
      input: lazyInput({ method: 'GET' }, { url: () => fakeWebUrl('/web/status/404') }),
      output: [['client_error', { error: 'status 404', message: 'Fake failure 404' }]],
    },
    {
      name: '5xx goes to server_error',
      needs: ['web'],
      input: lazyInput({ method: 'DELETE' }, { url: () => fakeWebUrl('/web/status/503') }),
      output: [['server_error', { error: 'status 503', message: 'Fake failure 503' }]],
    },
  ],
});

// ---------------------------------------------------------------- RSS / Atom

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const textOf = (v: unknown): string =>
  v && typeof v === 'object'
    ? String((v as Record<string, unknown>)['#text'] ?? '')
    : v === undefined || v === null
      ? ''
      : String(v);

export interface FeedEntry {
  title: string;
  link: string;
  description: string;
  pub_date: string;
  author: string;
  categories: string[];
}

interface AtomEntry {
  title?: unknown;
  link?: Record<string, string> | Array<Record<string, string>>;
  summary?: unknown;
  content?: unknown;
  updated?: string;
  published?: string;
  author?: { name?: unknown };
  category?: Record<string, string> | Array<Record<string, string>>;
}

export function parseFeed(xml: string): FeedEntry[] {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', textNodeName: '#text' }).parse(
    xml,
  ) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (doc.rss?.channel) {
    return asArray(doc.rss.channel.item).map((item: Record<string, unknown>) => ({
      title: textOf(item.title),
      link: textOf(item.link),
      description: textOf(item.description),
      pub_date: item.pubDate ? new Date(textOf(item.pubDate)).toISOString() : '',
      author: textOf(item.author ?? item['dc:creator']),
      categories: asArray(item.category as unknown).map(textOf),
    }));
  }
  if (doc.feed) {
    return asArray(doc.feed.entry as AtomEntry | AtomEntry[]).map((entry) => {
      const links = asArray(entry.link) as Array<Record<string, string>>;
      const link = links.find((l) => !l['@_rel'] || l['@_rel'] === 'alternate') ?? links[0];
      return {
        title: textOf(entry.title),
        link: link?.['@_href'] ?? '',
        description: textOf(entry.summary ?? entry.content),
        pub_date:
          entry.updated || entry.published ? new Date(textOf(entry.published ?? entry.updated)).toISOString() : '',
        author: textOf(entry.author?.name),
        categories: asArray(entry.category).map((c) => c['@_term'] ?? ''),
      };
    });
  }
  throw new Error('The document is neither an RSS nor an Atom feed');
}

export const readRssFeedBlock = defineBlock({
  id: 'df0c7f59-dc8b-485e-8ed9-1f2b57b32127',
  name: 'ReadRSSFeedBlock',
  description:
    'Read an RSS or Atom feed and yield its entries (newest first), optionally only those published in the last time_period minutes.',
  categories: ['WEB', 'INPUT'],
  input: z.object({
    rss_url: z.string().describe('URL of the feed'),
    time_period: z.number().int().min(0).default(1440).describe('Only entries from the last N minutes (0 = all)'),
    max_entries: z.number().int().positive().default(50),
  }),
  output: z.object({ entry: z.unknown(), entries: z.array(z.unknown()), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const xml = await callProviderText(ctx, {
        provider: 'rss',
        url: input.rss_url,
        headers: { accept: 'application/rss+xml, application/atom+xml, application/xml, text/xml' },
      });
      const since = input.time_period ? Date.now() - input.time_period * 60_000 : -Infinity;
      const entries = parseFeed(xml)
        .filter((e) => !e.pub_date || Date.parse(e.pub_date) >= since)
        .sort((a, b) => (Date.parse(b.pub_date) || 0) - (Date.parse(a.pub_date) || 0))
        .slice(0, input.max_entries);
      yield ['entries', entries];
      for (const entry of entries) yield ['entry', entry];
    }),
  testCases: [
    {
      needs: ['rss'],
      input: lazyInput({ time_period: 0 }, { rss_url: () => fakeWebUrl('/web/feed.xml') }),
      output: [
        ['entries', (v: unknown) => Array.isArray(v) && v.length === 2],
        [
          'entry',
          {
            title: 'Newer post',
            link: 'https://example.com/2',
            description: 'Second & newest',
            pub_date: '2025-01-02T10:00:00.000Z',
            author: 'ada@example.com',
            categories: ['news'],
          },
        ],
        [
          'entry',
          (v: unknown) => (v as FeedEntry).title === 'Older post' && (v as FeedEntry).description === '<p>First</p>',
        ],
      ],
    },
  ],
});

// ---------------------------------------------------------------- web page as text / markdown

export function htmlToContent(
  html: string,
  format: 'text' | 'markdown' | 'html',
  selector?: string | null,
): { title: string; content: string } {
  const $ = load(html);
  const title = $('title').first().text().trim();
  $('script, style, noscript, template, iframe, svg').remove();
  const root = selector ? $(selector) : $('body').length ? $('body') : $.root();
  if (selector && root.length === 0) throw new Error(`No element matches the selector ${selector}`);
  if (format === 'html')
    return {
      title,
      content: root
        .map((_, el) => $.html(el))
        .get()
        .join('\n'),
    };
  if (format === 'markdown')
    return {
      title,
      content: NodeHtmlMarkdown.translate(
        root
          .map((_, el) => $.html(el))
          .get()
          .join('\n'),
      ).trim(),
    };
  root.find('br').replaceWith('\n');
  root.find('p, div, li, h1, h2, h3, h4, h5, h6, tr, section, article, header, footer, nav, main').each((_, el) => {
    $(el).append('\n');
  });
  const text = root
    .text()
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');
  return { title, content: text };
}

export const getWebPageBlock = defineBlock({
  id: '72abab8e-2dc2-4465-a6df-770f2def9475',
  name: 'GetWebPageBlock',
  description:
    'Download a web page and return its readable content as text, markdown or cleaned HTML (scripts and styles removed).',
  categories: ['WEB', 'TEXT'],
  input: z.object({
    url: z.string(),
    format: z.enum(['text', 'markdown', 'html']).default('markdown'),
    css_selector: z.string().nullish().describe('Only the content of the elements matching this selector'),
  }),
  output: z.object({ content: z.string(), title: z.string(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const html = await callProviderText(ctx, {
        provider: 'web',
        url: input.url,
        headers: { accept: 'text/html, application/xhtml+xml, */*' },
      });
      const { title, content } = htmlToContent(html, input.format, input.css_selector);
      yield ['content', content];
      yield ['title', title];
    }),
  testCases: [
    {
      name: 'markdown of the main element',
      needs: ['web'],
      input: lazyInput({ format: 'markdown', css_selector: 'main' }, { url: () => fakeWebUrl('/web/page.html') }),
      output: [
        ['content', '# Welcome\n\nHello **world**, see [the docs](/docs).\n\n* One\n* Two'],
        ['title', 'Fake page'],
      ],
    },
    {
      name: 'text without scripts',
      needs: ['web'],
      input: lazyInput({ format: 'text' }, { url: () => fakeWebUrl('/web/page.html') }),
      output: [
        ['content', 'Home\nWelcome\nHello world, see the docs.\nOne\nTwo\n© fake'],
        ['title', 'Fake page'],
      ],
    },
  ],
});

// ---------------------------------------------------------------- Wikipedia

export const getWikipediaSummaryBlock = defineBlock({
  id: '6b016093-384c-45c0-8b38-04b3a408376f',
  name: 'GetWikipediaSummaryBlock',
  description: 'Get the summary of a Wikipedia article (REST API page/summary).',
  categories: ['SEARCH'],
  input: z.object({
    topic: z.string(),
    language: z
      .string()
      .regex(/^[a-z-]{2,12}$/)
      .default('en'),
  }),
  output: z.object({ summary: z.string(), title: z.string(), url: z.string(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const base = providerBaseUrl('wikipedia').replace('{lang}', input.language);
      const { data } = await callProvider<{
        title: string;
        extract: string;
        content_urls?: { desktop?: { page?: string } };
      }>(ctx, {
        provider: 'wikipedia',
        url: `${base}/page/summary/${encodeURIComponent(input.topic.trim().replace(/ /g, '_'))}`,
        headers: { 'user-agent': 'Agentry/0.1 (https://github.com/agentry)' },
      });
      yield ['summary', data.extract];
      yield ['title', data.title];
      yield ['url', data.content_urls?.desktop?.page ?? ''];
    }),
  testCases: [
    {
      needs: ['wikipedia'],
      input: { topic: 'Ada Lovelace', language: 'fr' },
      output: [
        ['summary', 'Ada Lovelace is a subject of this fake fr Wikipedia summary.'],
        ['title', 'Ada Lovelace'],
        ['url', 'https://fr.wikipedia.org/wiki/Ada_Lovelace'],
      ],
    },
    {
      name: 'unknown article',
      needs: ['wikipedia'],
      input: { topic: 'Nonexistent page xyz' },
      output: [['error', 'wikipedia API error 404: Page or revision not found.']],
    },
  ],
});

// ---------------------------------------------------------------- Jina reader and search

export const extractWebsiteContentBlock = defineBlock({
  id: '436c3984-57fd-4b85-8e9a-459b356883bd',
  name: 'ExtractWebsiteContentBlock',
  description:
    'Get the content of a web page as LLM-ready markdown through the Jina Reader API, or the raw page when raw_content is set.',
  categories: ['SEARCH'],
  credentials: JINA_CREDENTIALS,
  input: z.object({ credentials: credentialsInput, url: z.string(), raw_content: z.boolean().default(false) }),
  output: z.object({ content: z.string(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      if (input.raw_content) {
        yield ['content', await callProviderText(ctx, { provider: 'web', url: input.url })];
        return;
      }
      const key = requireSecret(ctx, 'jina');
      const url = /^https?:\/\//.test(input.url) ? input.url : `https://${input.url}`;
      yield [
        'content',
        await callProviderText(ctx, {
          provider: 'jina',
          url: `${providerBaseUrl('jina_reader')}/${url}`,
          headers: { authorization: `Bearer ${key}` },
        }),
      ];
    }),
  testCases: [
    {
      needs: ['jina'],
      credentials: testApiKey('jina'),
      input: { url: 'https://example.com/article' },
      output: [
        [
          'content',
          'Title: Example page\n\nURL Source: https://example.com/article\n\nMarkdown Content:\n# Example page\n\nThis is the content of https://example.com/article.',
        ],
      ],
    },
  ],
});

export const searchTheWebBlock = defineBlock({
  id: '87840993-2053-44b7-8da4-187ad4ee518c',
  name: 'SearchTheWebBlock',
  description: 'Search the web through the Jina Search API and get the content of the top results.',
  categories: ['SEARCH'],
  credentials: JINA_CREDENTIALS,
  input: z.object({ credentials: credentialsInput, query: z.string() }),
  output: z.object({ results: z.string(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const key = requireSecret(ctx, 'jina');
      const results = await callProviderText(ctx, {
        provider: 'jina',
        url: `${providerBaseUrl('jina_search')}/${encodeURIComponent(input.query)}`,
        headers: { authorization: `Bearer ${key}` },
      });
      yield ['results', results];
    }),
  testCases: [
    {
      needs: ['jina'],
      credentials: testApiKey('jina'),
      input: { query: 'agentry blocks' },
      output: [
        ['results', (v: unknown) => typeof v === 'string' && v.startsWith('[1] Title: Result 1 for agentry blocks')],
      ],
    },
    {
      name: 'refused key',
      needs: ['jina'],
      credentials: { ...testApiKey('jina'), apiKey: 'jina_invalidkey12345' } as never,
      input: { query: 'x' },
      output: [['error', 'jina API error 401: Invalid API key, please get a new one from https://jina.ai']],
    },
  ],
});

export const webBlocks = [
  sendWebRequestBlock,
  readRssFeedBlock,
  getWebPageBlock,
  getWikipediaSummaryBlock,
  extractWebsiteContentBlock,
  searchTheWebBlock,
];
