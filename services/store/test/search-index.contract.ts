import { performance } from 'node:perf_hooks';
import type { CatalogueEntry, SearchIndex } from '../src';

const WORDS = ['email', 'summary', 'research', 'seo', 'blog', 'twitter', 'invoice', 'translate', 'youtube', 'pdf', 'crm', 'lead', 'meeting', 'news', 'code', 'review'];
const CATS = ['productivity', 'marketing', 'research', 'finance', 'writing', 'developer tools', 'sales', 'fun'];

export function catalogueEntry(i: number): CatalogueEntry {
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

const tokens = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
/** Every query word is a whole word of name, sub-heading, description or creator: what every adapter matches. */
const matches = (e: CatalogueEntry, query: string) => {
  const t = tokens(`${e.name} ${e.subHeading} ${e.description} ${e.creatorName} ${e.creatorHandle}`);
  return [...tokens(query)].every((w) => t.has(w));
};

/**
 * The discovery index's behaviour with 10,000 listings, for every adapter (SQLite FTS5 here; the MongoDB text index
 * when MONGO_URL is set). `open` gives an empty index.
 */
export function searchIndexContract(name: string, open: () => Promise<SearchIndex>, after: (index: SearchIndex) => Promise<void> = (i) => i.close()): void {
  describe(`discovery index contract: ${name}, 10,000 listings`, () => {
    let index: SearchIndex;
    const all = Array.from({ length: 10000 }, (_, i) => catalogueEntry(i));
    beforeAll(async () => {
      index = await open();
      all.forEach((e) => index.upsert(e));
    });
    afterAll(() => after(index));

    it('pages through a sorted, filtered result set exactly once per listing with cursors', async () => {
      for (const sort of ['newest', 'rating', 'runs', 'relevance'] as const) {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let i = 0; i < 100; i++) {
          const page = await index.search({ query: sort === 'relevance' ? 'email' : undefined, category: 'marketing', sort, cursor, limit: 50 });
          seen.push(...page.ids);
          cursor = page.nextCursor;
          if (!cursor) break;
        }
        const expected = all.filter((e) => e.categories.includes('marketing') && (sort !== 'relevance' || matches(e, 'email')));
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen.length).toBe(expected.length);
        expect(new Set(seen)).toEqual(new Set(expected.map((e) => e.id)));
      }
      const newest = (await index.search({ sort: 'newest', limit: 3 })).ids;
      expect(newest).toEqual([all[9999].id, all[9998].id, all[9997].id]);
      const byRuns = (await index.search({ sort: 'runs', limit: 5 })).ids.map((id) => all.find((e) => e.id === id)!.runCount);
      expect(byRuns).toEqual([...byRuns].sort((a, b) => b - a));
      const byRating = (await index.search({ sort: 'rating', limit: 40 })).ids.map((id) => all.find((e) => e.id === id)!);
      expect(byRating.map((e) => [e.ratingAverage, e.ratingCount])).toEqual(
        all
          .map((e) => [e.ratingAverage, e.ratingCount])
          .sort((a, b) => b[0] - a[0] || b[1] - a[1])
          .slice(0, 40),
      );
    });

    it('requires every word, as whole words over name, description and creator, never interpreting query syntax', async () => {
      expect((await index.search({ query: 'creator 7', creatorHandle: 'creator7', limit: 100 })).total).toBe(200);
      for (const query of ['invoice', 'Invoice PDF', 'email summary agent', 'translate 4242']) {
        expect((await index.search({ query, limit: 100 })).total).toBe(all.filter((e) => matches(e, query)).length);
      }
      expect((await index.search({ query: 'NEAR(" OR * -- ;' })).total).toBe(0);
      expect((await index.search({ query: '"email" -summary' })).total).toBe(all.filter((e) => matches(e, 'email summary')).length);
      expect((await index.search({ featuredOnly: true })).total).toBe(all.filter((e) => e.featured).length);
      expect((await index.search({ minRating: 5 })).total).toBe(2000);
      expect(await index.categories()).toHaveLength(CATS.length);
      const counts = new Map<string, number>();
      for (const e of all) for (const c of new Set(e.categories)) counts.set(c, (counts.get(c) ?? 0) + 1);
      expect(new Map((await index.categories()).map((c) => [c.name, c.listingCount]))).toEqual(counts);
      await expect(index.search({ sort: 'newest', cursor: 'garbage' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('reflects updates and removals in the next read', async () => {
      const e = all[1234];
      index.upsert({ ...e, name: 'Zeppelin tracker', runCount: 99999 });
      expect((await index.search({ query: 'zeppelin' })).ids).toEqual([e.id]);
      expect((await index.search({ sort: 'runs', limit: 1 })).ids).toEqual([e.id]);
      index.remove(e.id);
      expect((await index.search({ query: 'zeppelin' })).total).toBe(0);
      expect((await index.search({})).total).toBe(all.length - 1);
      index.upsert(e);
      expect((await index.search({})).total).toBe(all.length);
    });

    it('answers typical queries quickly (reported, not asserted)', async () => {
      const queries = [{ query: 'email summary' }, { query: 'seo', sort: 'rating' as const }, { category: 'finance', sort: 'runs' as const }, { query: 'research', category: 'research' }];
      const t0 = performance.now();
      for (let i = 0; i < 25; i++) for (const q of queries) await index.search({ ...q, limit: 24 });
      const perQuery = (performance.now() - t0) / (25 * queries.length);
      console.log(`store search (${name}) over 10,000 listings: ${perQuery.toFixed(2)} ms per query (incl. total count)`);
      expect(perQuery).toBeGreaterThan(0);
    });
  });
}
