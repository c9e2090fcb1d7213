import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteEventLog } from '@agentry/event-log/sqlite';
import { createLogger } from '@agentry/observability';
import { createSqliteReadStore } from '@agentry/read-store';
import { API_KEYS, FILES, startGateway } from '../src';
import { gatewayListsSuite, memoryBackend } from './support/gateway-lists-suite';

// The same list tests on both adapters of each gateway list: the in-memory scan (default) and the read-store
// projection (SQLite here; MongoDB in list-read-models-mongo.int.test.ts).
gatewayListsSuite(memoryBackend);
gatewayListsSuite({
  name: 'read store (SQLite)',
  open: async () => {
    const store = createSqliteReadStore({ path: ':memory:' });
    return { store, dispose: () => store.close() };
  },
});

describe('gateway read-store options', () => {
  const ADMIN = { email: 'a@example.test', password: 'long-enough-pw' };
  const logger = createLogger({ name: 'test', level: 'silent' });
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-gw-rs-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const options = (events: ReturnType<typeof createSqliteEventLog>['events']) => ({
    events,
    logger,
    dataDir: dir,
    mode: 'embedded' as const,
    http: { host: '127.0.0.1', port: 0 },
    services: { graph: '127.0.0.1:1', execution: '127.0.0.1:1', blockRunner: '127.0.0.1:1' },
    admin: ADMIN,
    env: { AGENTRY_RATE_LIMIT_AUTH_PER_IP: '0' },
  });

  it('serves GET /v1/api-keys and /v1/files from an injected read store, which it leaves open', async () => {
    const log = createSqliteEventLog({ path: ':memory:' });
    const store = createSqliteReadStore({ path: ':memory:' });
    const gateway = await startGateway({ ...options(log.events), readModels: store });
    try {
      const call = async (method: string, route: string, token?: string, body?: unknown) => {
        const res = await fetch(`${gateway.url}/api${route}`, {
          method,
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
      };
      const token = (await call('POST', '/v1/auth/login', undefined, ADMIN)).json.accessToken as string;
      const ids: string[] = [];
      for (const name of ['k1', 'k2', 'k3'])
        ids.push((await call('POST', '/v1/api-keys', token, { name, scopes: ['graphs:read'] })).json.id as string);
      await call('DELETE', `/v1/api-keys/${ids[1]}`, token);
      const page1 = await call('GET', '/v1/api-keys?limit=2', token);
      expect(page1.status).toBe(200);
      expect((page1.json.items as Array<{ name: string }>).map((k) => k.name)).toEqual(['k3', 'k2']);
      const page2 = await call('GET', `/v1/api-keys?limit=2&cursor=${page1.json.nextCursor as string}`, token);
      expect(page2.json).toEqual({ items: [expect.objectContaining({ name: 'k1', scopes: ['graphs:read'] })] });
      const revoked = await call('GET', '/v1/api-keys?status=revoked', token);
      expect((revoked.json.items as Array<{ id: string }>).map((k) => k.id)).toEqual([ids[1]]);
      expect((await call('GET', '/v1/api-keys?cursor=bm9wZQ', token)).json.code).toBe('VALIDATION_FAILED');
      expect((await call('GET', '/v1/files', token)).json).toEqual({ items: [] });
      await gateway.close();

      // the documents are in the store, which is still open
      const docs = await store.collection(API_KEYS.collection);
      const anyTenant = await log.events.readAll({ after: 0, limit: 10, categories: ['apikey'] });
      expect((await docs.list({ tenantId: anyTenant[0].tenantId })).items).toHaveLength(3);
      await store.collection(FILES.collection);
    } finally {
      await gateway.close(); // (again: a no-op when the test got there)
      await store.close();
      await log.close();
    }
  });

  it('refuses readStore mongo without a MONGO_URL, naming it', async () => {
    const log = createSqliteEventLog({ path: ':memory:' });
    try {
      await expect(startGateway({ ...options(log.events), readStore: 'mongo' })).rejects.toThrow(/MONGO_URL/);
    } finally {
      await log.close();
    }
  });
});
