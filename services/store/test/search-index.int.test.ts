import { performance } from 'node:perf_hooks';
import { createSqliteSearchIndex, type CatalogueEntry } from '../src';

const WORDS = ['email', 'summary', 'research', 'seo', 'blog', 'twitter', 'invoice', 'translate', 'youtube', 'pdf', 'crm', 'lead', 'meeting', 'news', 'code', 'review'];
const CATS = ['productivity', 'marketing', 'research', 'finance', 'writing', 'developer tools', 'sales', 'fun'];

function entry(i: number): CatalogueEntry {
  const w = (k: number) => WORDS[(i * 7 + k * 3) % WORDS.length];
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    name: `${w(0)} ${w(1)} agent ${i}`,
    subHeading: `${w(2)} helper`,
    description: `Automates ${w(3)} and ${w(4)} tasks. Entry number ${i}.`,
    categories: [CATS[i % CATS.length], CATS[(i * 5) % CATS.length]],
    creatorHandle: `creator${i % 50}`,
    creatorName: `Creator ${i % 50}`,
    featured: i % 97 === 0,
    ratingAverage: (i % 5) + 1,
    ratingCount: i % 13,
    runCount: (i * 31) % 1000,
    approvedAt: new Date(Date.UTC(2025, 0, 1) + i * 60000).toISOString(),
  };
}

describe('discovery index (SQLite FTS5) with 10,000 listings', () => {
  const index = createSqliteSearchIndex();
  const all = Array.from({ length: 10000 }, (_, i) => entry(i));
  beforeAll(() => all.forEach((e) => index.upsert(e)));
  afterAll(() => index.close());

  it('pages through a sorted, filtered result set exactly once per listing with cursors', () => {
    for (const sort of ['newest', 'rating', 'runs', 'relevance'] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 100; i++) {
        const page = index.search({ query: sort === 'relevance' ? 'email' : undefined, category: 'marketing', sort, cursor, limit: 50 });
        seen.push(...page.ids);
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      const expected = all.filter((e) => e.categories.includes('marketing') && (sort !== 'relevance' || `${e.name} ${e.subHeading} ${e.description}`.includes('email')));
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe(expected.length);
    }
    const newest = index.search({ sort: 'newest', limit: 3 }).ids;
    expect(newest).toEqual([all[9999].id, all[9998].id, all[9997].id]);
    const byRuns = index.search({ sort: 'runs', limit: 5 }).ids.map((id) => all.find((e) => e.id === id)!.runCount);
    expect(byRuns).toEqual([...byRuns].sort((a, b) => b - a));
  });

  it('matches words as prefixes over name, description and creator, never interpreting FTS syntax', () => {
    expect(index.search({ query: 'creator 7', creatorHandle: 'creator7', limit: 100 }).total).toBe(200);
    expect(index.search({ query: 'invoi' }).total).toBeGreaterThan(0);
    expect(index.search({ query: 'NEAR(" OR * -- ;' }).total).toBe(0);
    expect(index.search({ featuredOnly: true }).total).toBe(all.filter((e) => e.featured).length);
    expect(index.search({ minRating: 5 }).total).toBe(2000);
    expect(index.categories()).toHaveLength(CATS.length);
  });

  it('answers typical queries quickly (reported, not asserted)', () => {
    const queries = [{ query: 'email summary' }, { query: 'seo', sort: 'rating' as const }, { category: 'finance', sort: 'runs' as const }, { query: 'res', category: 'research' }];
    const t0 = performance.now();
    for (let i = 0; i < 25; i++) for (const q of queries) index.search({ ...q, limit: 24 });
    const perQuery = (performance.now() - t0) / (25 * queries.length);
    console.log(`store search over 10,000 listings: ${perQuery.toFixed(2)} ms per query (incl. total count)`);
    expect(perQuery).toBeGreaterThan(0);
  });
});
