import { createTestContext, runBlock, type BlockDefinition, type ResolvedCredentials } from '@agentry/block-sdk';
import { createGuardedFetch, networkBlocks, ProviderError } from '../../src/net';
import { startFakeServers, type FakeServers, type RecordedRequest } from '@agentry/testing';

const block = (name: string): BlockDefinition => {
  const b = networkBlocks.find((x) => x.name === name);
  if (!b) throw new Error(`no block ${name}`);
  return b;
};
const apiKey = (provider: string, key = `test-${provider}-key-0123456789`): ResolvedCredentials => ({
  id: provider,
  provider,
  type: 'api_key',
  apiKey: key,
});
const oauth = (provider: string): ResolvedCredentials => ({
  id: provider,
  provider,
  type: 'oauth2',
  accessToken: `test-${provider}-token-0123456789`,
});
const run = (name: string, input: Record<string, unknown>, credentials?: ResolvedCredentials) =>
  runBlock(block(name), input, createTestContext({ credentials }));

/** The rfc822 message a Gmail send carried. */
const sentMime = (r: RecordedRequest): string =>
  Buffer.from((r.body as { raw: string }).raw, 'base64url').toString('utf8');

describe('provider blocks against the fake provider APIs', () => {
  let fakes: FakeServers;
  const requests = () => fakes.servers.web!.requests as RecordedRequest[];
  const paths = () => requests().map((r) => `${r.method} ${r.path}`);
  beforeAll(async () => {
    fakes = await startFakeServers(['web', 'webshare_proxy']);
  });
  afterAll(() => fakes.close());
  beforeEach(() => fakes.servers.web!.reset());

  describe('Firecrawl', () => {
    it('polls the crawl job and follows `next` pages until every page is read', async () => {
      const out = await run(
        'FirecrawlCrawlBlock',
        { url: 'https://example.com', limit: 5, formats: ['markdown', 'links'] },
        apiKey('firecrawl'),
      );
      expect(out[0]).toEqual(['data', expect.any(Array)]);
      expect((out[0][1] as unknown[]).length).toBe(5);
      expect(out.filter(([pin]) => pin === 'markdown').map(([, v]) => v)).toEqual(
        [1, 2, 3, 4, 5].map((i) => `# Page ${i} of https://example.com`),
      );
      expect(out.filter(([pin]) => pin === 'links')).toHaveLength(5);
      const start = requests().find((r) => r.method === 'POST')!;
      expect(start.headers.authorization).toBe('Bearer test-firecrawl-key-0123456789');
      expect(start.body).toMatchObject({ url: 'https://example.com', limit: 5, scrapeOptions: { formats: ['markdown', 'links'] } });
      // Polled until completed (the fake answers "scraping" first), then two more pages through `next`.
      expect(paths().filter((p) => p.startsWith('GET /firecrawl/v2/crawl/')).length).toBe(4);
    });

    it('throws a retryable error on a 5xx so the node retry policy can act', async () => {
      const err = await run('FirecrawlCrawlBlock', { url: 'https://overloaded.example' }, apiKey('firecrawl')).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ retryable: true, status: 503, code: 'PROVIDER_UNAVAILABLE' });
    });

    it('never shows the key in an error', async () => {
      const out = await run('FirecrawlMapWebsiteBlock', { url: 'https://example.com' }, apiKey('firecrawl', 'fc-invalid-secret-123'));
      expect(out).toEqual([['error', 'firecrawl API error 401: Unauthorized: Invalid token']]);
      expect(JSON.stringify(out)).not.toContain('fc-invalid-secret-123');
    });
  });

  describe('Replicate', () => {
    it('creates a prediction of the model and polls it until it succeeds', async () => {
      const out = await run('ReplicateFluxAdvancedModelBlock', { prompt: 'a dog', seed: 7 }, apiKey('replicate'));
      expect(out).toEqual([['result', expect.stringMatching(/\/black-forest-labs\/flux-schnell\.webp$/)]]);
      const create = requests()[0];
      expect(create.path).toBe('/replicate/v1/models/black-forest-labs/flux-schnell/predictions');
      expect(create.body).toMatchObject({ input: { prompt: 'a dog', seed: 7, steps: 25, output_format: 'webp' } });
      expect(paths().filter((p) => p.startsWith('GET /replicate/v1/predictions/')).length).toBe(2);
    });

    it('maps 429 to a retryable error that keeps Retry-After', async () => {
      const err = await run('AIImageGeneratorBlock', { prompt: 'THROTTLE me' }, apiKey('replicate')).catch((e: unknown) => e);
      expect(err).toMatchObject({ retryable: true, status: 429, retryAfterMs: 1000, code: 'PROVIDER_RATE_LIMITED' });
    });

    it('yields a failed prediction on the error pin', async () => {
      const out = await run('AIImageGeneratorBlock', { prompt: 'FAIL', model: 'Recraft v3' }, apiKey('replicate'));
      expect(out).toEqual([['error', 'replicate prediction failed: NSFW content detected. Try a different prompt.']]);
      expect(requests()[0].body).toEqual({ input: { prompt: 'FAIL', size: '1024x1024' } });
    });
  });

  describe('DataForSEO', () => {
    it('authenticates with HTTP Basic and posts one live task', async () => {
      const creds: ResolvedCredentials = {
        id: 'd',
        provider: 'dataforseo',
        type: 'user_password',
        username: 'login@example.com',
        password: 'pw-0123456789',
      };
      const out = await run('DataForSeoKeywordSuggestionsBlock', { keyword: 'coffee', limit: 3 }, creds);
      expect(out.map(([pin]) => pin)).toEqual([
        'suggestion',
        'suggestion',
        'suggestion',
        'suggestion',
        'suggestions',
        'total_count',
        'seed_keyword',
      ]);
      const r = requests()[0];
      expect(r.headers.authorization).toBe(`Basic ${Buffer.from('login@example.com:pw-0123456789').toString('base64')}`);
      expect(r.body).toEqual([
        {
          keyword: 'coffee',
          location_code: 2840,
          language_code: 'en',
          include_seed_keyword: true,
          include_serp_info: false,
          include_clickstream_data: false,
          limit: 3,
        },
      ]);
    });
  });

  describe('Google Maps', () => {
    it('pages with next_page_token, asking again while the token is not valid yet', async () => {
      const out = await run('GoogleMapsSearchBlock', { query: 'bakery', max_results: 22, radius: 800 }, apiKey('google_maps'));
      expect(out.map(([, p]) => (p as { name: string }).name)).toEqual(
        Array.from({ length: 22 }, (_, i) => `bakery #${i + 1}`),
      );
      const searches = requests().filter((r) => r.path.endsWith('/textsearch/json'));
      expect(searches.map((r) => r.query.pagetoken ? 'page' : `first radius=${r.query.radius}`)).toEqual([
        'first radius=800',
        'page', // refused: not valid yet
        'page',
      ]);
      expect(JSON.stringify(out)).not.toContain('test-google_maps-key');
    });
  });

  describe('Gmail', () => {
    it('creates a missing label once and reuses it', async () => {
      const first = await run('GmailAddLabelBlock', { message_id: 'm1', label_name: 'triaged' }, oauth('google'));
      const second = await run('GmailAddLabelBlock', { message_id: 'm2', label_name: 'triaged' }, oauth('google'));
      expect(first).toEqual([['result', { status: 'Label added successfully', label_id: 'Label_1' }]]);
      expect(second).toEqual(first);
      expect(paths().filter((p) => p === 'POST /gmail/gmail/v1/users/me/labels')).toHaveLength(1);
    });

    it('replies in the thread with In-Reply-To and References of the parent', async () => {
      await run(
        'GmailReplyBlock',
        { threadId: 't1', parentMessageId: 'm1', body: 'Thanks!', replyAll: true, cc: ['boss@example.com'] },
        oauth('google'),
      );
      const send = requests().find((r) => r.path.endsWith('/messages/send'))!;
      expect((send.body as { threadId: string }).threadId).toBe('t1');
      const mime = sentMime(send);
      expect(mime).toMatch(/^In-Reply-To: <m1@mail\.example\.com>/m);
      expect(mime).toMatch(/^References: <m1@mail\.example\.com>/m);
      expect(mime).toMatch(/^Subject: Re: Hello/m);
      expect(mime).toMatch(/^To: Ada <ada@example\.com>, me@example\.com/m);
      expect(mime).toMatch(/^Cc: boss@example\.com/m);
    });

    it('forwards with the original header block and attachments', async () => {
      const out = await run(
        'GmailForwardBlock',
        { messageId: 'm2', to: ['carol@example.com'], forwardMessage: 'FYI' },
        oauth('google'),
      );
      expect(out).toEqual([
        ['messageId', expect.stringMatching(/^sent\d+$/)],
        ['threadId', out[0][1]],
        ['status', 'forwarded'],
      ]);
      const mime = sentMime(requests().find((r) => r.path.endsWith('/messages/send'))!);
      expect(mime).toMatch(/^Subject: Fwd: Report/m);
      expect(mime).toContain('---------- Forwarded message ---------');
      expect(mime).toContain('From: bob@example.com');
      expect(mime).toContain('filename=report.txt');
      expect(mime).toContain(Buffer.from('Quarterly numbers').toString('base64'));
    });
  });

  describe('E2B', () => {
    it('runs setup commands and code in a sandbox, then kills the sandbox', async () => {
      const out = await run(
        'ExecuteCodeBlock',
        { code: 'print("a")\nprint("b")\n2 + 3', setup_commands: ['pip install x'] },
        apiKey('e2b'),
      );
      expect(out).toEqual([
        ['results', [{ text: '5', is_main_result: true }]],
        ['main_result', { text: '5' }],
        ['response', '5'],
        ['stdout_logs', 'a\nb\n'],
      ]);
      expect(paths()).toEqual([
        'POST /e2b/api/sandboxes',
        'POST /e2b/sandbox/sbx1/execute',
        'POST /e2b/sandbox/sbx1/execute',
        'DELETE /e2b/api/sandboxes/sbx1',
      ]);
      expect(requests()[1].body).toEqual({ code: 'pip install x', language: 'bash' });
      expect(requests()[2].headers['x-access-token']).toBe('envd-token-1');
    });
  });

  describe('YouTube transcripts', () => {
    it('tunnel through the Webshare proxy as <user>-rotate, like youtube_transcript_api', async () => {
      fakes.servers.proxy!.reset();
      const creds: ResolvedCredentials = {
        id: 'w',
        provider: 'webshare_proxy',
        type: 'user_password',
        username: 'alice',
        password: 'pw-0123456789',
      };
      const out = await run('TranscribeYoutubeVideoBlock', { youtube_url: 'https://youtu.be/dQw4w9WgXcQ' }, creds);
      expect(out[1]).toEqual(['transcript', expect.stringContaining('Never gonna give you up')]);
      const tunnels = fakes.servers.proxy!.requests as RecordedRequest[];
      expect(tunnels.length).toBeGreaterThan(0);
      expect(tunnels[0].method).toBe('CONNECT');
      expect(tunnels[0].path).toBe(new URL(fakes.servers.web!.url).host);
      expect(tunnels[0].headers['proxy-authorization']).toBe(
        `Basic ${Buffer.from('alice-rotate:pw-0123456789').toString('base64')}`,
      );
      // watch page, player API, caption track: all through the tunnel, none straight to the server's paths
      expect(paths()).toEqual(['GET /youtube/watch', 'POST /youtube/youtubei/v1/player', 'GET /youtube/api/timedtext']);
    });
  });

  describe('SSRF guard', () => {
    it('refuses provider base URLs on private addresses unless the operator allows the host', async () => {
      const guarded = createGuardedFetch();
      try {
        const out = await runBlock(
          block('WordPressCreatePostBlock'),
          { site: 'demo.wordpress.com', title: 'T', content: 'C' },
          createTestContext({ credentials: oauth('wordpress'), fetch: guarded }),
        );
        expect(out).toEqual([['error', expect.stringMatching(/loopback/)]]);
        expect(requests()).toHaveLength(0);
      } finally {
        await guarded.close();
      }
    });
  });
});
