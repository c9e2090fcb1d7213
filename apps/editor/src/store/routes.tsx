import type { ReactElement } from 'react';
import type { Route } from '../router';
import { CreatorPage } from './CreatorPage';
import { LibraryPage } from './LibraryPage';
import { ListingPage } from './ListingPage';
import { ProfilePage } from './ProfilePage';
import { ReviewQueuePage } from './ReviewQueuePage';
import { StorePage } from './StorePage';
import { SubmitPage } from './SubmitPage';

/** The store's pages for a route, or null when the route is not the store's (signed-out users get the public ones). */
export function storePage(route: Route, signedIn: boolean): ReactElement | null {
  switch (route.name) {
    case 'store':
      return <StorePage />;
    case 'store-listing':
      return <ListingPage key={route.slug} slug={route.slug} />;
    case 'store-creator':
      return <CreatorPage key={route.handle} handle={route.handle} />;
    case 'store-submit':
      return signedIn ? <SubmitPage /> : null;
    case 'store-profile':
      return signedIn ? <ProfilePage /> : null;
    case 'store-admin':
      return signedIn ? <ReviewQueuePage /> : null;
    case 'library':
      return signedIn ? <LibraryPage /> : null;
    default:
      return null;
  }
}
