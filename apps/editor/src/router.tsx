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

export type Route = { name: 'login' } | { name: 'graphs' } | { name: 'editor'; graphId: string | null };

export function matchRoute(path: string): Route {
  if (path === '/login') return { name: 'login' };
  if (path === '/graphs/new') return { name: 'editor', graphId: null };
  const m = /^\/graphs\/([^/]+)\/?$/.exec(path);
  if (m) return { name: 'editor', graphId: decodeURIComponent(m[1]) };
  return { name: 'graphs' };
}
