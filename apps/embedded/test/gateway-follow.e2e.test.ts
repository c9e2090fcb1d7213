import fs from 'node:fs';
import path from 'node:path';
import { createEventLog } from '@agentry/event-log';
import type { Platform } from '../src/platform';
import { BLOCK, api, login, startTestPlatform, tempDataDir, waitForExecution } from './support';

const WRITE_FILE = 'f6267957-babb-4043-8d52-e5d04b2d2ee0';

/** Polls `probe` until it returns a value (bounded by attempts, never by a wall-clock assertion). */
async function eventually<T>(probe: () => Promise<T | undefined>, attempts = 200): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the gateway never saw the change');
}

/**
 * The gateway's read models follow what other writers append to the log (another gateway replica, a block-runner
 * writing a file), without a restart or an admin rebuild.
 */
describe('gateway read models follow the event log', () => {
  const dataDir = tempDataDir();
  let platform: Platform;
  let base: string;
  let token: string;
  let tenantId: string;

  beforeAll(async () => {
    platform = await startTestPlatform(dataDir, { AGENTRY_GATEWAY_FOLLOW_MS: '50' });
    base = platform.url;
    token = await login(base);
    tenantId = (await api(base, 'GET', '/api/v1/me', undefined, token)).json.tenantId;
  });
  afterAll(async () => {
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('sees quotas another writer set on the tenant stream', async () => {
    const log = await createEventLog({ kind: 'sqlite', path: path.join(dataDir, 'agentry.db') });
    try {
      const stream = `tenant-${tenantId}`;
      const version = (await log.events.readStream(stream)).length;
      await log.events.append(
        stream,
        [
          {
            type: 'TenantQuotasSet',
            data: { tenantId, quotas: { executionsPerDay: 42 }, setBy: 'replica', at: new Date(0).toISOString() },
          },
        ],
        { expectedVersion: version, tenantId },
      );
    } finally {
      await log.close();
    }
    const quotas = await eventually(async () => {
      const res = await api(base, 'GET', `/api/v1/tenants/${tenantId}/quotas`, undefined, token);
      return res.json.quotas?.executionsPerDay === 42 ? res.json.quotas : undefined;
    });
    expect(quotas).toEqual({ executionsPerDay: 42 });
    // This gateway's next write goes on from the followed stream version (no concurrency conflict).
    const patched = await api(base, 'PATCH', `/api/v1/tenants/${tenantId}/quotas`, { executionsPerDay: null }, token);
    expect(patched.status).toBe(200);
    expect(patched.json.quotas).toEqual({});
  });

  it('lists and serves a file a block wrote during an execution', async () => {
    const graph = {
      name: 'Write a file',
      description: 'input -> write file -> output',
      nodes: [
        { id: 'in', blockId: BLOCK.input, inputDefault: { name: 'text' }, metadata: {} },
        {
          id: 'write',
          blockId: WRITE_FILE,
          inputDefault: { name: 'note.txt', media_type: 'text/plain' },
          metadata: {},
        },
        { id: 'out', blockId: BLOCK.output, inputDefault: { name: 'file' }, metadata: {} },
      ],
      links: [
        { sourceId: 'in', sourceName: 'result', sinkId: 'write', sinkName: 'content', isStatic: false },
        { sourceId: 'write', sourceName: 'file', sinkId: 'out', sinkName: 'value', isStatic: false },
      ],
    };
    const created = await api(base, 'POST', '/api/v1/graphs', graph, token);
    expect(created.status).toBe(201);
    const run = await api(
      base,
      'POST',
      `/api/v1/graphs/${created.json.id}/execute`,
      { inputs: { text: 'written by a block' } },
      token,
    );
    const done = await waitForExecution(base, token, run.json.executionId);
    expect(done.status).toBe('COMPLETED');
    const ref = done.outputs.file[0] as { $file: string; url: string };
    expect(ref.$file).toBeTruthy();

    const listed = await eventually(async () => {
      const res = await api(base, 'GET', '/api/v1/files', undefined, token);
      return res.json.items.find((f: { id: string }) => f.id === ref.$file);
    });
    expect(listed).toMatchObject({ name: 'note.txt', mediaType: 'text/plain', size: 'written by a block'.length });
    const content = await fetch(`${base}/api/v1/files/${ref.$file}/content`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(content.status).toBe(200);
    expect(await content.text()).toBe('written by a block');
  });
});
