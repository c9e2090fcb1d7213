import { Metadata } from '@grpc/grpc-js';
import { checkHealth } from '@agentry/grpc';
import { gatewayV1 } from '@agentry/proto-ts';
import { serviceHarness } from '@agentry/testing';
import { startGateway } from '../src';

describe('GatewayService (external gRPC) over a real socket', () => {
  const h = serviceHarness('gw', ({ events, logger, dir }) =>
    startGateway({
      events,
      logger,
      dataDir: dir,
      mode: 'embedded',
      http: { host: '127.0.0.1', port: 0 },
      services: { graph: '127.0.0.1:1', execution: '127.0.0.1:1', blockRunner: '127.0.0.1:1' },
      admin: { email: 'a@example.test', password: 'long-enough-pw' },
    }),
  );
  const client = () => h.client(gatewayV1.GatewayServiceClient);

  it('serves health and server info', async () => {
    expect(await checkHealth(h.service.address)).toBe('SERVING');
    expect(await client().getServerInfo({})).toMatchObject({
      mode: 'embedded',
      services: expect.arrayContaining(['graph', 'gateway']),
    });
  });

  it('authenticates by bearer metadata and refuses a missing or forged token', async () => {
    const res = await fetch(`${h.service.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@example.test', password: 'long-enough-pw' }),
    });
    const { accessToken } = (await res.json()) as { accessToken: string };
    const md = new Metadata();
    md.set('authorization', `Bearer ${accessToken}`);
    const me = await client().whoAmI({}, { metadata: md });
    expect(me.roles).toContain('owner');
    await expect(client().whoAmI({})).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const forged = new Metadata();
    const [header, payload] = accessToken.split('.');
    forged.set('authorization', `Bearer ${header}.${payload}.${Buffer.from('x'.repeat(64)).toString('base64url')}`);
    await expect(client().whoAmI({}, { metadata: forged })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
