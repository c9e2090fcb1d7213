import type { BlockContext, ResolvedCredentials } from '@agentry/block-sdk';
import { errorMessage, ProviderError } from './errors';
import { sleep } from '../util';
import { credentialSecret, isRetryable } from './http';

/**
 * Run a block body and turn a failure into a yield on the `error` pin (AutoGPT's behaviour), except for
 * retryable failures (429, 5xx, network), which are thrown so the node's RetryPolicy can act on them;
 * the engine turns a throw into the `error` pin value too. Messages are scrubbed of the credentials.
 */
export async function* withErrorPin<K extends string>(
  ctx: BlockContext,
  body: () => AsyncIterable<[string, unknown]>,
): AsyncIterable<[K, unknown]> {
  try {
    // Pin names are checked by the block's output schema (and its self-tests), not by the compiler here.
    yield* body() as AsyncIterable<[K, unknown]>;
  } catch (err) {
    if (ctx.signal.aborted || isRetryable(err)) throw err;
    yield ['error' as K, errorMessage(err, [credentialSecret(ctx)])];
  }
}

/** AutoGPT-style credentials meta input (`{id, provider, type, title}`); the secret itself arrives in ctx.credentials. */
export interface CredentialsMeta {
  id: string;
  provider: string;
  type: string;
  title?: string | null;
}

// ---- Helpers for the blocks' self-test cases (data only; the fakes live in @agentry/testing) ----

export const testApiKey = (provider: string): ResolvedCredentials => ({
  id: `test-${provider}`,
  provider,
  type: 'api_key',
  apiKey: `test-${provider}-key-0123456789`,
});
export const testOAuth = (provider: string, scopes: string[] = []): ResolvedCredentials => ({
  id: `test-${provider}`,
  provider,
  type: 'oauth2',
  accessToken: `test-${provider}-token-0123456789`,
  scopes,
});

/**
 * Test input whose `lazy` fields are read when the runner reads them, i.e. after it has started the
 * fake servers (whose port, hence URL, is only known then). Used where the URL itself is an input.
 */
export function lazyInput(
  fixed: Record<string, unknown>,
  lazy: Record<string, () => unknown>,
): Record<string, unknown> {
  const input: Record<string, unknown> = { ...fixed };
  for (const [key, get] of Object.entries(lazy))
    Object.defineProperty(input, key, { get, enumerable: true, configurable: true });
  return input;
}

/** URL on the generic fake web server started by startFakeServers(['web']) (env AGENTRY_FAKE_WEB_URL). */
export const fakeWebUrl = (path: string): string =>
  `${process.env.AGENTRY_FAKE_WEB_URL ?? 'http://127.0.0.1:9'}${path}`;

export const testUserPassword = (provider: string): ResolvedCredentials => ({
  id: `test-${provider}`,
  provider,
  type: 'user_password',
  username: `test-${provider}-user`,
  password: `test-${provider}-password-0123456789`,
});

/**
 * Pause between polls of a long-running provider job (Replicate predictions, Firecrawl crawls, Revid renders):
 * AGENTRY_PROVIDER_POLL_INTERVAL_MS when set (tests point it at a few ms), else the provider's usual pace.
 */
export function pollIntervalMs(defaultMs: number): number {
  const configured = Number(process.env.AGENTRY_PROVIDER_POLL_INTERVAL_MS);
  return Number.isFinite(configured) && configured >= 0 && process.env.AGENTRY_PROVIDER_POLL_INTERVAL_MS !== ''
    ? configured
    : defaultMs;
}

/**
 * Poll a provider job until `check` returns a value (anything but undefined), sleeping between polls; gives up
 * after `timeoutMs` (a retryable failure: the job may still finish) and stops at once when the node is cancelled.
 */
export async function pollJob<T>(
  ctx: BlockContext,
  opts: { provider: string; what: string; intervalMs: number; timeoutMs: number },
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const done = await check();
    if (done !== undefined) return done;
    if (Date.now() >= deadline)
      throw new ProviderError(
        opts.provider,
        'PROVIDER_UNAVAILABLE',
        `${opts.provider}: ${opts.what} did not finish within ${Math.round(opts.timeoutMs / 1000)} s`,
        undefined,
        true,
      );
    await sleep(opts.intervalMs, ctx.signal);
  }
}
