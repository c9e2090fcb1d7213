import type { CollectionSpec, ReadCollection, ReadStore, StoredDocument } from './ports';

/** A fresh, empty store per test; `dispose` removes what the test left. */
export interface ReadStoreFixture {
  store: ReadStore;
  dispose(): Promise<void>;
}

type Agent = {
  name: string;
  description: string;
  status: string;
  runs: number;
  createdAt: string;
  public: boolean;
};

const AGENTS: CollectionSpec<Agent> = {
  name: 'contract_agents',
  indexes: [['status', 'createdAt'], ['status', 'runs'], ['createdAt'], ['public', 'status']],
  text: ['name', 'description'],
};

const STATUSES = ['draft', 'active', 'archived'];
const NOUNS = ['invoice', 'email', 'summary', 'research', 'café', 'twitter', 'crm', 'report'];

function agent(i: number): Agent {
  return {
    name: `${NOUNS[i % NOUNS.length]} helper ${i}`,
    description: `Drafts ${NOUNS[(i * 3 + 1) % NOUNS.length]} and ${NOUNS[(i * 5 + 2) % NOUNS.length]} work.`,
    status: STATUSES[i % STATUSES.length],
    runs: (i * 37) % 11,
    createdAt: new Date(Date.UTC(2026, 0, 1) + (i % 17) * 3_600_000).toISOString(),
    public: i % 4 === 0,
  };
}

const byKey = (field: keyof Agent, dir: 1 | -1) => (a: StoredDocument<Agent>, b: StoredDocument<Agent>) => {
  const x = a.data[field];
  const y = b.data[field];
  const c = x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  return c * dir;
};

/** Every page of a list query, following cursors (bounded). */
async function allPages(col: ReadCollection<Agent>, q: Parameters<ReadCollection<Agent>['list']>[0]): Promise<Array<StoredDocument<Agent>>> {
  const out: Array<StoredDocument<Agent>> = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await col.list({ ...q, cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('paging did not end');
}

const hasWords = (a: Agent, ws: string[]) => {
  const text = `${a.name} ${a.description}`.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '');
  const tokens = new Set(text.match(/[\p{L}\p{N}]+/gu) ?? []);
  return ws.every((w) => tokens.has(w));
};

/**
 * Behaviour every read-store adapter shows (libs/read-store README). Runs on SQLite everywhere and on
 * MongoDB when MONGO_URL is set.
 */
export function readStoreContract(name: string, makeFixture: () => Promise<ReadStoreFixture>): void {
  describe(`read-store contract: ${name}`, () => {
    let fixture: ReadStoreFixture | undefined;
    let col: ReadCollection<Agent>;
    beforeEach(async () => {
      fixture = await makeFixture();
      col = await fixture.store.collection(AGENTS);
    });
    afterEach(async () => {
      await fixture?.dispose();
      fixture = undefined;
    });

    it('reads back what it wrote, per tenant only', async () => {
      expect(await col.upsert('t-a', 'x1', agent(1), 10)).toBe(true);
      expect(await col.get('t-a', 'x1')).toEqual({ tenantId: 't-a', id: 'x1', position: 10, data: agent(1) });
      expect(await col.get('t-b', 'x1')).toBeUndefined();
      expect(await col.get('t-a', 'nope')).toBeUndefined();
      expect(await col.position()).toBe(10);
    });

    it('applies a write only over an older position: redelivered and replayed events are no-ops', async () => {
      expect(await col.upsert('t-a', 'x1', agent(1), 5)).toBe(true);
      expect(await col.upsert('t-a', 'x1', agent(2), 5)).toBe(false);
      expect(await col.upsert('t-a', 'x1', agent(3), 3)).toBe(false);
      expect((await col.get('t-a', 'x1'))?.data).toEqual(agent(1));
      expect(await col.upsert('t-a', 'x1', agent(4), 7)).toBe(true);
      expect(await col.get('t-a', 'x1')).toMatchObject({ position: 7, data: agent(4) });
      // the same id in another tenant is another document with its own position
      expect(await col.upsert('t-b', 'x1', agent(5), 1)).toBe(true);
      expect(await col.position()).toBe(7);
    });

    it('removes with a tombstone that an older upsert cannot revive', async () => {
      await col.upsert('t-a', 'x1', agent(0), 5);
      expect(await col.remove('t-a', 'x1', 4)).toBe(false);
      expect(await col.get('t-a', 'x1')).toBeDefined();
      expect(await col.remove('t-a', 'x1', 8)).toBe(true);
      expect(await col.get('t-a', 'x1')).toBeUndefined();
      expect(await col.upsert('t-a', 'x1', agent(0), 6)).toBe(false);
      expect(await col.get('t-a', 'x1')).toBeUndefined();
      expect(await col.count({ tenantId: 't-a', where: { status: agent(0).status } })).toBe(0);
      expect(await col.count({ tenantId: 't-a', text: NOUNS[0] })).toBe(0);
      expect(await col.upsert('t-a', 'x1', agent(0), 9)).toBe(true);
      expect(await col.get('t-a', 'x1')).toMatchObject({ position: 9 });
    });

    it('pages every list query exactly once, in order, by keyset cursor, inside one tenant', async () => {
      const n = 120;
      for (let i = 0; i < n; i++) {
        await col.upsert('t-a', `a${String(i).padStart(4, '0')}`, agent(i), i + 1);
        await col.upsert('t-b', `b${i}`, agent(i), n + i + 1);
      }
      const mine = (await allPages(col, { tenantId: 't-a', limit: 500 })).sort(byKey('createdAt', 1));
      expect(mine).toHaveLength(n);
      const cases: Array<{ where?: Partial<Agent>; field: keyof Agent; dir: 1 | -1 }> = [
        { where: { status: 'active' }, field: 'createdAt', dir: -1 },
        { where: { status: 'draft' }, field: 'runs', dir: 1 },
        { field: 'createdAt', dir: 1 },
        { where: { public: true, status: 'archived' }, field: 'status', dir: -1 },
      ];
      for (const c of cases) {
        const got = await allPages(col, { tenantId: 't-a', where: c.where, orderBy: { field: c.field as 'createdAt', direction: c.dir === -1 ? 'desc' : 'asc' }, limit: 7 });
        const expected = mine.filter((d) => Object.entries(c.where ?? {}).every(([k, v]) => d.data[k as keyof Agent] === v)).sort(byKey(c.field, c.dir));
        expect(got.map((d) => d.id)).toEqual(expected.map((d) => d.id));
        expect(got.every((d) => d.tenantId === 't-a')).toBe(true);
        expect(await col.count({ tenantId: 't-a', where: c.where })).toBe(expected.length);
      }
      // a range on the sort field (gte inclusive, lt exclusive), with a filter, across pages in both directions
      const [lo, hi] = [agent(3).createdAt, agent(11).createdAt];
      for (const direction of ['asc', 'desc'] as const) {
        const got = await allPages(col, { tenantId: 't-a', where: { status: 'active' }, orderBy: { field: 'createdAt', direction }, range: { gte: lo, lt: hi }, limit: 4 });
        const expected = mine.filter((d) => d.data.status === 'active' && d.data.createdAt >= lo && d.data.createdAt < hi).sort(byKey('createdAt', direction === 'asc' ? 1 : -1));
        expect(expected.length).toBeGreaterThan(4);
        expect(got.map((d) => d.id)).toEqual(expected.map((d) => d.id));
      }
      await expect(col.list({ tenantId: 't-a', range: { gte: lo } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      // by id when there is no sort field
      const ids = (await allPages(col, { tenantId: 't-b', limit: 13 })).map((d) => d.id);
      expect(ids).toEqual([...ids].sort());
      expect(ids).toHaveLength(n);
    });

    it('finds documents holding every word of a text query, as whole words, case- and accent-insensitively', async () => {
      for (let i = 0; i < 40; i++) await col.upsert('t-a', `a${i}`, agent(i), i + 1);
      await col.upsert('t-b', 'other', { ...agent(0), name: 'Invoice EMAIL cafe' }, 100);
      const all = await allPages(col, { tenantId: 't-a', limit: 500 });
      for (const query of ['invoice', 'INVOICE email', 'Café', 'cafe report', 'helper 7']) {
        const ws = query.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').split(/\s+/);
        const expected = all.filter((d) => hasWords(d.data, ws)).map((d) => d.id).sort();
        const got = await allPages(col, { tenantId: 't-a', text: query, limit: 5 });
        expect(got.map((d) => d.id).sort()).toEqual(expected);
        expect(await col.count({ tenantId: 't-a', text: query })).toBe(expected.length);
      }
      expect(await col.count({ tenantId: 't-a', text: 'invoi' })).toBe(0);
      // text combined with an equality filter
      const active = await allPages(col, { tenantId: 't-a', text: 'email', where: { status: 'active' } });
      expect(active.map((d) => d.id).sort()).toEqual(all.filter((d) => d.data.status === 'active' && hasWords(d.data, ['email'])).map((d) => d.id).sort());
      // rewriting a document replaces its words
      await col.upsert('t-a', 'a0', { ...agent(0), name: 'zebra', description: 'nothing else' }, 1000);
      expect((await col.list({ tenantId: 't-a', text: 'zebra' })).items.map((d) => d.id)).toEqual(['a0']);
      expect((await col.list({ tenantId: 't-a', text: 'invoice helper 0' })).items).toHaveLength(0);
    });

    it('refuses a list query no declared index serves, and a cursor it did not make', async () => {
      await expect(col.list({ tenantId: 't-a', where: { runs: 3 } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(col.list({ tenantId: 't-a', orderBy: { field: 'runs' } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(col.count({ tenantId: 't-a', where: { name: 'x' } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(col.list({ tenantId: 't-a', cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      const noText = await fixture!.store.collection<{ v: number }>({ name: 'contract_plain', indexes: [['v']] });
      await expect(noText.list({ tenantId: 't-a', text: 'x' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });
}
