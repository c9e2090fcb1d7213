import fs from 'node:fs';
import { connect, PLATFORM_ADMIN_ROLE } from '@agentry/grpc';
import { adminV1 } from '@agentry/proto-ts';
import { api, BLOCK, greetingGraph, login, startTestPlatform, tempDataDir, waitForExecution } from './support';
import type { Platform } from '../src/platform';

const SERVICES = ['gateway', 'graph', 'execution', 'block-runner', 'integration', 'store', 'scheduler', 'notification'];
const TERMINAL = ['COMPLETED', 'FAILED', 'TERMINATED'];
const GET_CURRENT_DATE = 'b29c1b50-5d0e-4d9f-8f9d-1b0e6fcbf0b1';

/** input → GetCurrentDateBlock (a TIME block: it runs in the block-runner, never inline in the engine) → output. */
function dateGraph() {
  return {
    name: 'Today',
    nodes: [
      { id: 'in', blockId: BLOCK.input, inputDefault: { name: 'topic' } },
      { id: 'date', blockId: GET_CURRENT_DATE, inputDefault: {} },
      { id: 'out', blockId: BLOCK.output, inputDefault: { name: 'date' } },
    ],
    links: [
      { sourceId: 'in', sourceName: 'result', sinkId: 'date', sinkName: 'trigger' },
      { sourceId: 'date', sourceName: 'date', sinkId: 'out', sinkName: 'value' },
    ],
  };
}

describe('platform administration of every service: drain, resume, rebuild read models', () => {
  const dataDir = tempDataDir();
  let platform: Platform;
  let base: string;
  let token: string;
  let owner: string;
  let graphId: string;
  let executionId: string;

  beforeAll(async () => {
    platform = await startTestPlatform(dataDir, { AGENTRY_SIGNUP: 'open' });
    base = platform.url;
    token = await login(base);
    owner = (await api(base, 'POST', '/api/v1/auth/signup', { email: 'owner@services.test', password: 'owner-password-1' })).json.accessToken;
    graphId = (await api(base, 'POST', '/api/v1/graphs', greetingGraph(), token)).json.id;
    executionId = (await api(base, 'POST', `/api/v1/graphs/${graphId}/execute`, { inputs: { topic: 'admin' } }, token)).json.executionId;
    await waitForExecution(base, token, executionId);
  });
  afterAll(async () => {
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('every service is administered for platform admins only; an unknown service is 400 listing the valid names', async () => {
    for (const service of SERVICES) {
      const status = await api(base, 'GET', `/api/v1/admin/services/${service}/drain`, undefined, token);
      expect({ service, status: status.status, body: status.json }).toEqual({ service, status: 200, body: { service, draining: false, inFlight: 0, drained: false } });
      for (const [method, p, body] of [
        ['POST', `/api/v1/admin/services/${service}/drain`],
        ['GET', `/api/v1/admin/services/${service}/drain`],
        ['DELETE', `/api/v1/admin/services/${service}/drain`],
        ['POST', '/api/v1/admin/read-models/rebuild', { service }],
      ] as Array<[string, string, unknown?]>) {
        const res = await api(base, method, p, body, owner);
        expect({ service, method, p, status: res.status, code: res.json.code }).toEqual({ service, method, p, status: 403, code: 'PERMISSION_DENIED' });
      }
    }

    for (const [method, p, body] of [
      ['POST', '/api/v1/admin/services/warehouse/drain'],
      ['GET', '/api/v1/admin/services/warehouse/drain'],
      ['DELETE', '/api/v1/admin/services/warehouse/drain'],
      ['POST', '/api/v1/admin/read-models/rebuild', { service: 'warehouse' }],
    ] as Array<[string, string, unknown?]>) {
      const res = await api(base, method, p, body, token);
      expect({ p, status: res.status, code: res.json.code }).toEqual({ p, status: 400, code: 'VALIDATION_FAILED' });
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      for (const s of SERVICES) expect(res.json.errors.service).toContain(s);
    }
  });

  it('the services enforce it themselves: AdminService answers PERMISSION_DENIED to a caller without the platform-admin role', async () => {
    for (const service of SERVICES.filter((s) => s !== 'gateway')) {
      const client = connect(adminV1.AdminServiceClient, platform.addresses[service]);
      try {
        for (const roles of [[], ['owner'], ['admin']]) {
          const caller = { tenantId: 't', userId: 'u', roles };
          await expect(client.getStatus({ caller })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
          await expect(client.drain({ caller })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
          await expect(client.rebuildReadModels({ caller })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
        }
        await expect(client.getStatus({})).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
        const ok = await client.getStatus({ caller: { tenantId: 't', userId: 'u', roles: [PLATFORM_ADMIN_ROLE] } });
        expect({ service, status: ok.status }).toEqual({ service, status: { service, draining: false, since: '', inFlight: 0, drained: false } });
      } finally {
        client.close();
      }
    }
  });

  it('drain execution: new executions and forks get 503 UNAVAILABLE while reads go on; resume starts them again', async () => {
    const drained = await api(base, 'POST', '/api/v1/admin/services/execution/drain', undefined, token);
    expect(drained.status).toBe(200);
    expect(drained.json).toMatchObject({ service: 'execution', draining: true, drained: true, inFlight: 0, since: expect.any(String) });
    try {
      const refused = await api(base, 'POST', `/api/v1/graphs/${graphId}/execute`, { inputs: { topic: 'late' } }, token);
      expect({ status: refused.status, code: refused.json.code }).toEqual({ status: 503, code: 'UNAVAILABLE' });
      expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(refused.json.detail).toMatch(/execution service is draining/);
      const fork = await api(base, 'POST', `/api/v1/executions/${executionId}/fork`, { fromNodeId: 'fill' }, token);
      expect({ status: fork.status, code: fork.json.code }).toEqual({ status: 503, code: 'UNAVAILABLE' });

      // Reads are served; the gateway itself is not draining.
      const read = await api(base, 'GET', `/api/v1/executions/${executionId}`, undefined, token);
      expect({ status: read.status, state: read.json.status }).toEqual({ status: 200, state: 'COMPLETED' });
      const list = await api(base, 'GET', `/api/v1/executions?graphId=${graphId}`, undefined, token);
      expect(list.json.items.map((e: { id: string }) => e.id)).toContain(executionId);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect((await api(base, 'GET', '/api/v1/admin/services/execution/drain', undefined, token)).json).toMatchObject({ service: 'execution', draining: true, drained: true });
      expect((await api(base, 'GET', '/api/v1/admin/services/gateway/drain', undefined, token)).json).toMatchObject({ draining: false });
    } finally {
      const resumed = await api(base, 'DELETE', '/api/v1/admin/services/execution/drain', undefined, token);
      expect(resumed.json).toEqual({ service: 'execution', draining: false, inFlight: 0, drained: false });
    }
    const run = await api(base, 'POST', `/api/v1/graphs/${graphId}/execute`, { inputs: { topic: 'again' } }, token);
    expect(run.status).toBe(202);
    expect(await waitForExecution(base, token, run.json.executionId)).toMatchObject({ status: 'COMPLETED', outputs: { greeting: ['Hello again!'] } });
    const fork = await api(base, 'POST', `/api/v1/executions/${executionId}/fork`, { fromNodeId: 'fill' }, token);
    expect(fork.status).toBe(202);
    expect((await waitForExecution(base, token, fork.json.executionId)).status).toBe('COMPLETED');
  });

  it('drain block-runner: a started execution waits with its node queued until resume, then completes', async () => {
    const dated = (await api(base, 'POST', '/api/v1/graphs', dateGraph(), token)).json.id;
    let state = (await api(base, 'POST', '/api/v1/admin/services/block-runner/drain', undefined, token)).json;
    for (let i = 0; i < 400 && !state.drained; i++) state = (await api(base, 'GET', '/api/v1/admin/services/block-runner/drain', undefined, token)).json;
    expect(state).toMatchObject({ service: 'block-runner', draining: true, inFlight: 0, drained: true });

    let run: any;
    try {
      const started = await api(base, 'POST', `/api/v1/graphs/${dated}/execute`, { inputs: { topic: 'today' } }, token);
      expect(started.status).toBe(202);
      // Give a runner every chance to pick the node up: it must not.
      for (let i = 0; i < 30; i++) {
        run = (await api(base, 'GET', `/api/v1/executions/${started.json.executionId}`, undefined, token)).json;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(TERMINAL).not.toContain(run.status);
      const dateNode = run.nodeExecutions.find((n: { nodeId: string }) => n.nodeId === 'date');
      expect(dateNode?.status).toBe('QUEUED');
    } finally {
      expect((await api(base, 'DELETE', '/api/v1/admin/services/block-runner/drain', undefined, token)).json).toMatchObject({ draining: false });
    }
    const done = await waitForExecution(base, token, run.id);
    expect(done.status).toBe('COMPLETED');
    expect(done.outputs.date[0]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('rebuild read models of the graph, execution, scheduler and store services: event counts, data served as before', async () => {
    const schedule = await api(base, 'POST', '/api/v1/schedules', { graphId, cron: '0 9 * * *', name: 'morning', inputs: { topic: 'morning' } }, token);
    expect(schedule.status).toBe(201);
    expect((await api(base, 'PUT', '/api/v1/store/me/profile', { handle: 'rebuilders', name: 'The Rebuilders', bio: 'fold again', links: [] }, token)).status).toBe(200);
    const events = (await api(base, 'GET', `/api/v1/executions/${executionId}/events`, undefined, token)).json.items.length;

    const read = async () => ({
      graph: (await api(base, 'GET', `/api/v1/graphs/${graphId}`, undefined, token)).json,
      execution: (await api(base, 'GET', `/api/v1/executions/${executionId}`, undefined, token)).json,
      executions: (await api(base, 'GET', `/api/v1/executions?graphId=${graphId}`, undefined, token)).json,
      schedules: (await api(base, 'GET', '/api/v1/schedules', undefined, token)).json,
      creator: (await api(base, 'GET', '/api/v1/store/creators/rebuilders', undefined, token)).json,
    });
    const before = await read();
    expect(before.schedules.items.map((s: { id: string }) => s.id)).toContain(schedule.json.id);
    expect(before.creator.creator).toMatchObject({ handle: 'rebuilders', name: 'The Rebuilders', bio: 'fold again' });

    const rebuild = async (service: string) => {
      const res = await api(base, 'POST', '/api/v1/admin/read-models/rebuild', { service }, token);
      expect({ service, status: res.status }).toEqual({ service, status: 200 });
      return Object.fromEntries(res.json.rebuilt.map((r: { service: string; readModel: string; events: number }) => [`${r.service}/${r.readModel}`, r.events]));
    };
    const graph = await rebuild('graph');
    expect(Object.keys(graph)).toEqual(['graph/graphs']);
    expect(graph['graph/graphs']).toBeGreaterThanOrEqual(1);
    const execution = await rebuild('execution');
    expect(Object.keys(execution)).toEqual(['execution/executions']);
    expect(execution['execution/executions']).toBeGreaterThan(events); // this execution's events and those of the others
    const scheduler = await rebuild('scheduler');
    expect(Object.keys(scheduler)).toEqual(['scheduler/schedules']);
    expect(scheduler['scheduler/schedules']).toBeGreaterThanOrEqual(1);
    const store = await rebuild('store');
    expect(Object.keys(store)).toEqual(['store/catalogue']);
    expect(store['store/catalogue']).toBeGreaterThanOrEqual(1);
    expect(await rebuild('block-runner')).toEqual({});

    expect(await read()).toEqual(before);
    // Work goes on after the rebuild: a new execution starts, completes and is listed; schedules are still writable.
    const run = await api(base, 'POST', `/api/v1/graphs/${graphId}/execute`, { inputs: { topic: 'rebuilt' } }, token);
    expect(await waitForExecution(base, token, run.json.executionId)).toMatchObject({ status: 'COMPLETED', outputs: { greeting: ['Hello rebuilt!'] } });
    const listed = (await api(base, 'GET', `/api/v1/executions?graphId=${graphId}`, undefined, token)).json.items.map((e: { id: string }) => e.id);
    expect(listed).toEqual(expect.arrayContaining([executionId, run.json.executionId]));
    expect((await api(base, 'DELETE', `/api/v1/schedules/${schedule.json.id}`, undefined, token)).status).toBeLessThan(300);
  });
});
