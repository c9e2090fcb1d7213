import { Router } from 'express';
import type { HttpAppOptions } from '../app';

/** Credentials, OAuth connections, triggers, schedules and notifications (signed-in routes). */
export function integrationRoutes(_options: HttpAppOptions): Router {
  const r = Router();
  return r;
}
