import { Router } from 'express';
import type { HttpAppOptions } from '../app';

/**
 * Routes that need no sign-in (mounted before the bearer-token check): webhook ingress, OAuth callbacks,
 * public store pages. Each must do its own verification (signatures, state) where it acts.
 */
export function publicRoutes(_options: HttpAppOptions): Router {
  const r = Router();
  return r;
}
