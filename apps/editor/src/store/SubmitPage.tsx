import { Fragment, useEffect, useState } from 'react';
import { api, describeError } from '../api/client';
import type { GraphSummary } from '../api/types';
import { useToast } from '../components/Toasts';
import { storeApi, type Listing, type ListingVersion } from './api';
import { StoreNav } from './parts';

/** Submit one of my graphs as a listing, and follow my submissions through review. */
export function SubmitPage() {
  const toast = useToast();
  const [graphs, setGraphs] = useState<GraphSummary[]>([]);
  const [mine, setMine] = useState<Listing[]>([]);
  const [form, setForm] = useState({ graphId: '', name: '', subHeading: '', description: '', categories: '', videoUrl: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [resubmit, setResubmit] = useState<{ listingId: string; name: string; subHeading: string; description: string; categories: string } | null>(null);

  const reload = () => storeApi.myListings().then((m) => setMine(m.items), (err: unknown) => toast(describeError(err), 'error'));
  useEffect(() => {
    api.listGraphs({ limit: 200 }).then((p) => setGraphs(p.items), (err: unknown) => toast(describeError(err), 'error'));
    void reload();
  }, []);

  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  async function submit() {
    setErrors({});
    try {
      const listing = await storeApi.submit({
        graphId: form.graphId,
        name: form.name,
        subHeading: form.subHeading,
        description: form.description,
        categories: form.categories.split(',').map((c) => c.trim()).filter(Boolean),
        videoUrl: form.videoUrl,
      });
      toast(`Submitted "${listing.name}" for review`, 'success');
      setForm({ graphId: '', name: '', subHeading: '', description: '', categories: '', videoUrl: '' });
      await reload();
    } catch (err) {
      const e = err as { problem?: { errors?: Record<string, string> } };
      if (e.problem?.errors) setErrors(e.problem.errors);
      toast(describeError(err), 'error');
    }
  }

  function startResubmit(l: Listing, latest: ListingVersion) {
    setResubmit({ listingId: l.id, name: latest.name, subHeading: latest.subHeading, description: latest.description, categories: latest.categories.join(', ') });
  }

  /** A new version of an existing listing, from the graph's newest version; it goes to review like the first one. */
  async function sendNewVersion() {
    if (!resubmit) return;
    try {
      const listing = await storeApi.addVersion(resubmit.listingId, {
        graphVersion: 0,
        name: resubmit.name,
        subHeading: resubmit.subHeading,
        description: resubmit.description,
        categories: resubmit.categories.split(',').map((c) => c.trim()).filter(Boolean),
      });
      toast(`Submitted version ${listing.latestVersion} of "${listing.name}" for review`, 'success');
      setResubmit(null);
      await reload();
    } catch (err) {
      toast(describeError(err), 'error');
    }
  }
  const setR = (k: 'name' | 'subHeading' | 'description' | 'categories') => (e: { target: { value: string } }) =>
    setResubmit((r) => (r ? { ...r, [k]: e.target.value } : r));

  return (
    <>
      <StoreNav />
      <main className="graph-list-page store-submit">
        <h1>Submit an agent</h1>
        <form className="run-form" onSubmit={(e) => { e.preventDefault(); void submit(); }} data-testid="submit-form">
          <label className="field">
            Graph
            <select value={form.graphId} onChange={set('graphId')} data-testid="submit-graph" required>
              <option value="">Choose one of your agents…</option>
              {graphs.map((g) => <option key={g.id} value={g.id}>{g.name} (v{g.version})</option>)}
            </select>
          </label>
          <label className="field">Name<input value={form.name} onChange={set('name')} data-testid="submit-name" /></label>
          {errors.name && <span className="field-error">{errors.name}</span>}
          <label className="field">Subheading<input value={form.subHeading} onChange={set('subHeading')} data-testid="submit-subheading" /></label>
          <label className="field">Description<textarea value={form.description} onChange={set('description')} data-testid="submit-description" /></label>
          <label className="field">Categories (comma separated)<input value={form.categories} onChange={set('categories')} data-testid="submit-categories" /></label>
          <label className="field">Video link<input value={form.videoUrl} onChange={set('videoUrl')} data-testid="submit-video" /></label>
          <button type="submit" className="primary" data-testid="submit-button">Submit for review</button>
        </form>
        <h2>My submissions</h2>
        <table className="graph-table" data-testid="my-listings">
          <thead><tr><th scope="col">Listing</th><th scope="col">Version</th><th scope="col">Status</th><th scope="col">Reviewer’s note</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {mine.map((l) => {
              const latest = l.versions.reduce<ListingVersion | undefined>((a, v) => (!a || v.version > a.version ? v : a), undefined);
              return (
                <Fragment key={l.id}>
                  {l.versions.map((v) => (
                    <tr key={`${l.id}-${v.version}`} data-testid={`my-listing-${l.id}-v${v.version}`}>
                      <td>{v.name}</td>
                      <td>v{v.version}</td>
                      <td><span className={`status-pill status-pill-${v.status}`} data-testid="my-listing-status">{v.status}</span></td>
                      <td className="muted small">{v.reviewReason}</td>
                      <td>
                        {latest && v.version === latest.version && (
                          <button type="button" onClick={() => startResubmit(l, latest)} data-testid="my-listing-resubmit" aria-label={`Submit a new version of ${v.name}`}>
                            Submit a new version
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                  {resubmit?.listingId === l.id && (
                    <tr>
                      <td colSpan={5}>
                        <form className="run-form" onSubmit={(e) => { e.preventDefault(); void sendNewVersion(); }} data-testid="resubmit-form" aria-label={`New version of ${l.name}`}>
                          <p className="muted small">The new version uses the newest saved version of the agent’s graph.</p>
                          <label className="field">Name<input value={resubmit.name} onChange={setR('name')} data-testid="resubmit-name" /></label>
                          <label className="field">Subheading<input value={resubmit.subHeading} onChange={setR('subHeading')} data-testid="resubmit-subheading" /></label>
                          <label className="field">Description<textarea value={resubmit.description} onChange={setR('description')} data-testid="resubmit-description" /></label>
                          <label className="field">Categories (comma separated)<input value={resubmit.categories} onChange={setR('categories')} data-testid="resubmit-categories" /></label>
                          <div className="button-row">
                            <button type="submit" className="primary" data-testid="resubmit-button">Submit version for review</button>
                            <button type="button" className="ghost" onClick={() => setResubmit(null)}>Cancel</button>
                          </div>
                        </form>
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </main>
    </>
  );
}
