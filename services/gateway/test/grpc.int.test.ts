import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Metadata } from '@grpc/grpc-js';
import { createSqliteEventLog, type SqliteEventLog } from '@agentry/event-log/src/sqlite';
import { checkHealth, connect } from '@agentry/grpc';
import { createLogger } from '@agentry/observability';
import { gatewayV1 } from '@agentry/proto-ts';
import { startGateway } from '../src';

describe('GatewayService (external gRPC) over a real socket', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-gw-'));
  let log: SqliteEventLog;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let client: ReturnType<typeof connect<gatewayV1.GatewayServiceClient>>;

  beforeAll(async () => {
    log = createSqliteEventLog({ path: path.join(dir, 'events.db') });
    gateway = await startGateway({
      events: log.events,
      logger: createLogger({ name: 'test', level: 'silent' }),
      dataDir: dir,
      mode: 'embedded',
      http: { host: '127.0.0.1', port: 0 },
      services: { graph: '127.0.0.1:1', execution: '127.0.0.1:1', blockRunner: '127.0.0.1:1' },
      admin: { email: 'a@example.test', password: 'long-enough-pw' },
    });
    client = connect(gatewayV1.GatewayServiceClient, gateway.address);
  });
  afterAll(async () => {
    client.close();
    await gateway.close();
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves health and server info', async () => {
    expect(await checkHealth(gateway.address)).toBe('SERVING');
    expect(await client.getServerInfo({})).toMatchObject({ mode: 'embedded', services: expect.arrayContaining(['graph', 'gateway']) });
  });

  it('authenticates by bearer metadata and refuses a missing or forged token', async () => {
    const res = await fetch(`${gateway.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@example.test', password: 'long-enough-pw' }) });
    const { accessToken } = (await res.json()) as { accessToken: string };
    const md = new Metadata();
    md.set('authorization', `Bearer ${accessToken}`);
    const me = await client.whoAmI({}, { metadata: md });
    expect(me.roles).toContain('owner');
    await expect(client.whoAmI({})).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const forged = new Metadata();
    const [h, p] = accessToken.split('.');
    forged.set('authorization', `Bearer ${h}.${p}.${Buffer.from('x'.repeat(64)).toString('base64url')}`);
    await expect(client.whoAmI({}, { metadata: forged })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
