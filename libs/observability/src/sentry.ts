import { metrics } from './agentry-metrics';

/** Keys whose values never leave the process (compared case-insensitively, ignoring - and _). */
const SECRET_KEYS = /^(password|passwd|secret|token|accesstoken|refreshtoken|apikey|xapikey|authorization|cookie|setcookie|credentials?|clientsecret|privatekey|encryptionkey|signingsecret|dsn)$/;
/** Secret-looking substrings of free text: bearer tokens, key=value pairs, provider keys, JWTs. */
const SECRET_TEXT: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [/\b(password|passwd|secret|token|api[_-]?key|authorization)(["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi, '$1$2[redacted]'],
  [/\b(sk|pk|rk|ghp|gho|xox[abp])[-_][A-Za-z0-9_-]{8,}/g, '[redacted]'],
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, '[redacted]'],
];

export function scrubText(text: string): string {
  let out = text;
  for (const [re, to] of SECRET_TEXT) out = out.replace(re, to);
  return out;
}

/** A deep copy with secret fields replaced and secret-looking text redacted (cycles and depth bounded). */
export function scrubSecrets<T>(value: T, depth = 0, seen = new WeakSet<object>()): T {
  if (typeof value === 'string') return scrubText(value) as T;
  if (!value || typeof value !== 'object' || depth > 12) return value;
  if (seen.has(value)) return '[circular]' as T;
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => scrubSecrets(v, depth + 1, seen)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEYS.test(k.toLowerCase().replace(/[-_]/g, '')) ? '[redacted]' : scrubSecrets(v, depth + 1, seen);
  }
  return out as T;
}

let sentry: typeof import('@sentry/node') | undefined;

/**
 * Sentry error reporting when SENTRY_DSN is set: every event and breadcrumb is scrubbed of secrets before it
 * is sent (beforeSend / beforeBreadcrumb); tracing stays with OpenTelemetry. Idempotent.
 */
export function initSentry(options: { serviceName: string; env?: NodeJS.ProcessEnv }): boolean {
  const env = options.env ?? process.env;
  if (sentry || !env.SENTRY_DSN) return !!sentry;
  // loaded only when Sentry is on
  const Sentry = require('@sentry/node') as typeof import('@sentry/node');
  Sentry.init({
    dsn: env.SENTRY_DSN,
    environment: env.SENTRY_ENVIRONMENT ?? env.AGENTRY_MODE ?? 'embedded',
    release: env.SENTRY_RELEASE,
    serverName: options.serviceName,
    enableOpenTelemetrySetup: false,
    initialScope: { tags: { service: options.serviceName } },
    beforeSend(event) {
      metrics.sentryEvents.inc();
      return scrubSecrets(event);
    },
    beforeBreadcrumb: (breadcrumb) => scrubSecrets(breadcrumb),
  });
  sentry = Sentry;
  return true;
}

/** Reports an error to Sentry when it is on (no-op otherwise). */
export function captureError(err: unknown, extra?: Record<string, unknown>): void {
  sentry?.captureException(err, extra ? { extra } : undefined);
}

export async function flushSentry(timeoutMs = 2000): Promise<void> {
  await sentry?.flush(timeoutMs);
}
