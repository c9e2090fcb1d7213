import type { ReactNode } from 'react';
import { auth } from '../api/client';
import { navigate } from '../router';

export function AppHeader({ children }: { children?: ReactNode }) {
  return (
    <header className="app-header">
      <a
        href="/"
        className="brand"
        onClick={(e) => {
          e.preventDefault();
          navigate('/');
        }}
      >
        Agentry
      </a>
      <nav className="header-nav" aria-label="Sections">
        <a href="/store" data-testid="nav-store" onClick={(e) => { e.preventDefault(); navigate('/store'); }}>Store</a>{' '}
        <a href="/library" data-testid="nav-library" onClick={(e) => { e.preventDefault(); navigate('/library'); }}>Library</a>
      </nav>
      <div className="header-content">{children}</div>
      <button
        type="button"
        className="ghost"
        data-testid="sign-out"
        onClick={() => {
          auth.clear();
          navigate('/login', true);
        }}
      >
        Sign out
      </button>
    </header>
  );
}
