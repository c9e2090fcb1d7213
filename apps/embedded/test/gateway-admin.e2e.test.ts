import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createEventLog } from '@agentry/event-log';
import { ADMIN, api, greetingGraph, login, startTestPlatform, tempDataDir, waitForExecution } from './support';
import type { Platform } from '../src/platform';

const CLI = path.resolve(__dirname, '../../cli/bin/agentry.js');

/** Runs the CLI as a child process (async: the platform serves from this very process). */
function agentry(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1', AGENTRY_API_KEY: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('platform administration: rebuild read models, replay an execution, drain', () => {
  const dataDir = tempDataDir();
  let platform: Platform;
  let base: string;
  let token: string;
  let tenantId: string;
  let other: { token: string; tenantId: string };
  let executionId: string;
  let graphId: string;

  beforeAll(async () => {
    // Following the log is off here, so the test can show what a rebuild picks up (gateway-follow.e2e.test.ts covers following).
    platform = await startTestPlatform(dataDir, { AGENTRY_SIGNUP: 'open', AGENTRY_GATEWAY_FOLLOW_MS: '0' });
    base = platform.url;
    token = await login(base);
    tenantId = (await api(base, 'GET', '/api/v1/me', undefined, token)).json.tenantId;
    const signup = await api(base, 'POST', '/api/v1/auth/signup', { email: 'tenant@admin.test', password: 'tenant-password-1' });
    other = { token: signup.json.accessToken, tenantId: signup.json.tenantId };
    graphId = (await api(base, 'POST', '/api/v1/graphs', greetingGraph(), token)).json.id;
    executionId = (await api(base, 'POST', `/api/v1/graphs/${graphId}/execute`, { inputs: { topic: 'admin' } }, token)).json.executionId;
    await waitForExecution(base, token, executionId);
  });
  afterAll(async () => {
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is for platform admins with a user token only (403 for tenant owners and API keys)', async () => {
    const key = await api(base, 'POST', '/api/v1/api-keys', { name: 'admin key', scopes: ['tenant:admin'] }, token);
    for (const [method, p, body] of [
      ['POST', '/api/v1/admin/read-models/rebuild', {}],
      ['POST', `/api/v1/admin/executions/${executionId}/replay`],
      ['POST', '/api/v1/admin/services/gateway/drain'],
      ['GET', '/api/v1/admin/services/gateway/drain'],
    ] as Array<[string, string, unknown?]>) {
      const asOwner = await api(base, method, p, body, other.token);
      expect({ p, status: asOwner.status, code: asOwner.json.code }).toEqual({ p, status: 403, code: 'PERMISSION_DENIED' });
      const res = await fetch(base + p, { method, headers: { 'x-api-key': key.json.key, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      expect({ p, status: res.status }).toEqual({ p, status: 403 });
    }
  });

  it('rebuild drops the gateway read models and folds them again from the log (picking up what another writer appended)', async () => {
    const key = await api(base, 'POST', '/api/v1/api-keys', { name: 'kept', scopes: ['graphs:read'] }, token);
    await api(base, 'PATCH', `/api/v1/tenants/${tenantId}/quotas`, { storageBytes: 1000 }, token);

    // Another writer (another gateway replica) appends to the log: this gateway's read model does not know yet.
    const log = await createEventLog({ kind: 'sqlite', path: path.join(dataDir, 'agentry.db') });
    try {
      const stream = `tenant-${tenantId}`;
      const version = (await log.events.readStream(stream)).length;
      await log.events.append(stream, [{ type: 'TenantQuotasSet', data: { tenantId, quotas: { storageBytes: 5000, executionsPerDay: 7 }, setBy: 'replica', at: new Date(0).toISOString() } }], { expectedVersion: version, tenantId });
    } finally {
      await log.close();
    }
    expect((await api(base, 'GET', `/api/v1/tenants/${tenantId}/quotas`, undefined, token)).json.quotas).toEqual({ storageBytes: 1000 });

    const rebuilt = await api(base, 'POST', '/api/v1/admin/read-models/rebuild', {}, token);
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.json.rebuilt.map((r: { service: string; readModel: string }) => `${r.service}/${r.readModel}`)).toEqual(['gateway/accounts', 'gateway/sessions', 'gateway/api-keys', 'gateway/files']);
    const byModel = Object.fromEntries(rebuilt.json.rebuilt.map((r: { readModel: string; events: number }) => [r.readModel, r.events]));
    expect(byModel.accounts).toBeGreaterThanOrEqual(6); // two tenants, two users, the owner membership, three quota changes
    expect(byModel['api-keys']).toBeGreaterThanOrEqual(1);

    // The appended event is in the rebuilt model; everything else is as it was.
    expect((await api(base, 'GET', `/api/v1/tenants/${tenantId}/quotas`, undefined, token)).json.quotas).toEqual({ storageBytes: 5000, executionsPerDay: 7 });
    expect((await api(base, 'GET', '/api/v1/me', undefined, token)).json).toMatchObject({ email: ADMIN.email, tenantId, platformAdmin: true });
    const viaKey = await fetch(`${base}/api/v1/graphs`, { headers: { 'x-api-key': key.json.key } });
    expect(viaKey.status).toBe(200);
    expect((await api(base, 'GET', '/api/v1/me', undefined, other.token)).json.tenantId).toBe(other.tenantId);
    // Writes after the rebuild go on from the right stream versions.
    expect((await api(base, 'PATCH', `/api/v1/tenants/${tenantId}/quotas`, { executionsPerDay: null }, token)).json.quotas).toEqual({ storageBytes: 5000 });

    const unknown = await api(base, 'POST', '/api/v1/admin/read-models/rebuild', { service: 'warehouse' }, token);
    expect({ status: unknown.status, code: unknown.json.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it("replay re-folds an execution's events and compares them with the reported state", async () => {
    const replay = await api(base, 'POST', `/api/v1/admin/executions/${executionId}/replay`, undefined, token);
    expect(replay.status).toBe(200);
    expect(replay.json).toMatchObject({ executionId, matches: true, differences: [], replayed: { status: 'COMPLETED' }, reported: { status: 'COMPLETED' } });
    expect(replay.json.replayed.nodes.map((n: { nodeId: string }) => n.nodeId).sort()).toEqual(['fill', 'in', 'out']);
    expect(replay.json.replayed.nodes).toEqual(replay.json.reported.nodes);
    const events = await api(base, 'GET', `/api/v1/executions/${executionId}/events`, undefined, token);
    expect(replay.json.events).toBe(events.json.items.length);

    // Tenant-scoped like everything else: another tenant's execution or none at all is 404.
    const theirs = await api(base, 'POST', `/api/v1/graphs/${(await api(base, 'POST', '/api/v1/graphs', greetingGraph(), other.token)).json.id}/execute`, { inputs: { topic: 'x' } }, other.token);
    for (const id of [theirs.json.executionId, 'no-such-execution']) {
      const res = await api(base, 'POST', `/api/v1/admin/executions/${id}/replay`, undefined, token);
      expect({ id, status: res.status, code: res.json.code }).toEqual({ id, status: 404, code: 'NOT_FOUND' });
    }
  });

  it('drain: the gateway takes no new work and fails readiness, reads go on; resuming takes work again', async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const drained = await api(base, 'POST', '/api/v1/admin/services/gateway/drain', undefined, token);
    expect(drained.status).toBe(200);
    expect(drained.json).toMatchObject({ service: 'gateway', draining: true, drained: true, inFlight: 0, since: expect.any(String) });

    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    const refused = await api(base, 'POST', `/api/v1/graphs/${graphId}/execute`, { inputs: { topic: 'late' } }, token);
    expect({ status: refused.status, code: refused.json.code }).toEqual({ status: 503, code: 'UNAVAILABLE' });
    expect((await api(base, 'GET', `/api/v1/executions/${executionId}`, undefined, token)).status).toBe(200);
    expect((await api(base, 'GET', '/api/v1/admin/services/gateway/drain', undefined, token)).json).toMatchObject({ draining: true, drained: true });

    const other = await api(base, 'POST', '/api/v1/admin/services/warehouse/drain', undefined, token);
    expect({ status: other.status, code: other.json.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });

    const resumed = await api(base, 'DELETE', '/api/v1/admin/services/gateway/drain', undefined, token);
    expect(resumed.json).toMatchObject({ service: 'gateway', draining: false, drained: false });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const run = await api(base, 'POST', `/api/v1/graphs/${graphId}/execute`, { inputs: { topic: 'again' } }, token);
    expect(run.status).toBe(202);
    await waitForExecution(base, token, run.json.executionId);
  });

  it('drain reports drained only once the requests in flight have finished', async () => {
    // A request whose body is still arriving is in flight.
    const body = JSON.stringify(greetingGraph());
    const slow = http.request(`${base}/api/v1/graphs`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
    const answered = new Promise<number>((resolve, reject) => slow.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject));
    slow.write(body.slice(0, 10));
    slow.flushHeaders();
    let state: any;
    for (let i = 0; i < 400; i++) {
      state = (await api(base, 'POST', '/api/v1/admin/services/gateway/drain', undefined, token)).json;
      if (state.inFlight === 1) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(state).toMatchObject({ draining: true, inFlight: 1, drained: false });

    // It finishes (a definition change is not new work), and then the gateway is drained.
    slow.end(body.slice(10));
    expect(await answered).toBe(201);
    for (let i = 0; i < 400 && !state.drained; i++) state = (await api(base, 'GET', '/api/v1/admin/services/gateway/drain', undefined, token)).json;
    expect(state).toMatchObject({ draining: true, inFlight: 0, drained: true });
    await api(base, 'DELETE', '/api/v1/admin/services/gateway/drain', undefined, token);
  });

  it('the CLI admin commands call these routes', async () => {
    const env = { AGENTRY_URL: base, AGENTRY_TOKEN: token, AGENTRY_CONFIG: path.join(dataDir, 'cli-config.json') };
    const rebuild = await agentry(['admin', 'rebuild', '--service', 'gateway', '--json'], env);
    expect({ code: rebuild.code, stderr: rebuild.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(rebuild.stdout).rebuilt.map((r: { readModel: string }) => r.readModel)).toContain('accounts');

    const replay = await agentry(['admin', 'replay', executionId, '--json'], env);
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ executionId, matches: true });

    const drain = await agentry(['admin', 'drain', 'gateway'], env);
    expect(drain.code).toBe(0);
    expect(drain.stdout).toMatch(/Drained gateway/);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    const resumed = await agentry(['admin', 'resume', 'gateway'], env);
    expect({ code: resumed.code, stdout: resumed.stdout }).toEqual({ code: 0, stdout: expect.stringMatching(/Resumed gateway/) });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    // Any other service is drained through its AdminService.
    const scheduler = await agentry(['admin', 'drain', 'scheduler'], env);
    expect({ code: scheduler.code, stdout: scheduler.stdout }).toEqual({ code: 0, stdout: expect.stringMatching(/Drained scheduler/) });
    expect((await api(base, 'GET', '/api/v1/admin/services/scheduler/drain', undefined, token)).json).toMatchObject({ service: 'scheduler', draining: true });
    expect((await agentry(['admin', 'resume', 'scheduler', '--json'], env)).stdout).toMatch(/"draining": ?false/);
    const graphs = await agentry(['admin', 'rebuild', '--service', 'graph', '--json'], env);
    expect(JSON.parse(graphs.stdout).rebuilt).toEqual([{ service: 'graph', readModel: 'graphs', events: expect.any(Number) }]);

    const refused = await agentry(['admin', 'drain', 'warehouse'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/VALIDATION_FAILED/);
  });

  it('the CLI tenants quotas and usage commands agree with the routes', async () => {
    const env = { AGENTRY_URL: base, AGENTRY_TOKEN: token, AGENTRY_CONFIG: path.join(dataDir, 'cli-config.json') };
    const set = await agentry(['tenants', 'quotas', '--set', 'executionsPerDay=9', '--set', 'storageBytes=unlimited', '--json'], env);
    expect({ code: set.code, stderr: set.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(set.stdout)).toEqual({ tenantId, quotas: { executionsPerDay: 9 } });
    const shown = await agentry(['tenants', 'quotas', tenantId, '--json'], env);
    expect(JSON.parse(shown.stdout)).toEqual({ tenantId, quotas: { executionsPerDay: 9 } });
    const usage = await agentry(['tenants', 'usage', '--json'], env);
    expect(usage.code).toBe(0);
    expect(JSON.parse(usage.stdout)).toMatchObject({ tenantId, quotas: { executionsPerDay: 9 }, usage: { concurrentExecutions: 0, storageBytes: 0 } });
    const bad = await agentry(['tenants', 'quotas', '--set', 'diskBytes=5'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/VALIDATION_FAILED/);
  });
});
