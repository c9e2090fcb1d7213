import { useCallback, useEffect, useRef, useState } from 'react';
import { api, describeError } from '../api/client';
import type { GraphSummary } from '../api/types';
import { AppHeader } from '../components/AppHeader';
import { useToast } from '../components/Toasts';
import { downloadText, safeFileName } from '../lib/download';
import { navigate } from '../router';

export function GraphListPage() {
  const toast = useToast();
  const [q, setQ] = useState('');
  const [sort, setSort] = useState<'updatedAt' | 'name'>('updatedAt');
  const [items, setItems] = useState<GraphSummary[]>([]);
  const [nextCursor, setNextCursor] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const fileRef = useRef<HTMLInputElement>(null);

  const load = useCallback(
    async (cursor?: string) => {
      setLoading(true);
      try {
        const page = await api.listGraphs({ q, sort, cursor, limit: 50 });
        setItems((prev) => (cursor ? [...prev, ...page.items] : page.items));
        setNextCursor(page.nextCursor);
      } catch (err) {
        toast(describeError(err), 'error');
      } finally {
        setLoading(false);
      }
    },
    [q, sort, toast],
  );

  useEffect(() => {
    const t = setTimeout(() => void load(), 200);
    return () => clearTimeout(t);
  }, [load]);

  async function duplicate(g: GraphSummary) {
    try {
      const full = await api.getGraph(g.id);
      const copy = await api.createGraph({
        name: `${full.name} (copy)`,
        description: full.description,
        nodes: full.nodes,
        links: full.links,
      });
      toast(`Duplicated as "${copy.name}"`, 'success');
      await load();
    } catch (err) {
      toast(describeError(err), 'error');
    }
  }

  async function remove(g: GraphSummary) {
    if (!confirm(`Delete "${g.name}"? This cannot be undone.`)) return;
    try {
      await api.deleteGraph(g.id);
      setItems((prev) => prev.filter((x) => x.id !== g.id));
      toast(`Deleted "${g.name}"`, 'success');
    } catch (err) {
      toast(describeError(err), 'error');
    }
  }

  async function exportGraph(g: GraphSummary) {
    try {
      const text = await api.exportGraph(g.id);
      downloadText(`${safeFileName(g.name)}.json`, text);
    } catch (err) {
      toast(describeError(err), 'error');
    }
  }

  async function importFile(file: File) {
    try {
      const doc: unknown = JSON.parse(await file.text());
      const g = await api.importGraph(doc);
      toast(`Imported "${g.name}"`, 'success');
      await load();
    } catch (err) {
      toast(
        err instanceof SyntaxError ? `${file.name} is not valid JSON` : `Import failed: ${describeError(err)}`,
        'error',
      );
    } finally {
      if (fileRef.current) fileRef.current.value = '';
    }
  }

  return (
    <>
      <AppHeader />
      <main className="graph-list-page">
        <div className="toolbar" role="toolbar" aria-label="Agents">
          <h1>Agents</h1>
          <input
            type="search"
            placeholder="Search agents"
            aria-label="Search agents"
            data-testid="graph-search"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
          <label className="inline-label">
            Sort by
            <select
              value={sort}
              onChange={(e) => setSort(e.target.value as 'updatedAt' | 'name')}
              data-testid="graph-sort"
            >
              <option value="updatedAt">Last updated</option>
              <option value="name">Name</option>
            </select>
          </label>
          <button type="button" onClick={() => fileRef.current?.click()} data-testid="graph-import">
            Import JSON
          </button>
          <input
            ref={fileRef}
            type="file"
            accept="application/json,.json"
            hidden
            aria-label="Import graph file"
            data-testid="graph-import-file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void importFile(f);
            }}
          />
          <button type="button" className="primary" onClick={() => navigate('/graphs/new')} data-testid="graph-new">
            New agent
          </button>
        </div>
        <table className="graph-table" data-testid="graph-list">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Nodes</th>
              <th scope="col">Version</th>
              <th scope="col">Updated</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((g) => (
              <tr key={g.id} data-testid={`graph-row-${g.id}`}>
                <td>
                  <a
                    href={`/graphs/${encodeURIComponent(g.id)}`}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(`/graphs/${encodeURIComponent(g.id)}`);
                    }}
                    data-testid="graph-open"
                  >
                    {g.name || 'Untitled'}
                  </a>
                  {g.description && <div className="muted small">{g.description}</div>}
                </td>
                <td>{g.nodeCount}</td>
                <td>v{g.version}</td>
                <td>{g.updatedAt ? new Date(g.updatedAt).toLocaleString() : ''}</td>
                <td>
                  <div className="row-actions">
                    <button
                      type="button"
                      onClick={() => void duplicate(g)}
                      aria-label={`Duplicate ${g.name}`}
                      data-testid="graph-duplicate"
                    >
                      Duplicate
                    </button>
                    <button
                      type="button"
                      onClick={() => void exportGraph(g)}
                      aria-label={`Export ${g.name}`}
                      data-testid="graph-export"
                    >
                      Export
                    </button>
                    <button
                      type="button"
                      className="danger"
                      onClick={() => void remove(g)}
                      aria-label={`Delete ${g.name}`}
                      data-testid="graph-delete"
                    >
                      Delete
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!loading && !items.length && <p className="empty">No agents yet. Create one or import a JSON export.</p>}
        {loading && <p role="status">Loading…</p>}
        {nextCursor && !loading && (
          <button type="button" onClick={() => void load(nextCursor)}>
            Load more
          </button>
        )}
      </main>
    </>
  );
}
