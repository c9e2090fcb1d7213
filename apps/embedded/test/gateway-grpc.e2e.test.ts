import fs from 'node:fs';
import path from 'node:path';
import { credentials, loadPackageDefinition, Metadata } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { connect } from '@agentry/grpc';
import { draftToProto, gatewayV1 } from '@agentry/proto-ts';
import { ADMIN, api, greetingGraph, startTestPlatform, tempDataDir } from './support';
import type { Platform } from '../src/platform';

describe('external gRPC API (agentry.gateway.v1.GatewayService) against the whole platform', () => {
  const dataDir = tempDataDir();
  let platform: Platform;
  let client: ReturnType<typeof connect<gatewayV1.GatewayServiceClient>>;
  let bearer: Metadata;

  const metadata = (key: string, value: string) => {
    const md = new Metadata();
    md.set(key, value);
    return md;
  };

  beforeAll(async () => {
    platform = await startTestPlatform(dataDir);
    client = connect(gatewayV1.GatewayServiceClient, platform.addresses.gateway);
    const login = await api(platform.url, 'POST', '/api/v1/auth/login', ADMIN);
    bearer = metadata('authorization', `Bearer ${login.json.accessToken}`);
  });
  afterAll(async () => {
    client?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates, lists, runs and reads a graph with a bearer token', async () => {
    const { graph } = await client.createGraph({ draft: draftToProto(greetingGraph()) }, { metadata: bearer });
    expect(graph).toMatchObject({ name: 'Greeting', version: 1 });
    const listed = await client.listGraphs({ page: { cursor: '', limit: 10 }, query: 'Greet', sort: 'name' }, { metadata: bearer });
    expect(listed.items.map((g) => g.id)).toContain(graph!.id);
    expect((await client.getGraph({ graphId: graph!.id, version: 0 }, { metadata: bearer })).graph?.nodes).toHaveLength(3);

    const { executionId } = await client.executeGraph({ graphId: graph!.id, graphVersion: 0, inputs: { topic: 'grpc' } }, { metadata: bearer });
    let status = '';
    let outputs: unknown;
    for (let i = 0; i < 400 && !['COMPLETED', 'FAILED', 'TERMINATED'].includes(status); i++) {
      const { execution } = await client.getExecution({ executionId }, { metadata: bearer });
      status = execution!.status;
      outputs = execution!.outputs;
      if (status !== 'COMPLETED') await new Promise((r) => setTimeout(r, 25));
    }
    expect({ status, outputs }).toEqual({ status: 'COMPLETED', outputs: { greeting: ['Hello grpc!'] } });
    const events = await client.listExecutionEvents({ executionId }, { metadata: bearer });
    expect(events.events[0].type).toBe('ExecutionRequested');
    const history = await client.listExecutions({ page: undefined, graphId: graph!.id, status: 'COMPLETED' }, { metadata: bearer });
    expect(history.items.map((e) => e.id)).toEqual([executionId]);

    const v2 = await client.updateGraph({ graphId: graph!.id, baseVersion: 1, draft: draftToProto({ ...greetingGraph(), name: 'Greeting 2' }) }, { metadata: bearer });
    expect(v2.graph?.version).toBe(2);
    await expect(client.updateGraph({ graphId: graph!.id, baseVersion: 1, draft: draftToProto(greetingGraph()) }, { metadata: bearer })).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    await client.deleteGraph({ graphId: graph!.id }, { metadata: bearer });
    await expect(client.getGraph({ graphId: graph!.id, version: 0 }, { metadata: bearer })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('authorizes API keys by scope, and refuses missing, forged and malformed credentials', async () => {
    const token = bearer.get('authorization')[0].toString().slice(7);
    const key = await api(platform.url, 'POST', '/api/v1/api-keys', { name: 'grpc', scopes: ['graphs:read'] }, token);
    const byKey = metadata('x-api-key', key.json.key);
    expect(await client.whoAmI({}, { metadata: byKey })).toMatchObject({ scopes: ['graphs:read'], roles: ['owner'] });
    expect((await client.listGraphs({ page: undefined, query: '', sort: '' }, { metadata: byKey })).items).toBeDefined();
    await expect(client.createGraph({ draft: draftToProto(greetingGraph()) }, { metadata: byKey })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(client.listExecutions({ page: undefined, graphId: '', status: '' }, { metadata: byKey })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });

    await expect(client.listGraphs({ page: undefined, query: '', sort: '' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(client.listGraphs({ page: undefined, query: '', sort: '' }, { metadata: metadata('x-api-key', 'agk_forged') })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(client.listGraphs({ page: undefined, query: '', sort: '' }, { metadata: metadata('authorization', 'Basic abc') })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const [h, p] = token.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
    await expect(client.listGraphs({ page: undefined, query: '', sort: '' }, { metadata: metadata('authorization', `Bearer ${none}`) })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(client.listGraphs({ page: undefined, query: '', sort: '' }, { metadata: metadata('authorization', `Bearer ${h}.${p}.AAAA`) })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(client.getGraph({ graphId: '', version: 0 }, { metadata: bearer })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await client.getServerInfo({})).toMatchObject({ mode: 'embedded' });
  });

  it('serves gRPC reflection, so tools can discover the API', async () => {
    const protoFile = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto/grpc/reflection/v1/reflection.proto');
    const pkg = loadPackageDefinition(loadSync(protoFile, { keepCase: true })) as any;
    const reflection = new pkg.grpc.reflection.v1.ServerReflection(platform.addresses.gateway, credentials.createInsecure());
    try {
      const ask = (request: object) =>
        new Promise<any>((resolve, reject) => {
          const call = reflection.ServerReflectionInfo();
          call.on('data', (msg: unknown) => {
            resolve(msg);
            call.end();
          });
          call.on('error', reject);
          call.write(request);
        });
      const listed = await ask({ list_services: '' });
      expect(listed.list_services_response.service.map((s: { name: string }) => s.name)).toContain('agentry.gateway.v1.GatewayService');
      const file = await ask({ file_containing_symbol: 'agentry.gateway.v1.GatewayService' });
      expect(file.file_descriptor_response.file_descriptor_proto.length).toBeGreaterThan(0);
    } finally {
      reflection.close();
    }
  });
});
