import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../api/client';
import { useToast } from '../components/Toasts';
import { storeApi, type Listing, type Sort } from './api';
import { ListingCard, StoreNav } from './parts';

/** Browse and search the public catalogue: featured strip, categories, full-text search, sort, load more. */
export function StorePage() {
  const toast = useToast();
  const [q, setQ] = useState('');
  const [category, setCategory] = useState('');
  const [sort, setSort] = useState<Sort | ''>('');
  const [items, setItems] = useState<Listing[]>([]);
  const [total, setTotal] = useState(0);
  const [cursor, setCursor] = useState<string | undefined>();
  const [featured, setFeatured] = useState<Listing[]>([]);
  const [categories, setCategories] = useState<Array<{ name: string; listingCount: number }>>([]);

  useEffect(() => {
    storeApi.featured().then((f) => setFeatured(f.items), () => undefined);
    storeApi.categories().then((c) => setCategories(c.items), () => undefined);
  }, []);

  const load = useCallback(
    async (after?: string) => {
      try {
        const page = await storeApi.search({ q, category, sort: sort || undefined, cursor: after, limit: 24 });
        setItems((prev) => (after ? [...prev, ...page.items] : page.items));
        setTotal(page.total);
        setCursor(page.nextCursor);
      } catch (err) {
        toast(describeError(err), 'error');
      }
    },
    [q, category, sort, toast],
  );
  useEffect(() => {
    const t = setTimeout(() => void load(), 200);
    return () => clearTimeout(t);
  }, [load]);

  return (
    <>
      <StoreNav />
      <main className="graph-list-page store-page">
        <div className="toolbar" role="toolbar" aria-label="Store search">
          <h1>Agent store</h1>
          <input type="search" placeholder="Search agents, descriptions, creators" aria-label="Search the store" data-testid="store-search" value={q} onChange={(e) => setQ(e.target.value)} />
          <label className="inline-label">
            Category
            <select value={category} onChange={(e) => setCategory(e.target.value)} data-testid="store-category">
              <option value="">All</option>
              {categories.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name} ({c.listingCount})
                </option>
              ))}
            </select>
          </label>
          <label className="inline-label">
            Sort by
            <select value={sort} onChange={(e) => setSort(e.target.value as Sort | '')} data-testid="store-sort">
              <option value="">{q ? 'Relevance' : 'Newest'}</option>
              <option value="rating">Rating</option>
              <option value="runs">Runs</option>
              <option value="newest">Newest</option>
            </select>
          </label>
        </div>
        {!q && !category && featured.length > 0 && (
          <section aria-label="Featured" data-testid="store-featured">
            <h2>Featured</h2>
            <div className="store-grid">
              {featured.slice(0, 6).map((l) => (
                <ListingCard key={l.id} listing={l} />
              ))}
            </div>
          </section>
        )}
        <section aria-label="Results">
          <h2 data-testid="store-total">{total} agents</h2>
          <div className="store-grid" data-testid="store-results">
            {items.map((l) => (
              <ListingCard key={l.id} listing={l} />
            ))}
          </div>
          {items.length === 0 && <p className="empty">No agents match.</p>}
          {cursor && (
            <button type="button" onClick={() => void load(cursor)} data-testid="store-more">
              Load more
            </button>
          )}
        </section>
      </main>
    </>
  );
}
