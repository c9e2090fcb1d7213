/**
 * Errors of calls to external providers. `retryable` and `code` let a node RetryPolicy decide
 * (429 and 5xx are worth retrying, other 4xx are not); messages are always scrubbed of secrets.
 */
export type ProviderErrorCode =
  | 'PROVIDER_RATE_LIMITED' // 429
  | 'PROVIDER_UNAVAILABLE' // 5xx
  | 'PROVIDER_UNREACHABLE' // network failure, timeout
  | 'PROVIDER_AUTH' // 401, 403
  | 'PROVIDER_NOT_FOUND' // 404
  | 'PROVIDER_REJECTED' // other 4xx
  | 'PROVIDER_BAD_RESPONSE'; // 2xx we could not understand

export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly provider: string,
    readonly code: ProviderErrorCode,
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export function errorCodeForStatus(status: number): ProviderErrorCode {
  if (status === 429) return 'PROVIDER_RATE_LIMITED';
  if (status >= 500) return 'PROVIDER_UNAVAILABLE';
  if (status === 401 || status === 403) return 'PROVIDER_AUTH';
  if (status === 404) return 'PROVIDER_NOT_FOUND';
  return 'PROVIDER_REJECTED';
}

export const isRetryableStatus = (status: number): boolean => status === 429 || status === 408 || status >= 500;

// Shapes of well-known secrets, scrubbed even when we do not know the exact value.
const SECRET_PATTERNS: RegExp[] = [
  /\bsk-(?:ant-|proj-|or-)?[A-Za-z0-9_-]{8,}/g, // OpenAI, Anthropic, OpenRouter
  /\bgsk_[A-Za-z0-9]{8,}/g, // Groq
  /\bgh[pousr]_[A-Za-z0-9]{8,}/g, // GitHub
  /\bgithub_pat_[A-Za-z0-9_]{8,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{8,}/g, // Slack
  /\bjina_[A-Za-z0-9]{8,}/g,
  /\blin_(?:api|oauth)_[A-Za-z0-9]{8,}/g, // Linear
  /\b(?:secret|ntn)_[A-Za-z0-9]{16,}/g, // Notion
  /\bpat[A-Za-z0-9]{10,}\.[A-Za-z0-9]{16,}/g, // Airtable
  /\bya29\.[A-Za-z0-9._-]{8,}/g, // Google OAuth access token
  /\b\d{6,}:[A-Za-z0-9_-]{30,}/g, // Telegram bot token
  /(\/webhooks\/\d+\/)[A-Za-z0-9_-]{10,}/g, // Discord webhook token
  /(hooks\.slack\.com\/services\/)[A-Za-z0-9/]+/g,
  /(\bBearer\s+)[A-Za-z0-9._~+/=-]{6,}/gi,
  /([?&](?:key|api_key|apikey|access_token|token)=)[^&\s"']+/gi,
];

/** Remove known secret values and secret-shaped strings from a message. */
export function scrubSecrets(text: string, secrets: Array<string | undefined> = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, prefix?: unknown) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}***` : '***',
    );
  }
  return out;
}

/** The message of an error object, scrubbed; for yielding on an `error` pin. */
export function errorMessage(err: unknown, secrets: Array<string | undefined> = []): string {
  const message = err instanceof Error ? err.message : String(err);
  return scrubSecrets(message, secrets);
}

/** Pull the human-readable message out of the error body shapes used by the providers we call. */
export function providerMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim().slice(0, 500) || undefined;
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const err = b.error;
  if (err && typeof err === 'object' && typeof (err as Record<string, unknown>).message === 'string')
    return (err as { message: string }).message;
  if (typeof err === 'string') {
    if (typeof b.error_description === 'string') return `${err}: ${b.error_description}`;
    return typeof b.message === 'string' ? `${err}: ${b.message}` : err; // WordPress.com: {error, message}
  }
  if (typeof b.message === 'string') return b.message;
  if (typeof b.description === 'string') return b.description; // Telegram
  if (typeof b.detail === 'string') return b.detail;
  if (typeof b.status_message === 'string') return b.status_message; // DataForSEO
  if (typeof b.error_message === 'string') return b.error_message; // Google Maps
  if (Array.isArray(b.errors) && b.errors.length > 0) {
    const first = b.errors[0] as Record<string, unknown>;
    if (typeof first?.message === 'string') return first.message;
  }
  return undefined;
}
