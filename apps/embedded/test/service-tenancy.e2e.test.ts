import fs from 'node:fs';
import { connect } from '@agentry/grpc';
import { integrationV1, schedulerV1 } from '@agentry/proto-ts';
import type { Platform } from '../src/platform';
import { api, greetingGraph, login, startTestPlatform, tempDataDir } from './support';

/**
 * The scheduler checks the graph's tenant itself (issue #6, isolation in every service's app layer):
 * a caller that bypasses the gateway and talks gRPC to the scheduler still cannot schedule another tenant's graph.
 */
describe('scheduler and integration services: tenant check on the graph a schedule or trigger starts', () => {
  const dataDir = tempDataDir();
  let platform: Platform;
  let client: ReturnType<typeof connect<schedulerV1.SchedulerServiceClient>>;
  let graphId: string;
  let owner: { tenantId: string; userId: string; roles: string[] };

  beforeAll(async () => {
    platform = await startTestPlatform(dataDir);
    const token = await login(platform.url);
    const created = await api(platform.url, 'POST', '/api/v1/graphs', greetingGraph(), token);
    expect(created.status).toBe(201);
    graphId = created.json.id;
    const me = await api(platform.url, 'GET', '/api/v1/me', undefined, token);
    owner = {
      tenantId: me.json.tenantId ?? me.json.tenant?.id,
      userId: me.json.id ?? me.json.userId,
      roles: ['owner'],
    };
    client = connect(schedulerV1.SchedulerServiceClient, platform.addresses.scheduler);
  });
  afterAll(async () => {
    client.close();
    await platform.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const request = (caller: { tenantId: string; userId: string; roles: string[] }, id: string) => ({
    caller,
    graphId: id,
    graphVersion: 1,
    cron: '0 9 * * *',
    timezone: 'UTC',
    inputs: {},
    missedRunPolicy: '',
    name: '',
  });

  it("creates a schedule on the caller's own graph", async () => {
    expect(owner.tenantId).toBeTruthy();
    const { schedule } = await client.createSchedule(request(owner, graphId));
    expect(schedule!.graphId).toBe(graphId);
  });

  it("refuses another tenant's graph with NOT_FOUND and stores nothing", async () => {
    const intruder = { tenantId: 'tenant-intruder', userId: 'mallory', roles: ['owner'] };
    await expect(client.createSchedule(request(intruder, graphId))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await client.listSchedules({ caller: intruder, graphId: '' })).items).toHaveLength(0);
  });

  it("the integration service refuses a webhook trigger on another tenant's graph", async () => {
    const integration = connect(integrationV1.IntegrationServiceClient, platform.addresses.integration);
    try {
      const base = { graphId, graphVersion: 1, kind: 'generic', events: [], inputName: '', secret: '', inputs: {} };
      const intruder = { tenantId: 'tenant-intruder', userId: 'mallory', roles: ['owner'] };
      await expect(integration.createWebhookTrigger({ caller: intruder, ...base })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect((await integration.listWebhookTriggers({ caller: intruder, graphId: '' })).items).toHaveLength(0);
      const { trigger } = await integration.createWebhookTrigger({ caller: owner, ...base });
      expect(trigger!.graphId).toBe(graphId);
    } finally {
      integration.close();
    }
  });

  it('refuses a graph that does not exist', async () => {
    await expect(client.createSchedule(request(owner, 'no-such-graph'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
