import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../api/client';
import { useToast } from '../components/Toasts';
import { storeApi, type Listing, type ListingVersion } from './api';
import { StoreNav } from './parts';

/** Store admins: pending versions, oldest first; approve, or reject with a reason. */
export function ReviewQueuePage() {
  const toast = useToast();
  const [items, setItems] = useState<Array<{ listing: Listing; version: ListingVersion }>>([]);
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [error, setError] = useState('');

  const load = useCallback(async () => {
    try {
      setItems((await storeApi.queue()).items);
    } catch (err) {
      setError(describeError(err));
    }
  }, []);
  useEffect(() => void load(), [load]);

  async function decide(l: Listing, v: ListingVersion, decision: 'APPROVE' | 'REJECT') {
    try {
      await storeApi.review(l.id, v.version, decision, reasons[`${l.id}-${v.version}`] ?? '');
      toast(`${decision === 'APPROVE' ? 'Approved' : 'Rejected'} "${v.name}" v${v.version}`, 'success');
      await load();
    } catch (err) {
      toast(describeError(err), 'error');
    }
  }

  return (
    <>
      <StoreNav />
      <main className="graph-list-page store-queue">
        <h1>Review queue</h1>
        {error && <p className="banner banner-error" data-testid="queue-error">{error}</p>}
        {!error && items.length === 0 && <p className="empty" data-testid="queue-empty">Nothing waits for review.</p>}
        {items.map(({ listing, version }) => {
          const key = `${listing.id}-${version.version}`;
          return (
            <article key={key} className="card review-card" data-testid={`queue-item-${listing.id}`}>
              <h3>{version.name} <span className="muted small">v{version.version} · by {listing.creatorName || listing.creatorHandle}</span></h3>
              <p className="muted small">{version.subHeading}</p>
              <p>{version.description}</p>
              <p className="small">Categories: {version.categories.join(', ') || '—'}{version.requiredCredentials.length > 0 && ` · stripped: ${version.requiredCredentials.join(', ')}`}</p>
              <input aria-label="Reason" placeholder="Reason (required to reject)" value={reasons[key] ?? ''} onChange={(e) => setReasons((r) => ({ ...r, [key]: e.target.value }))} data-testid="queue-reason" />
              <div className="button-row">
                <button type="button" className="primary" onClick={() => void decide(listing, version, 'APPROVE')} data-testid="queue-approve">Approve</button>
                <button type="button" onClick={() => void decide(listing, version, 'REJECT')} data-testid="queue-reject">Reject</button>
              </div>
            </article>
          );
        })}
      </main>
    </>
  );
}
