import type { NextFunction, Request, Response } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import { DomainError } from '@agentry/kernel';
import type { AccessClaims } from '../../app/tokens';

const WINDOW_MS = 60_000;

/** 429 with Retry-After (set by express-rate-limit before this runs) as problem+json RATE_LIMITED. */
const refuse = (what: string) => (_req: Request, _res: Response, next: NextFunction) =>
  next(new DomainError('RATE_LIMITED', `too many requests for this ${what}; retry after the time in Retry-After`));

const noop = (_req: Request, _res: Response, next: NextFunction) => next();

/** Per tenant and per API key, counted after authentication (requests per minute; 0 = unlimited). */
export function callerRateLimits(limits: { perTenant: number; perKey: number }) {
  const auth = (res: Response) => res.locals.auth as AccessClaims;
  const tenant = limits.perTenant
    ? rateLimit({
        windowMs: WINDOW_MS,
        limit: limits.perTenant,
        keyGenerator: (_req, res) => `tenant:${auth(res).tenant}`,
        handler: refuse('tenant'),
        standardHeaders: 'draft-7',
        legacyHeaders: false,
        validate: false,
      })
    : noop;
  const key = limits.perKey
    ? rateLimit({
        windowMs: WINDOW_MS,
        limit: limits.perKey,
        skip: (_req, res) => !auth(res).keyId,
        keyGenerator: (_req, res) => `key:${auth(res).keyId}`,
        handler: refuse('API key'),
        standardHeaders: 'draft-7',
        legacyHeaders: false,
        validate: false,
      })
    : noop;
  return [key, tenant];
}

/** Unauthenticated auth routes (login, sign-up, reset) per client address, against password guessing. */
export function addressRateLimit(perMinute: number) {
  if (!perMinute) return noop;
  return rateLimit({
    windowMs: WINDOW_MS,
    limit: perMinute,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? ''),
    handler: refuse('client address'),
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    validate: false,
  });
}
