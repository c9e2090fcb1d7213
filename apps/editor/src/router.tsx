/** Minimal history-API router: the gateway's SPA fallback serves index.html for every path. */
import { useEffect, useState } from 'react';

export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const on = () => setPath(location.pathname);
    window.addEventListener('popstate', on);
    return () => window.removeEventListener('popstate', on);
  }, []);
  return path;
}

export type Route =
  | { name: 'login' }
  | { name: 'graphs' }
  | { name: 'editor'; graphId: string | null }
  | { name: 'store' }
  | { name: 'store-listing'; slug: string }
  | { name: 'store-creator'; handle: string }
  | { name: 'store-submit' }
  | { name: 'store-profile' }
  | { name: 'store-admin' }
  | { name: 'library' };

/** Store pages readable without signing in. */
export const PUBLIC_ROUTES: ReadonlyArray<Route['name']> = ['login', 'store', 'store-listing', 'store-creator'];

export function matchRoute(path: string): Route {
  if (path === '/login') return { name: 'login' };
  if (path === '/graphs/new') return { name: 'editor', graphId: null };
  const store = matchStoreRoute(path);
  if (store) return store;
  const m = /^\/graphs\/([^/]+)\/?$/.exec(path);
  if (m) return { name: 'editor', graphId: decodeURIComponent(m[1]) };
  return { name: 'graphs' };
}

function matchStoreRoute(path: string): Route | null {
  if (path === '/store' || path === '/store/') return { name: 'store' };
  if (path === '/store/submit') return { name: 'store-submit' };
  if (path === '/store/profile') return { name: 'store-profile' };
  if (path === '/store/admin') return { name: 'store-admin' };
  if (path === '/library') return { name: 'library' };
  const listing = /^\/store\/listings\/([^/]+)\/?$/.exec(path);
  if (listing) return { name: 'store-listing', slug: decodeURIComponent(listing[1]) };
  const creator = /^\/store\/creators\/([^/]+)\/?$/.exec(path);
  if (creator) return { name: 'store-creator', handle: decodeURIComponent(creator[1]) };
  return null;
}
