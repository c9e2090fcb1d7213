import { useCallback, useEffect, useState } from 'react';
import { auth, describeError } from '../api/client';
import { useToast } from '../components/Toasts';
import { navigate } from '../router';
import { storeApi, type Listing, type Rating } from './api';
import { Link, StoreNav, stars } from './parts';

/** A listing: details, approved versions, ratings (rate / edit mine), add to my library. */
export function ListingPage({ slug }: { slug: string }) {
  const toast = useToast();
  const [listing, setListing] = useState<Listing | null>(null);
  const [ratings, setRatings] = useState<Rating[]>([]);
  const [score, setScore] = useState(5);
  const [comment, setComment] = useState('');
  const [error, setError] = useState('');
  const signedIn = Boolean(auth.token);

  const load = useCallback(async () => {
    try {
      const l = await storeApi.listing(slug);
      setListing(l);
      setRatings((await storeApi.ratings(l.id)).items);
    } catch (err) {
      setError(describeError(err));
    }
  }, [slug]);
  useEffect(() => void load(), [load]);

  async function addToLibrary() {
    if (!listing) return;
    try {
      await storeApi.addToLibrary(listing.id);
      toast(`Added "${listing.name}" to your library`, 'success');
      navigate('/library');
    } catch (err) {
      toast(describeError(err), 'error');
    }
  }

  async function rate() {
    if (!listing) return;
    try {
      await storeApi.rate(listing.id, score, comment).catch((err: unknown) => {
        if ((err as { code?: string }).code === 'ALREADY_EXISTS') return storeApi.editRating(listing.id, score, comment);
        throw err;
      });
      toast('Thanks for your rating', 'success');
      await load();
    } catch (err) {
      toast(describeError(err), 'error');
    }
  }

  if (error) return (<><StoreNav /><main className="graph-list-page"><p className="banner banner-error">{error}</p></main></>);
  if (!listing) return (<><StoreNav /><p className="loading" role="status">Loading…</p></>);
  const current = listing.versions[listing.versions.length - 1];
  return (
    <>
      <StoreNav />
      <main className="graph-list-page store-listing" data-testid="listing-detail">
        <h1 data-testid="listing-name">{listing.name}</h1>
        <p className="muted">{listing.subHeading}</p>
        <p>
          by <Link to={`/store/creators/${encodeURIComponent(listing.creatorHandle)}`} testId="listing-creator">{listing.creatorName || listing.creatorHandle}</Link> · <span data-testid="listing-rating">{stars(listing.ratingAverage)}</span> ({listing.ratingCount}) · <span data-testid="listing-runs">{listing.runCount}</span> runs · version {listing.approvedVersion}
        </p>
        <p style={{ whiteSpace: 'pre-wrap' }}>{listing.description}</p>
        <div className="categories">
          {listing.categories.map((c) => (
            <span key={c} className="tag">{c}</span>
          ))}
        </div>
        {listing.videoUrl && <p><a href={listing.videoUrl} rel="noreferrer noopener" target="_blank">Watch the video</a></p>}
        {listing.images.map((img) => (
          <img key={img} src={img.startsWith('https://') ? img : `/api/v1/store/media/${img}`} alt="" style={{ maxWidth: 480 }} />
        ))}
        {current?.requiredCredentials.length > 0 && <p className="muted small">Needs your own credentials for: {current.requiredCredentials.join(', ')}</p>}
        {signedIn ? (
          <div className="button-row">
            <button type="button" className="primary" onClick={() => void addToLibrary()} data-testid="listing-add-to-library">Add to library</button>
          </div>
        ) : (
          <p><Link to="/login">Sign in</Link> to add this agent to your library.</p>
        )}
        <section aria-label="Ratings">
          <h2>Ratings</h2>
          {signedIn && (
            <div className="run-form">
              <label className="inline-label">
                Score
                <select value={score} onChange={(e) => setScore(Number(e.target.value))} data-testid="rating-score">
                  {[5, 4, 3, 2, 1].map((n) => <option key={n} value={n}>{n}</option>)}
                </select>
              </label>
              <input aria-label="Comment" placeholder="Comment (optional)" value={comment} onChange={(e) => setComment(e.target.value)} data-testid="rating-comment" />
              <button type="button" onClick={() => void rate()} data-testid="rating-submit">Rate</button>
            </div>
          )}
          <ul className="history-list" data-testid="ratings">
            {ratings.map((r) => (
              <li key={r.userId} className="history-item">{'★'.repeat(r.score)} {r.comment}</li>
            ))}
          </ul>
        </section>
      </main>
    </>
  );
}
