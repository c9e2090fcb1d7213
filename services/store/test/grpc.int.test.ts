import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteEventLog, type SqliteEventLog } from '@agentry/event-log/src/sqlite';
import { checkHealth, connect } from '@agentry/grpc';
import { createLogger } from '@agentry/observability';
import { storeV1 } from '@agentry/proto-ts';
import { startStoreService } from '../src';

describe('StoreService over a real socket', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-store-'));
  let log: SqliteEventLog;
  let service: Awaited<ReturnType<typeof startStoreService>>;
  let client: ReturnType<typeof connect<storeV1.StoreServiceClient>>;

  beforeAll(async () => {
    log = createSqliteEventLog({ path: path.join(dir, 'events.db') });
    service = await startStoreService({ events: log.events, logger: createLogger({ name: 'test', level: 'silent' }) });
    client = connect(storeV1.StoreServiceClient, service.address);
  });
  afterAll(async () => {
    client.close();
    await service.close();
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a submission as PENDING and keeps it out of the public catalogue until approved', async () => {
    expect(await checkHealth(service.address)).toBe('SERVING');
    const { listing } = await client.createListing({
      caller: { tenantId: 't1', userId: 'u1', roles: [] },
      graphId: 'g1',
      graphVersion: 1,
      name: 'Daily digest',
      subHeading: 'news',
      description: 'summarises feeds',
      categories: ['productivity'],
    });
    expect(listing!.status).toBe('PENDING');
    expect(listing!.slug).toMatch(/^daily-digest-/);
    expect((await client.listListings({ page: undefined, query: '', category: '' })).items).toHaveLength(0);
    await expect(client.getListing({ listingId: listing!.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses an empty submission with field errors', async () => {
    await expect(
      client.createListing({ caller: { tenantId: 't1', userId: 'u1', roles: [] }, graphId: '', graphVersion: 0, name: '', subHeading: '', description: '', categories: [] }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { errors: { name: 'required', graphId: 'required' } } });
  });
});
