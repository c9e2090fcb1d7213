import { useEffect, useState } from 'react';
import { describeError } from '../api/client';
import { storeApi, type Creator, type Listing } from './api';
import { ListingCard, StoreNav, stars } from './parts';

/** A creator's public page: profile and approved listings with run and rating counts. */
export function CreatorPage({ handle }: { handle: string }) {
  const [data, setData] = useState<{ creator: Creator; listings: Listing[] } | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    storeApi.creator(handle).then(setData, (err: unknown) => setError(describeError(err)));
  }, [handle]);
  return (
    <>
      <StoreNav />
      <main className="graph-list-page store-creator" data-testid="creator-page">
        {error && <p className="banner banner-error">{error}</p>}
        {data && (
          <>
            {data.creator.avatar && <img src={`/api/v1/store/media/${data.creator.avatar}`} alt="" width={64} height={64} />}
            <h1 data-testid="creator-name">{data.creator.name}</h1>
            <p className="muted">@{data.creator.handle} · {data.creator.listingCount} agents · {data.creator.runCount} runs · {stars(data.creator.ratingAverage)} ({data.creator.ratingCount})</p>
            <p>{data.creator.bio}</p>
            <ul>{data.creator.links.map((l) => <li key={l}><a href={l} rel="noreferrer noopener" target="_blank">{l}</a></li>)}</ul>
            <div className="store-grid">{data.listings.map((l) => <ListingCard key={l.id} listing={l} />)}</div>
          </>
        )}
      </main>
    </>
  );
}
