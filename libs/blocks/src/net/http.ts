import type { BlockContext } from '@agentry/block-sdk';
import { ProviderError, errorCodeForStatus, isRetryableStatus, providerMessage, scrubSecrets } from './errors';

/**
 * Base URLs of the APIs blocks call. Each can be overridden by an environment variable (self-hosted
 * gateways, regional endpoints, local fake servers in tests); the variable is read at call time.
 */
export const PROVIDER_ENDPOINTS = {
  openai: { env: 'AGENTRY_OPENAI_BASE_URL', defaultUrl: 'https://api.openai.com/v1' },
  anthropic: { env: 'AGENTRY_ANTHROPIC_BASE_URL', defaultUrl: 'https://api.anthropic.com' },
  open_router: { env: 'AGENTRY_OPEN_ROUTER_BASE_URL', defaultUrl: 'https://openrouter.ai/api/v1' },
  groq: { env: 'AGENTRY_GROQ_BASE_URL', defaultUrl: 'https://api.groq.com/openai/v1' },
  github: { env: 'AGENTRY_GITHUB_API_URL', defaultUrl: 'https://api.github.com' },
  linear: { env: 'AGENTRY_LINEAR_API_URL', defaultUrl: 'https://api.linear.app' },
  notion: { env: 'AGENTRY_NOTION_API_URL', defaultUrl: 'https://api.notion.com' },
  airtable: { env: 'AGENTRY_AIRTABLE_API_URL', defaultUrl: 'https://api.airtable.com' },
  hubspot: { env: 'AGENTRY_HUBSPOT_API_URL', defaultUrl: 'https://api.hubapi.com' },
  reddit: { env: 'AGENTRY_REDDIT_API_URL', defaultUrl: 'https://oauth.reddit.com' },
  twitter: { env: 'AGENTRY_TWITTER_API_URL', defaultUrl: 'https://api.twitter.com' },
  google_sheets: { env: 'AGENTRY_GOOGLE_SHEETS_API_URL', defaultUrl: 'https://sheets.googleapis.com' },
  google_calendar: { env: 'AGENTRY_GOOGLE_CALENDAR_API_URL', defaultUrl: 'https://www.googleapis.com/calendar/v3' },
  gmail: { env: 'AGENTRY_GMAIL_API_URL', defaultUrl: 'https://gmail.googleapis.com' },
  slack: { env: 'AGENTRY_SLACK_API_URL', defaultUrl: 'https://slack.com/api' },
  telegram: { env: 'AGENTRY_TELEGRAM_API_URL', defaultUrl: 'https://api.telegram.org' },
  discord: { env: 'AGENTRY_DISCORD_API_URL', defaultUrl: 'https://discord.com/api/v10' },
  jina_reader: { env: 'AGENTRY_JINA_READER_URL', defaultUrl: 'https://r.jina.ai' },
  jina_search: { env: 'AGENTRY_JINA_SEARCH_URL', defaultUrl: 'https://s.jina.ai' },
  /** `{lang}` is replaced by the block's language input. */
  wikipedia: { env: 'AGENTRY_WIKIPEDIA_API_URL', defaultUrl: 'https://{lang}.wikipedia.org/api/rest_v1' },
  firecrawl: { env: 'AGENTRY_FIRECRAWL_API_URL', defaultUrl: 'https://api.firecrawl.dev' },
  dataforseo: { env: 'AGENTRY_DATAFORSEO_API_URL', defaultUrl: 'https://api.dataforseo.com' },
  google_maps: { env: 'AGENTRY_GOOGLE_MAPS_API_URL', defaultUrl: 'https://maps.googleapis.com' },
  ideogram: { env: 'AGENTRY_IDEOGRAM_API_URL', defaultUrl: 'https://api.ideogram.ai' },
  replicate: { env: 'AGENTRY_REPLICATE_API_URL', defaultUrl: 'https://api.replicate.com' },
  revid: { env: 'AGENTRY_REVID_API_URL', defaultUrl: 'https://www.revid.ai' },
  wordpress: { env: 'AGENTRY_WORDPRESS_API_URL', defaultUrl: 'https://public-api.wordpress.com' },
  e2b: { env: 'AGENTRY_E2B_API_URL', defaultUrl: 'https://api.e2b.dev' },
  /** Code-interpreter endpoint of one sandbox; `{sandbox}` and `{domain}` come from the create-sandbox answer. */
  e2b_sandbox: { env: 'AGENTRY_E2B_SANDBOX_URL', defaultUrl: 'https://49999-{sandbox}.{domain}' },
  youtube: { env: 'AGENTRY_YOUTUBE_URL', defaultUrl: 'https://www.youtube.com' },
  /** Webshare's rotating residential proxy, which YouTube requests go through (as AutoGPT does). */
  webshare_proxy: { env: 'AGENTRY_WEBSHARE_PROXY_URL', defaultUrl: 'http://p.webshare.io:80' },
} as const;

export type EndpointName = keyof typeof PROVIDER_ENDPOINTS;

export function providerBaseUrl(name: EndpointName): string {
  const { env, defaultUrl } = PROVIDER_ENDPOINTS[name];
  return (process.env[env] || defaultUrl).replace(/\/+$/, '');
}

/** Ollama host: the block input when set to something other than AutoGPT's default, else AGENTRY_OLLAMA_HOST, else the input. */
export function ollamaBaseUrl(inputHost?: string): string {
  const fromInput = inputHost && inputHost !== 'localhost:11434' ? inputHost : undefined;
  const host = fromInput ?? process.env.AGENTRY_OLLAMA_HOST ?? inputHost ?? 'localhost:11434';
  return (/^https?:\/\//.test(host) ? host : `http://${host}`).replace(/\/+$/, '');
}

/**
 * Host names of every base URL set through the environment: operator-configured endpoints, which the
 * block runner should pass as `allowHosts` to createGuardedFetch (an Ollama on localhost, a gateway in
 * the private network).
 */
export function configuredProviderHosts(): string[] {
  const urls = [...Object.values(PROVIDER_ENDPOINTS).map((e) => process.env[e.env]), process.env.AGENTRY_OLLAMA_HOST];
  const hosts = new Set<string>();
  for (const u of urls) {
    if (!u) continue;
    try {
      hosts.add(new URL(/^https?:\/\//.test(u) ? u : `http://${u}`).hostname);
    } catch {
      // An unparsable value is reported when a block uses it.
    }
  }
  return [...hosts];
}

export class MissingCredentialsError extends Error {
  override readonly name = 'MissingCredentialsError';
  readonly retryable = false;
  readonly code = 'CREDENTIALS_MISSING';
}

/** The secret of the resolved credentials (API key, access token or password), for auth headers and scrubbing. */
export function credentialSecret(ctx: BlockContext): string | undefined {
  const c = ctx.credentials;
  if (!c) return undefined;
  switch (c.type) {
    case 'api_key':
      return c.apiKey;
    case 'oauth2':
      return c.accessToken;
    case 'user_password':
      return c.password;
    case 'host_scoped':
      return Object.values(c.headers).join(' ');
  }
}

export function requireSecret(ctx: BlockContext, provider: string): string {
  const secret = credentialSecret(ctx);
  if (!secret) throw new MissingCredentialsError(`No ${provider} credentials were provided to this block`);
  return secret;
}

export interface ProviderRequest {
  provider: string;
  url: string;
  method?: string;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined | null>;
  /** Serialised as JSON with content-type application/json. */
  json?: unknown;
  body?: RequestInit['body'];
  timeoutMs?: number;
  /** Values to scrub from error messages in addition to the block's credentials. */
  secrets?: Array<string | undefined>;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

function buildUrl(url: string, query?: ProviderRequest['query']): string {
  if (!query) return url;
  const u = new URL(url);
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) u.searchParams.set(k, String(v));
  return u.toString();
}

/**
 * Send a request through ctx.fetch (SSRF-guarded in production) and map failures to ProviderError:
 * 429/5xx/network retryable, other 4xx not; the provider's own message kept, secrets scrubbed.
 */
export async function openProvider(ctx: BlockContext, req: ProviderRequest): Promise<Response> {
  const secrets = [credentialSecret(ctx), ...(req.secrets ?? [])];
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]);
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  let body = req.body;
  if (req.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(req.json);
  }
  let response: Response;
  try {
    response = await ctx.fetch(buildUrl(req.url, req.query), { method: req.method ?? 'GET', headers, body, signal });
  } catch (err) {
    if (ctx.signal.aborted) throw err; // cancelled by the engine: not a provider failure
    if ((err as { retryable?: boolean }).retryable === false) throw err; // SSRF refusal and the like
    const timedOut = (err as Error).name === 'TimeoutError';
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const detail = timedOut
      ? `timed out after ${timeoutMs} ms`
      : (cause?.code ?? cause?.message ?? (err as Error).message);
    throw new ProviderError(
      req.provider,
      'PROVIDER_UNREACHABLE',
      scrubSecrets(`${req.provider} is unreachable: ${detail}`, secrets),
      undefined,
      true,
    );
  }
  if (response.ok) return response;
  const text = await response.text().catch(() => '');
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Keep the text body.
  }
  const message = providerMessage(parsed) ?? response.statusText ?? 'request failed';
  const retryAfter = Number(response.headers.get('retry-after'));
  throw new ProviderError(
    req.provider,
    errorCodeForStatus(response.status),
    scrubSecrets(`${req.provider} API error ${response.status}: ${message}`, secrets),
    response.status,
    isRetryableStatus(response.status),
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
  );
}

/** openProvider + parse the JSON body (an empty body is `undefined`). */
export async function callProvider<T = unknown>(
  ctx: BlockContext,
  req: ProviderRequest,
): Promise<{ status: number; headers: Headers; data: T }> {
  const response = await openProvider(ctx, req);
  const text = await response.text();
  if (!text) return { status: response.status, headers: response.headers, data: undefined as T };
  try {
    return { status: response.status, headers: response.headers, data: JSON.parse(text) as T };
  } catch {
    throw new ProviderError(
      req.provider,
      'PROVIDER_BAD_RESPONSE',
      `${req.provider} returned a non-JSON response (status ${response.status})`,
      response.status,
      false,
    );
  }
}

/** openProvider + the body as text. */
export async function callProviderText(ctx: BlockContext, req: ProviderRequest): Promise<string> {
  const response = await openProvider(ctx, {
    ...req,
    headers: { accept: 'text/plain, text/markdown, */*', ...req.headers },
  });
  return response.text();
}

/** Whether an error should be thrown (so the node RetryPolicy can retry it) rather than yielded on `error`. */
export function isRetryable(err: unknown): boolean {
  return (err as { retryable?: boolean } | null)?.retryable === true;
}
