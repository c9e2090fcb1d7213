import fs from 'node:fs';
import { api, greetingGraph, login, startTestPlatform, tempDataDir, waitForExecution } from './support';
import type { Platform } from '../src/platform';

async function upload(base: string, token: string, name: string, text: string): Promise<{ status: number; json: any }> {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(text)]), name);
  const res = await fetch(`${base}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: res.status, json: await res.json() };
}

describe('tenant quotas and usage over REST', () => {
  const dataDir = tempDataDir();
  const env = { AGENTRY_SIGNUP: 'open' };
  let platform: Platform;
  let base: string;
  let token: string;
  let tenantId: string;
  let other: { token: string; tenantId: string };

  beforeAll(async () => {
    platform = await startTestPlatform(dataDir, env);
    base = platform.url;
    token = await login(base);
    tenantId = (await api(base, 'GET', '/api/v1/me', undefined, token)).json.tenantId;
    const signup = await api(base, 'POST', '/api/v1/auth/signup', { email: 'other@quota.test', password: 'other-password-1', tenantName: 'Other' });
    other = { token: signup.json.accessToken, tenantId: signup.json.tenantId };
  });
  afterAll(async () => {
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts unlimited; an owner sets, changes and removes quotas; they survive a restart', async () => {
    expect((await api(base, 'GET', `/api/v1/tenants/${tenantId}/quotas`, undefined, token)).json).toEqual({ tenantId, quotas: {} });

    const set = await api(base, 'PATCH', `/api/v1/tenants/${tenantId}/quotas`, { executionsPerDay: 500, concurrentExecutions: 10, storageBytes: 1000 }, token);
    expect(set.status).toBe(200);
    expect(set.json).toEqual({ tenantId, quotas: { executionsPerDay: 500, concurrentExecutions: 10, storageBytes: 1000 } });

    // Names left out are kept; null removes a limit.
    const changed = await api(base, 'PATCH', `/api/v1/tenants/${tenantId}/quotas`, { executionsPerDay: null, storageBytes: 20 }, token);
    expect(changed.json.quotas).toEqual({ concurrentExecutions: 10, storageBytes: 20 });

    await platform.close();
    platform = await startTestPlatform(dataDir, env);
    base = platform.url;
    token = await login(base);
    other.token = (await api(base, 'POST', '/api/v1/auth/login', { email: 'other@quota.test', password: 'other-password-1' })).json.accessToken;
    expect((await api(base, 'GET', `/api/v1/tenants/${tenantId}/quotas`, undefined, token)).json.quotas).toEqual({ concurrentExecutions: 10, storageBytes: 20 });
  });

  it('refuses bad values and unknown names with VALIDATION_FAILED, changing nothing', async () => {
    for (const body of [{ executionsPerDay: -1 }, { storageBytes: 1.5 }, { storageBytes: '10' }, { diskBytes: 5 }, {}]) {
      const res = await api(base, 'PATCH', `/api/v1/tenants/${tenantId}/quotas`, body, token);
      expect({ body, status: res.status, code: res.json.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
    }
    expect((await api(base, 'GET', `/api/v1/tenants/${tenantId}/quotas`, undefined, token)).json.quotas).toEqual({ concurrentExecutions: 10, storageBytes: 20 });
  });

  it('another tenant neither reads nor sets them (404); a member who is not an owner may read but not set (403)', async () => {
    for (const [method, path, body] of [
      ['GET', `/api/v1/tenants/${tenantId}/quotas`],
      ['PATCH', `/api/v1/tenants/${tenantId}/quotas`, { storageBytes: 1e9 }],
      ['GET', `/api/v1/tenants/${tenantId}/usage`],
    ] as Array<[string, string, unknown?]>) {
      const res = await api(base, method, path, body, other.token);
      expect({ method, path, status: res.status, code: res.json.code }).toEqual({ method, path, status: 404, code: 'NOT_FOUND' });
    }
    // The other tenant's owner sets its own quotas; they do not leak into ours.
    expect((await api(base, 'PATCH', `/api/v1/tenants/${other.tenantId}/quotas`, { executionsPerDay: 3 }, other.token)).json.quotas).toEqual({ executionsPerDay: 3 });
    expect((await api(base, 'GET', `/api/v1/tenants/${tenantId}/quotas`, undefined, token)).json.quotas).toEqual({ concurrentExecutions: 10, storageBytes: 20 });

    // The platform admin adds the other account to its tenant as an admin (not an owner).
    expect((await api(base, 'POST', `/api/v1/tenants/${tenantId}/members`, { email: 'other@quota.test', role: 'admin' }, token)).status).toBe(201);
    const switched = await api(base, 'POST', '/api/v1/auth/switch-tenant', { tenantId }, other.token);
    const memberToken = switched.json.accessToken as string;
    expect((await api(base, 'GET', `/api/v1/tenants/${tenantId}/quotas`, undefined, memberToken)).json.quotas).toEqual({ concurrentExecutions: 10, storageBytes: 20 });
    const refused = await api(base, 'PATCH', `/api/v1/tenants/${tenantId}/quotas`, { storageBytes: 1e9 }, memberToken);
    expect({ status: refused.status, code: refused.json.code }).toEqual({ status: 403, code: 'PERMISSION_DENIED' });
    // A platform admin sets quotas of a tenant it is not a member of.
    expect((await api(base, 'PATCH', `/api/v1/tenants/${other.tenantId}/quotas`, { executionsPerDay: 4 }, token)).json.quotas).toEqual({ executionsPerDay: 4 });
  });

  it('storageBytes: an upload past the quota is 429 QUOTA_EXCEEDED and nothing is stored', async () => {
    const first = await upload(base, token, 'first.txt', 'fifteen bytes!!');
    expect(first.status).toBe(201);
    const refused = await upload(base, token, 'second.txt', 'ten bytes!');
    expect({ status: refused.status, code: refused.json.code }).toEqual({ status: 429, code: 'QUOTA_EXCEEDED' });
    const files = await api(base, 'GET', '/api/v1/files', undefined, token);
    expect(files.json.items.map((f: { name: string }) => f.name)).toEqual(['first.txt']);
    // What still fits is accepted.
    expect((await upload(base, token, 'third.txt', 'five!')).status).toBe(201);
    // Deleting frees the space.
    expect((await api(base, 'DELETE', `/api/v1/files/${first.json.id}`, undefined, token)).status).toBe(204);
    expect((await upload(base, token, 'second.txt', 'ten bytes!')).status).toBe(201);
  });

  it('usage counts executions started today, unfinished executions and stored bytes against the quotas', async () => {
    const graph = await api(base, 'POST', '/api/v1/graphs', greetingGraph(), token);
    const runs: string[] = [];
    for (const topic of ['one', 'two']) runs.push((await api(base, 'POST', `/api/v1/graphs/${graph.json.id}/execute`, { inputs: { topic } }, token)).json.executionId);
    for (const id of runs) await waitForExecution(base, token, id);

    const usage = await api(base, 'GET', `/api/v1/tenants/${tenantId}/usage`, undefined, token);
    expect(usage.status).toBe(200);
    expect(usage.json).toEqual({
      tenantId,
      day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      quotas: { concurrentExecutions: 10, storageBytes: 20 },
      usage: { executionsToday: 2, concurrentExecutions: 0, storageBytes: 'five!'.length + 'ten bytes!'.length },
    });
    // The other tenant's usage is its own.
    expect((await api(base, 'GET', `/api/v1/tenants/${other.tenantId}/usage`, undefined, other.token)).json.usage).toEqual({ executionsToday: 0, concurrentExecutions: 0, storageBytes: 0 });
  });
});
