import { lazy, Suspense, useEffect } from 'react';
import { auth } from './api/client';
import { ToastProvider } from './components/Toasts';
import { matchRoute, navigate, PUBLIC_ROUTES, usePath } from './router';
import { storePage } from './store/routes';
import { LoginPage } from './pages/LoginPage';
import { GraphListPage } from './pages/GraphListPage';

// The canvas (and @xyflow/react) is a chunk of its own, fetched while the agent list is idle so "open" does not wait.
const loadEditor = () => import('./editor/EditorPage');
const EditorPage = lazy(loadEditor);

export function App() {
  const path = usePath();
  const route = matchRoute(path);
  const signedIn = Boolean(auth.token);

  useEffect(() => {
    auth.onUnauthorized(() => {
      auth.clear();
      navigate(`/login`, true);
    });
  }, []);

  useEffect(() => {
    if (!signedIn || route.name !== 'graphs') return;
    const t = setTimeout(() => void loadEditor().catch(() => undefined), 200);
    return () => clearTimeout(t);
  }, [signedIn, route.name]);

  useEffect(() => {
    if (!signedIn && !PUBLIC_ROUTES.includes(route.name)) navigate('/login', true);
  }, [signedIn, route.name]);

  let page = storePage(route, signedIn);
  if (page) return <ToastProvider>{page}</ToastProvider>;
  if (route.name === 'login' || !signedIn) page = <LoginPage />;
  else if (route.name !== 'editor') page = <GraphListPage />;
  else
    page = (
      <Suspense
        fallback={
          <p className="loading" role="status">
            Loading editor…
          </p>
        }
      >
        <EditorPage key={route.graphId ?? 'new'} graphId={route.graphId} />
      </Suspense>
    );
  return <ToastProvider>{page}</ToastProvider>;
}
