import type { ApiClient } from './client';
import { NotSupportedError } from './errors';

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
}

/**
 * Tries the routes in order and returns the first answer; moves on only when a route does not exist
 * on the server (404 "no such API route"), so any other refusal is reported as it is. Lets the CLI
 * follow a gateway whose newer routes (tenants, API keys, admin) are still settling on their shape.
 */
export async function firstSupported<T>(client: ApiClient, routes: readonly Route[]): Promise<T> {
  let last: NotSupportedError | undefined;
  for (const r of routes) {
    try {
      return await client.request<T>(r.method, r.path, {
        body: r.body ?? (r.method === 'GET' || r.method === 'DELETE' ? undefined : {}),
      });
    } catch (err) {
      if (!(err instanceof NotSupportedError)) throw err;
      last ??= err;
    }
  }
  throw last ?? new Error('no route to try');
}

export const enc = encodeURIComponent;
