import { Fragment, useCallback, useEffect, useState } from 'react';
import { describeError } from '../api/client';
import { useToast } from '../components/Toasts';
import { storeApi, type LibraryAgent } from './api';
import { LibraryPresets } from './LibraryPresets';
import { Link, StoreNav } from './parts';

/** My tenant's library: installed agents, update notices with one-click update, run counts. */
export function LibraryPage() {
  const toast = useToast();
  const [items, setItems] = useState<LibraryAgent[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const replace = (a: LibraryAgent) => setItems((list) => list.map((x) => (x.id === a.id ? a : x)));
  const load = useCallback(async () => {
    try {
      setItems((await storeApi.library()).items);
    } catch (err) {
      toast(describeError(err), 'error');
    }
  }, [toast]);
  useEffect(() => void load(), [load]);

  async function update(a: LibraryAgent) {
    try {
      await storeApi.update(a.id);
      toast(`Updated "${a.listingName}" to version ${a.latestVersion}`, 'success');
      await load();
    } catch (err) {
      toast(describeError(err), 'error');
    }
  }

  return (
    <>
      <StoreNav />
      <main className="graph-list-page store-library">
        <h1>Library</h1>
        {items.length === 0 && <p className="empty">Nothing here yet: add agents from the <Link to="/store">store</Link>.</p>}
        <table className="graph-table" data-testid="library-list">
          <tbody>
            {items.map((a) => (
              <Fragment key={a.id}>
              <tr data-testid={`library-row-${a.listingId}`}>
                <td>
                  <Link to={`/graphs/${encodeURIComponent(a.graphId)}`} testId="library-open">{a.listingName}</Link>
                  {a.requiredCredentials.length > 0 && <div className="muted small">Add your credentials for: {a.requiredCredentials.join(', ')}</div>}
                </td>
                <td>v{a.listingVersion}</td>
                <td>{a.runCount} runs</td>
                <td>
                  <button type="button" aria-expanded={open === a.id} onClick={() => setOpen(open === a.id ? null : a.id)} data-testid="library-presets">
                    {a.presets.length} presets
                  </button>
                </td>
                <td>
                  {a.updateAvailable && (
                    <button type="button" className="primary" onClick={() => void update(a)} data-testid="library-update">
                      Update to v{a.latestVersion}
                    </button>
                  )}
                </td>
              </tr>
              {open === a.id && (
                <tr>
                  <td colSpan={5}>
                    <LibraryPresets agent={a} onChange={replace} />
                  </td>
                </tr>
              )}
              </Fragment>
            ))}
          </tbody>
        </table>
      </main>
    </>
  );
}
