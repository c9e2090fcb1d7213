import { z } from 'zod';
import { ConfigError } from '@agentry/config';

const optional = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));
const count = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

/**
 * Settings only the gateway reads (libs/config holds the shared ones). Parsed once at start-up from the
 * environment; a bad value stops the start with a message naming the variable.
 */
const schema = z.object({
  /** `open`: anyone may sign up (a new tenant each); `closed`: only by invitation or an admin. */
  AGENTRY_SIGNUP: z.enum(['open', 'closed']).default('closed'),
  /** Comma-separated origins allowed by CORS (`*` for any); empty = no CORS headers (same origin only). */
  AGENTRY_CORS_ORIGINS: z.string().default(''),
  AGENTRY_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'a size such as 512kb or 5mb')
    .default('5mb'),
  /** Requests per minute; 0 = unlimited. */
  AGENTRY_RATE_LIMIT_PER_TENANT: count(6000),
  AGENTRY_RATE_LIMIT_PER_KEY: count(1200),
  /** Unauthenticated auth routes (login, sign-up, reset) per client address. */
  AGENTRY_RATE_LIMIT_AUTH_PER_IP: count(120),
  AGENTRY_REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(30 * 24 * 3600),
  AGENTRY_PASSWORD_RESET_TTL_SECONDS: z.coerce.number().int().positive().default(3600),
  AGENTRY_INVITATION_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(7 * 24 * 3600),
  AGENTRY_SMTP_HOST: optional,
  AGENTRY_SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(25),
  AGENTRY_SMTP_USER: optional,
  AGENTRY_SMTP_PASSWORD: optional,
  AGENTRY_SMTP_FROM: z.string().default('Agentry <no-reply@agentry.local>'),
  AGENTRY_PUBLIC_URL: optional,
  /** External OIDC issuer whose tokens are trusted beside local ones (its JWKS from discovery or AGENTRY_OIDC_JWKS_URL). */
  AGENTRY_OIDC_ISSUER: optional,
  AGENTRY_OIDC_AUDIENCE: optional,
  AGENTRY_OIDC_JWKS_URL: optional,
  AGENTRY_OIDC_TENANT_CLAIM: z.string().default('tenant'),
  AGENTRY_OIDC_ROLES_CLAIM: z.string().default('roles'),
  AGENTRY_OIDC_DEFAULT_TENANT: optional,
  AGENTRY_UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  AGENTRY_CLAMD_HOST: optional,
  AGENTRY_CLAMD_PORT: z.coerce.number().int().min(1).max(65535).default(3310),
  /** WebSocket: how often the server pings; a socket that did not answer the previous ping is dropped. */
  AGENTRY_WS_HEARTBEAT_MS: z.coerce.number().int().min(10).default(30_000),
  /** How often the gateway's read models (accounts, sessions, API keys, files) fold what other writers appended; 0 = never. */
  AGENTRY_GATEWAY_FOLLOW_MS: count(250),
  /** WebSocket: undelivered bytes a client may hold back before it is disconnected (close 1013) as too slow. */
  AGENTRY_WS_MAX_BUFFERED_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),
});

export type GatewayConfig = z.infer<typeof schema> & { corsOrigins: string[] };

export function loadGatewayConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success)
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '?'), message: i.message })));
  const corsOrigins = parsed.data.AGENTRY_CORS_ORIGINS.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { ...parsed.data, corsOrigins };
}
