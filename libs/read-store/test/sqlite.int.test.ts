import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { readStoreContract } from '../src/contract';
import { projectionContract } from '../src/projection-contract';
import { createSqliteReadStore, openReadStore } from '../src';

const sqliteFixture = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-read-store-'));
  const store = createSqliteReadStore({ path: path.join(dir, 'read.db') });
  return {
    store,
    dispose: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
};
readStoreContract('sqlite', sqliteFixture);
projectionContract('sqlite', sqliteFixture);

describe('sqlite read store specifics', () => {
  it('serves each declared list query from its expression index (tenant first), not a table scan', async () => {
    const db = new Database(':memory:');
    const store = createSqliteReadStore({ db });
    const col = await store.collection<{ status: string; createdAt: string; name: string }>({
      name: 'plans',
      indexes: [['status', 'createdAt']],
      text: ['name'],
    });
    for (let i = 0; i < 50; i++)
      await col.upsert(
        `t${i % 3}`,
        `d${i}`,
        { status: i % 2 ? 'a' : 'b', createdAt: String(1000 + i), name: `n${i}` },
        i + 1,
      );
    const plan = db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT d.id FROM rs_plans d WHERE d.tenant_id = ? AND d.deleted = 0 AND json_extract(d.data, '$.status') = ? ORDER BY json_extract(d.data, '$.createdAt') DESC, d.id DESC",
      )
      .all('t1', 'a') as Array<{ detail: string }>;
    const detail = plan.map((p) => p.detail).join(' | ');
    expect(detail).toMatch(/USING (COVERING )?INDEX rs_plans_i0 \(tenant_id=\? AND deleted=\? AND <expr>=\?\)/);
    expect(detail).not.toMatch(/TEMP B-TREE/);
    const page = await col.list({
      tenantId: 't1',
      where: { status: 'a' },
      orderBy: { field: 'createdAt', direction: 'desc' },
      limit: 100,
    });
    expect(page.items.map((d) => d.data.createdAt)).toEqual(
      page.items
        .map((d) => d.data.createdAt)
        .sort()
        .reverse(),
    );
    // shares a database handle without closing it
    await store.close();
    expect(db.open).toBe(true);
    db.close();
  });

  it('is what AGENTRY_READ_STORE=sqlite opens; mongo without MONGO_URL is refused, naming the variable', async () => {
    const store = await openReadStore({ backend: 'sqlite' });
    expect(store.kind).toBe('sqlite');
    await store.close();
    await expect(openReadStore({ backend: 'mongo' })).rejects.toThrow(/MONGO_URL/);
  });
});
