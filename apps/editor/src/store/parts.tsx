import './store.css';
import { useEffect, useState, type ReactNode } from 'react';
import { api, auth } from '../api/client';
import { navigate } from '../router';
import type { Listing } from './api';

export function Link({ to, children, testId }: { to: string; children: ReactNode; testId?: string }) {
  return (
    <a
      href={to}
      data-testid={testId}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

/** Whether the signed-in user is a platform admin (who reviews store submissions); asked once per sign-in. */
let adminOnce: { token: string; admin: Promise<boolean> } | undefined;
function usePlatformAdmin(signedIn: boolean): boolean {
  const [admin, setAdmin] = useState(false);
  useEffect(() => {
    if (!signedIn) return;
    let live = true;
    const token = auth.token ?? '';
    if (adminOnce?.token !== token)
      adminOnce = {
        token,
        admin: api.me().then(
          (me) => me.platformAdmin === true,
          () => false,
        ),
      };
    void adminOnce.admin.then((value) => live && setAdmin(value));
    return () => {
      live = false;
    };
  }, [signedIn]);
  return admin;
}

/** The store's own bar: works signed out (the catalogue is public). */
export function StoreNav() {
  const signedIn = Boolean(auth.token);
  const admin = usePlatformAdmin(signedIn);
  return (
    <header className="app-header">
      <Link to="/">Agentry</Link>
      <nav className="header-content store-nav" aria-label="Store">
        <Link to="/store" testId="nav-store">
          Store
        </Link>
        {signedIn && (
          <Link to="/library" testId="nav-library">
            Library
          </Link>
        )}
        {signedIn && (
          <Link to="/store/submit" testId="nav-submit">
            Submit
          </Link>
        )}
        {signedIn && (
          <Link to="/store/profile" testId="nav-profile">
            Profile
          </Link>
        )}
        {admin && (
          <Link to="/store/admin" testId="nav-review-queue">
            Review queue
          </Link>
        )}
        {!signedIn && (
          <Link to="/login" testId="nav-sign-in">
            Sign in
          </Link>
        )}
      </nav>
    </header>
  );
}

export const stars = (avg: number) => (avg ? `★ ${avg.toFixed(1)}` : 'no ratings');

export function ListingCard({ listing }: { listing: Listing }) {
  return (
    <article className="card store-card" data-testid={`listing-card-${listing.id}`}>
      <h3>
        <Link to={`/store/listings/${encodeURIComponent(listing.slug)}`} testId="listing-open">
          {listing.name}
        </Link>
        {listing.featured && <span className="tag">featured</span>}
      </h3>
      <p className="muted small">{listing.subHeading}</p>
      <p className="small">
        by{' '}
        <Link to={`/store/creators/${encodeURIComponent(listing.creatorHandle)}`}>
          {listing.creatorName || listing.creatorHandle}
        </Link>{' '}
        · {stars(listing.ratingAverage)} ({listing.ratingCount}) · {listing.runCount} runs
      </p>
      <div className="categories">
        {listing.categories.map((c) => (
          <span key={c} className="tag">
            {c}
          </span>
        ))}
      </div>
    </article>
  );
}
