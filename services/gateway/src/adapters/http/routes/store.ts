import { Router } from 'express';
import type { HttpAppOptions } from '../app';

/** Store and library routes that need a signed-in user (submit, review, rate, add to library). */
export function storeRoutes(_options: HttpAppOptions): Router {
  const r = Router();
  return r;
}
