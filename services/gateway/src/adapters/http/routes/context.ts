import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '@agentry/kernel';
import type { commonV1 } from '@agentry/proto-ts';
import type { AccessClaims } from '../../../app/tokens';

/** Helpers every route module shares. */
export type Handler = (req: Request, res: Response) => Promise<void>;
export const wrap = (fn: Handler) => (req: Request, res: Response, next: NextFunction) => fn(req, res).catch(next);

export const claimsOf = (res: Response): AccessClaims => res.locals.auth as AccessClaims;
export const callerOf = (res: Response): commonV1.CallerContext => {
  const c = claimsOf(res);
  return { tenantId: c.tenant, userId: c.sub, roles: c.roles };
};

export const param = (req: Request, name: string): string => {
  const value = req.params[name];
  if (typeof value !== 'string' || !value || value.length > 200)
    throw new DomainError('VALIDATION_FAILED', `invalid ${name}`, { errors: { [name]: 'invalid' } });
  return value;
};
