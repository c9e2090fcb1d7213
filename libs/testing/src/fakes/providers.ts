import { Router, type Request, type Response } from 'express';
import { bearerOf } from './http';

/**
 * Fakes of the AI-media, SEO, crawling, sandbox and publishing APIs the newer network blocks call, mounted by the
 * fake web server under their own prefixes. Each answers the calls the blocks make with the shapes of the real
 * API (success and error bodies, long-running jobs that need polling); credentials containing "invalid" are
 * refused the way each API refuses them.
 */

const invalid = (token: string | undefined): boolean => !token || token.includes('invalid');
const NOW = '2025-01-01T00:00:00.000Z';
const baseOf = (req: Request, prefix: string): string => `${req.protocol}://${req.get('host')}/${prefix}`;
type Json = Record<string, unknown>;

// ---------------------------------------------------------------- Firecrawl v2

export function firecrawl(): Router {
  const r = Router();
  const PAGE = 2;
  const crawls = new Map<string, { url: string; limit: number; formats: unknown[]; polls: number }>();
  const extracts = new Map<string, { urls: string[]; prompt?: string; polls: number }>();
  r.use((req, res, next) => {
    if (invalid(bearerOf(req))) return void res.status(401).json({ success: false, error: 'Unauthorized: Invalid token' });
    next();
  });
  const badUrl = (res: Response) =>
    res.status(400).json({ success: false, error: 'Bad Request', details: [{ path: ['url'], message: 'Invalid url' }] });
  const pageOf = (url: string, i: number, formats: unknown[]): Json => {
    const page: Json = { metadata: { sourceURL: i === 1 ? url : `${url}/page-${i}`, statusCode: 200, title: `Page ${i}` } };
    for (const f of formats) {
      const name = typeof f === 'string' ? f : (f as { type: string; fullPage?: boolean }).type;
      if (name === 'markdown') page.markdown = `# Page ${i} of ${url}`;
      else if (name === 'html') page.html = `<h1>Page ${i}</h1>`;
      else if (name === 'rawHtml') page.rawHtml = `<html><body><h1>Page ${i}</h1></body></html>`;
      else if (name === 'links') page.links = [`${url}/about`];
      else if (name === 'screenshot') page.screenshot = `https://cdn.firecrawl.dev/screenshot-${i}.png`;
      else if (name === 'json') page.json = { title: `Page ${i}` };
      else if (name === 'changeTracking') page.changeTracking = { changeStatus: 'new' };
    }
    return page;
  };
  r.post('/v2/crawl', (req, res) => {
    const body = (req.body ?? {}) as { url?: string; limit?: number; scrapeOptions?: { formats?: unknown[] } };
    if (!body.url || !/^https?:\/\//.test(body.url)) return void badUrl(res);
    if (body.url.includes('overloaded.example'))
      return void res.status(503).json({ success: false, error: 'Service temporarily unavailable' });
    const id = `crawl-${crawls.size + 1}`;
    crawls.set(id, { url: body.url, limit: body.limit ?? 10000, formats: body.scrapeOptions?.formats ?? ['markdown'], polls: 0 });
    res.json({ success: true, id, url: `${baseOf(req, 'firecrawl')}/v2/crawl/${id}` });
  });
  r.get('/v2/crawl/:id', (req, res) => {
    const job = crawls.get(req.params.id);
    if (!job) return void res.status(404).json({ success: false, error: 'Job not found' });
    const total = Math.min(job.limit, 5);
    if (++job.polls < 2) return void res.json({ status: 'scraping', total, completed: 0, creditsUsed: 0, expiresAt: NOW, data: [] });
    const skip = Number(req.query.skip ?? 0);
    const data = Array.from({ length: total }, (_, i) => pageOf(job.url, i + 1, job.formats)).slice(skip, skip + PAGE);
    const next = skip + PAGE < total ? `${baseOf(req, 'firecrawl')}/v2/crawl/${req.params.id}?skip=${skip + PAGE}` : null;
    res.json({ status: 'completed', total, completed: total, creditsUsed: total, expiresAt: NOW, next, data });
  });
  r.post('/v2/map', (req, res) => {
    const url = (req.body as { url?: string })?.url;
    if (!url || !/^https?:\/\//.test(url)) return void badUrl(res);
    res.json({
      success: true,
      links: [
        { url, title: 'Home' },
        { url: `${url}/about`, title: 'About', description: 'About us' },
        { url: `${url}/blog`, title: 'Blog' },
      ],
    });
  });
  r.post('/v2/extract', (req, res) => {
    const body = (req.body ?? {}) as { urls?: string[]; prompt?: string; schema?: unknown };
    if (!body.urls?.length && !body.prompt)
      return void res.status(400).json({ success: false, error: 'Either urls or prompt is required' });
    const id = `extract-${extracts.size + 1}`;
    extracts.set(id, { urls: body.urls ?? [], prompt: body.prompt, polls: 0 });
    res.json({ success: true, id });
  });
  r.get('/v2/extract/:id', (req, res) => {
    const job = extracts.get(req.params.id);
    if (!job) return void res.status(404).json({ success: false, error: 'Extract job not found' });
    if (++job.polls < 2) return void res.json({ success: true, status: 'processing', expiresAt: NOW });
    res.json({
      success: true,
      status: 'completed',
      data: { prompt: job.prompt ?? null, urls: job.urls, summary: `Extracted ${job.urls.length} page(s)` },
      expiresAt: NOW,
    });
  });
  return r;
}

// ---------------------------------------------------------------- DataForSEO Labs v3

export function dataforseo(): Router {
  const r = Router();
  r.use((req, res, next) => {
    const m = /^Basic\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
    const [, password = ''] = m ? Buffer.from(m[1], 'base64').toString('utf8').split(':') : [];
    if (!m || invalid(password))
      return void res
        .status(401)
        .json({ status_code: 40100, status_message: 'You are not authorized to access this resource.' });
    next();
  });
  const envelope = (task: Json, result: Json | null, status = 20000, message = 'Ok.') => ({
    version: '0.1.20250101',
    status_code: 20000,
    status_message: 'Ok.',
    tasks_count: 1,
    tasks_error: status === 20000 ? 0 : 1,
    tasks: [{ id: 'task-1', status_code: status, status_message: message, data: task, result: result ? [result] : null }],
  });
  const keywordData = (keyword: string, i: number) => ({
    keyword,
    keyword_info: { search_volume: 1000 * i, competition: Math.round(i) / 10, cpc: 1.5 * i },
    keyword_properties: { keyword_difficulty: 10 + i },
  });
  const taskOf = (req: Request, res: Response): Json | undefined => {
    const tasks = req.body as Json[] | undefined;
    if (!Array.isArray(tasks) || !tasks.length) {
      res.json({ status_code: 40000, status_message: 'Invalid Data.', tasks: [] });
      return undefined;
    }
    const task = tasks[0];
    if (typeof task.keyword !== 'string' || !task.keyword) {
      res.json(envelope(task, null, 40501, "Invalid Field: 'keyword'."));
      return undefined;
    }
    return task;
  };
  r.post('/v3/dataforseo_labs/google/keyword_suggestions/live', (req, res) => {
    const task = taskOf(req, res);
    if (!task) return;
    const keyword = String(task.keyword);
    const all = Array.from({ length: 5 }, (_, i) => keywordData(`${keyword} ${i + 1}`, i + 1));
    const items = all.slice(0, Number(task.limit ?? 100));
    res.json(
      envelope(task, {
        seed_keyword: keyword,
        seed_keyword_data: task.include_seed_keyword ? keywordData(keyword, 10) : null,
        location_code: task.location_code ?? 2840,
        language_code: task.language_code ?? 'en',
        total_count: all.length,
        items_count: items.length,
        items,
      }),
    );
  });
  r.post('/v3/dataforseo_labs/google/related_keywords/live', (req, res) => {
    const task = taskOf(req, res);
    if (!task) return;
    const keyword = String(task.keyword);
    const all = [
      { depth: 0, keyword_data: keywordData(keyword, 10), related_keywords: [`related ${keyword} 1`] },
      ...Array.from({ length: 4 }, (_, i) => ({
        depth: 1,
        keyword_data: keywordData(`related ${keyword} ${i + 1}`, i + 1),
        related_keywords: [],
      })),
    ];
    const items = all.slice(0, Number(task.limit ?? 100));
    res.json(
      envelope(task, { seed_keyword: keyword, total_count: all.length, items_count: items.length, items }),
    );
  });
  return r;
}

// ---------------------------------------------------------------- Google Maps (Places legacy web service)

export function googleMaps(): Router {
  const r = Router();
  const TOTAL = 25;
  const PER_PAGE = 20;
  const seenTokens = new Set<string>();
  const denied = (req: Request, res: Response): boolean => {
    if (!invalid(String(req.query.key ?? ''))) return false;
    res.json({ status: 'REQUEST_DENIED', error_message: 'The provided API key is invalid.', results: [], html_attributions: [] });
    return true;
  };
  r.get('/maps/api/place/textsearch/json', (req, res) => {
    if (denied(req, res)) return;
    let query = String(req.query.query ?? '');
    let start = 0;
    if (req.query.pagetoken) {
      // Like the real API, a token is only valid a moment after it was issued: its first use is refused.
      const used = String(req.query.pagetoken);
      if (!seenTokens.has(used)) {
        seenTokens.add(used);
        return void res.json({ status: 'INVALID_REQUEST', results: [], html_attributions: [] });
      }
      const token = JSON.parse(Buffer.from(String(req.query.pagetoken), 'base64url').toString('utf8')) as { q: string; s: number };
      query = token.q;
      start = token.s;
    }
    if (!query) return void res.json({ status: 'INVALID_REQUEST', results: [], html_attributions: [] });
    if (query === 'nothing') return void res.json({ status: 'ZERO_RESULTS', results: [], html_attributions: [] });
    const end = Math.min(TOTAL, start + PER_PAGE);
    const results = [];
    for (let i = start + 1; i <= end; i++)
      results.push({ place_id: `place:${i}:${encodeURIComponent(query)}`, name: `${query} #${i}`, formatted_address: `${i} Fake Street` });
    res.json({
      status: 'OK',
      html_attributions: [],
      results,
      ...(end < TOTAL ? { next_page_token: Buffer.from(JSON.stringify({ q: query, s: end })).toString('base64url') } : {}),
    });
  });
  r.get('/maps/api/place/details/json', (req, res) => {
    if (denied(req, res)) return;
    const m = /^place:(\d+):(.+)$/.exec(String(req.query.place_id ?? ''));
    if (!m) return void res.json({ status: 'NOT_FOUND', html_attributions: [] });
    const i = Number(m[1]);
    const query = decodeURIComponent(m[2]);
    res.json({
      status: 'OK',
      html_attributions: [],
      result: {
        name: `${query} #${i}`,
        formatted_address: `${i} Fake Street`,
        formatted_phone_number: `+1 555-01${String(i).padStart(2, '0')}`,
        rating: Math.round(40 + (i % 10)) / 10,
        user_ratings_total: 10 + i,
        website: `https://place${i}.example.com`,
      },
    });
  });
  return r;
}

// ---------------------------------------------------------------- Ideogram

/** A 1x1 transparent PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

export function ideogram(): Router {
  const r = Router();
  r.get('/images/:name', (_req, res) => res.type('image/png').send(PNG));
  r.use((req, res, next) => {
    if (invalid(String(req.headers['api-key'] ?? ''))) return void res.status(401).json({ detail: 'Invalid API key' });
    next();
  });
  const image = (req: Request, model: string, request: Json) => ({
    created: NOW,
    data: [
      {
        url: `${baseOf(req, 'ideogram')}/images/${model}-${String(request.aspect_ratio ?? 'ASPECT_1_1')}.png`,
        prompt: request.prompt,
        resolution: '1024x1024',
        is_image_safe: true,
        seed: (request.seed as number | undefined) ?? 12345,
        style_type: request.style_type ?? 'AUTO',
      },
    ],
  });
  r.post('/generate', (req, res) => {
    const request = ((req.body ?? {}) as { image_request?: Json }).image_request;
    if (!request?.prompt) return void res.status(422).json({ detail: 'image_request.prompt is required' });
    res.json(image(req, String(request.model ?? 'V_2'), request));
  });
  r.post('/v1/ideogram-v3/generate', (req, res) => {
    const request = (req.body ?? {}) as Json;
    if (!request.prompt) return void res.status(422).json({ detail: 'prompt is required' });
    res.json(image(req, 'V_3', request));
  });
  r.post('/upscale', (req, res) => {
    const raw = (req as Request & { recorded: { rawBody: Buffer } }).recorded.rawBody.toString('latin1');
    if (!String(req.headers['content-type'] ?? '').startsWith('multipart/form-data') || !raw.includes('name="image_file"'))
      return void res.status(422).json({ detail: 'image_file is required' });
    res.json({ created: NOW, data: [{ url: `${baseOf(req, 'ideogram')}/images/upscaled.png`, is_image_safe: true }] });
  });
  return r;
}

// ---------------------------------------------------------------- Replicate predictions

const REPLICATE_MODELS = new Set([
  'black-forest-labs/flux-schnell',
  'black-forest-labs/flux-pro',
  'black-forest-labs/flux-1.1-pro',
  'black-forest-labs/flux-1.1-pro-ultra',
  'recraft-ai/recraft-v3',
  'stability-ai/stable-diffusion-3.5-medium',
]);

export function replicate(): Router {
  const r = Router();
  const predictions = new Map<string, { model: string; input: Json; polls: number }>();
  r.use((req, res, next) => {
    if (invalid(bearerOf(req)))
      return void res
        .status(401)
        .json({ title: 'Unauthenticated', detail: 'You did not pass a valid authentication token', status: 401 });
    next();
  });
  const view = (req: Request, id: string) => {
    const p = predictions.get(id)!;
    const base = `${baseOf(req, 'replicate')}/v1/predictions/${id}`;
    const common = { id, model: p.model, version: 'fake', input: p.input, created_at: NOW, urls: { get: base, cancel: `${base}/cancel` } };
    if (p.polls < 2) return { ...common, status: p.polls === 0 ? 'starting' : 'processing', output: null, error: null };
    if (String(p.input.prompt).includes('FAIL'))
      return { ...common, status: 'failed', output: null, error: 'NSFW content detected. Try a different prompt.' };
    const url = `https://replicate.delivery/fake/${id}/${p.model}.${String(p.input.output_format ?? 'webp')}`;
    return { ...common, status: 'succeeded', output: p.model.endsWith('flux-schnell') ? [url] : url, error: null, completed_at: NOW };
  };
  r.post('/v1/models/:owner/:name/predictions', (req, res) => {
    const model = `${req.params.owner}/${req.params.name}`;
    if (!REPLICATE_MODELS.has(model)) return void res.status(404).json({ title: 'Not found', detail: 'Not found.', status: 404 });
    const input = ((req.body ?? {}) as { input?: Json }).input;
    if (!input?.prompt)
      return void res
        .status(422)
        .json({ title: 'Input validation failed', detail: '- input: prompt is required', status: 422, invalid_fields: [{ field: 'input.prompt', type: 'required' }] });
    if (String(input.prompt).includes('THROTTLE'))
      return void res
        .status(429)
        .set('retry-after', '1')
        .json({ title: 'Request was throttled', detail: 'Request was throttled. Expected available in 1 second.', status: 429 });
    const id = `pred${predictions.size + 1}`;
    predictions.set(id, { model, input, polls: 0 });
    res.status(201).json(view(req, id));
  });
  r.get('/v1/predictions/:id', (req, res) => {
    const p = predictions.get(req.params.id);
    if (!p) return void res.status(404).json({ title: 'Not found', detail: 'Not found.', status: 404 });
    p.polls++;
    res.json(view(req, req.params.id));
  });
  return r;
}

// ---------------------------------------------------------------- revid.ai

export function revid(): Router {
  const r = Router();
  const projects = new Map<string, { script: string; polls: number }>();
  r.use((req, res, next) => {
    if (invalid(String(req.headers.key ?? ''))) return void res.status(401).json({ success: 0, error: 'Invalid API key' });
    next();
  });
  r.post('/api/public/v2/render', (req, res) => {
    const params = ((req.body ?? {}) as { creationParams?: Json }).creationParams;
    if (!params?.inputText) return void res.status(400).json({ success: 0, error: 'creationParams.inputText is required' });
    const pid = `proj-${projects.size + 1}`;
    projects.set(pid, { script: String(params.inputText), polls: 0 });
    res.json({ success: 1, pid, workflow: 'script-to-video' });
  });
  r.get('/api/public/v2/status', (req, res) => {
    const p = projects.get(String(req.query.pid ?? ''));
    if (!p) return void res.status(404).json({ success: 0, error: 'Project not found' });
    if (++p.polls < 2) return void res.json({ status: 'processing', progress: 50 });
    if (p.script.includes('FAIL')) return void res.json({ status: 'error', error: 'media generation failed' });
    res.json({ status: 'ready', videoUrl: `https://cdn.revid.ai/revid/videos/${String(req.query.pid)}.mp4` });
  });
  return r;
}

// ---------------------------------------------------------------- WordPress.com REST v1.1

export function wordpress(): Router {
  const r = Router();
  let next = 1;
  r.use((req, res, next) => {
    if (invalid(bearerOf(req))) return void res.status(403).json({ error: 'unauthorized', message: 'User cannot publish posts' });
    next();
  });
  r.post('/rest/v1.1/sites/:site/posts/new', (req, res) => {
    const site = req.params.site;
    if (site.includes('missing')) return void res.status(404).json({ error: 'unknown_blog', message: 'Unknown blog' });
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!body.title && !body.content) return void res.status(400).json({ error: 'invalid_input', message: 'A title or content is required' });
    const n = next++;
    const slug = String(body.slug || String(body.title ?? `post-${n}`).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''));
    const terms = (v: unknown) =>
      Object.fromEntries(String(v ?? '').split(',').filter(Boolean).map((t) => [t.trim(), { name: t.trim(), slug: t.trim() }]));
    res.json({
      ID: 100 + n,
      site_ID: 1,
      author: { ID: 1, login: 'demo' },
      date: NOW,
      title: body.title ?? '',
      URL: `https://${site}/2025/01/01/${slug}/`,
      short_URL: `https://wp.me/p1-${n}p`,
      content: body.content ?? '',
      excerpt: body.excerpt ?? '',
      slug,
      status: body.status ?? 'draft',
      tags: terms(body.tags),
      categories: terms(body.categories),
      featured_image: body.featured_image ?? '',
    });
  });
  return r;
}

// ---------------------------------------------------------------- E2B (control API + code interpreter)

export function e2b(): Router {
  const r = Router();
  const sandboxes = new Map<string, { token: string; alive: boolean }>();
  r.use('/api', (req, res, next) => {
    if (invalid(String(req.headers['x-api-key'] ?? ''))) return void res.status(401).json({ code: 401, message: 'Invalid API key' });
    next();
  });
  r.post('/api/sandboxes', (req, res) => {
    const id = `sbx${sandboxes.size + 1}`;
    const token = `envd-token-${sandboxes.size + 1}`;
    sandboxes.set(id, { token, alive: true });
    res.status(201).json({
      templateID: (req.body as { templateID?: string })?.templateID ?? 'code-interpreter-v1',
      sandboxID: id,
      clientID: 'fakeclient',
      envdVersion: '0.2.0',
      envdAccessToken: token,
      domain: null,
    });
  });
  r.delete('/api/sandboxes/:id', (req, res) => {
    const s = sandboxes.get(req.params.id);
    if (!s) return void res.status(404).json({ code: 404, message: `sandbox "${req.params.id}" not found` });
    s.alive = false;
    res.status(204).end();
  });
  /** A toy interpreter: print("…") lines, raise X("…"), and a final `a op b` expression as the main result. */
  r.post('/sandbox/:id/execute', (req, res) => {
    const s = sandboxes.get(req.params.id);
    if (!s?.alive) return void res.status(502).json({ message: 'The sandbox was not found' });
    if (req.headers['x-access-token'] !== s.token) return void res.status(401).json({ message: 'Unauthorized access' });
    const { code = '', language = 'python' } = (req.body ?? {}) as { code?: string; language?: string };
    const events: Json[] = [];
    const lines = code.split('\n').map((l) => l.trim()).filter(Boolean);
    lines.forEach((line, i) => {
      if (language === 'bash') return void events.push({ type: 'stdout', text: `$ ${line}\n` });
      const print = /^print\((["'])(.*)\1\)$/.exec(line);
      const raise = /^raise (\w+)\((["'])(.*)\2\)$/.exec(line);
      const expr = /^(-?\d+)\s*([+*-])\s*(-?\d+)$/.exec(line);
      if (print) events.push({ type: 'stdout', text: `${print[2]}\n`, timestamp: 0 });
      else if (raise) {
        events.push({ type: 'stderr', text: 'Traceback (most recent call last)\n', timestamp: 0 });
        events.push({ type: 'error', name: raise[1], value: raise[3], traceback: `${raise[1]}: ${raise[3]}` });
      } else if (expr && i === lines.length - 1) {
        const [a, b] = [Number(expr[1]), Number(expr[3])];
        const value = expr[2] === '+' ? a + b : expr[2] === '-' ? a - b : a * b;
        events.push({ type: 'result', text: String(value), is_main_result: true });
      }
    });
    events.push({ type: 'end_of_execution' });
    res.type('application/x-ndjson').send(events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  });
  return r;
}

// ---------------------------------------------------------------- YouTube (watch page, Innertube player, timedtext)

export function youtube(): Router {
  const r = Router();
  const API_KEY = 'AIzaFakeInnertubeKey0123';
  r.get('/watch', (req, res) =>
    res
      .type('text/html')
      .send(`<!doctype html><html><head><script>ytcfg.set({"INNERTUBE_API_KEY":"${API_KEY}","VIDEO_ID":"${String(req.query.v ?? '')}"});</script></head><body></body></html>`),
  );
  r.post('/youtubei/v1/player', (req, res) => {
    if (req.query.key !== API_KEY)
      return void res.status(400).json({ error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' } });
    const videoId = String((req.body as { videoId?: string })?.videoId ?? '');
    const base = baseOf(req, 'youtube');
    if (videoId === 'unavailabl0')
      return void res.json({ playabilityStatus: { status: 'ERROR', reason: 'This video is unavailable' } });
    if (videoId === 'noCaptions1') return void res.json({ playabilityStatus: { status: 'OK' }, videoDetails: { videoId } });
    res.json({
      playabilityStatus: { status: 'OK' },
      videoDetails: { videoId, title: 'Fake video' },
      captions: {
        playerCaptionsTracklistRenderer: {
          captionTracks: [
            { baseUrl: `${base}/api/timedtext?v=${videoId}&lang=de&fmt=srv3`, languageCode: 'de', name: { simpleText: 'German' } },
            { baseUrl: `${base}/api/timedtext?v=${videoId}&lang=en&fmt=srv3`, languageCode: 'en', kind: 'asr', name: { simpleText: 'English (auto-generated)' } },
          ],
        },
      },
    });
  });
  r.get('/api/timedtext', (req, res) => {
    if (req.query.fmt) return void res.type('text/xml').send('<timedtext format="3"><body></body></timedtext>');
    const lines =
      req.query.lang === 'en'
        ? ['Never gonna give you up', 'Never gonna let you down', 'It&amp;#39;s a fake transcript']
        : ['Niemals', 'Nie'];
    res
      .type('text/xml')
      .send(
        `<?xml version="1.0" encoding="utf-8" ?><transcript>${lines.map((l, i) => `<text start="${i * 1.5}" dur="1.5">${l}</text>`).join('')}</transcript>`,
      );
  });
  return r;
}
