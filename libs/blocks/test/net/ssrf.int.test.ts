import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifyAddress, createGuardedFetch, SsrfBlockedError, type GuardedFetch } from '../../src/net';

describe('createGuardedFetch', () => {
  let server: Server;
  let port: number;
  const guards: GuardedFetch[] = [];
  const guard = (opts: Parameters<typeof createGuardedFetch>[0]) => {
    const g = createGuardedFetch(opts);
    guards.push(g);
    return g;
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/redirect-to-metadata')) {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      } else if (req.url?.startsWith('/redirect-loop')) {
        res.writeHead(302, { location: '/redirect-loop' }).end();
      } else if (req.url?.startsWith('/redirect-local')) {
        res.writeHead(303, { location: '/ok' }).end();
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`ok ${req.method} ${req.headers.authorization ?? ''}`);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await Promise.all(guards.map((g) => g.close()));
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('classifies internal ranges', () => {
    expect(classifyAddress('127.0.0.1')).toBe('LOOPBACK_ADDRESS');
    expect(classifyAddress('::1')).toBe('LOOPBACK_ADDRESS');
    expect(classifyAddress('::ffff:127.0.0.1')).toBe('LOOPBACK_ADDRESS');
    expect(classifyAddress('10.1.2.3')).toBe('PRIVATE_ADDRESS');
    expect(classifyAddress('172.20.0.1')).toBe('PRIVATE_ADDRESS');
    expect(classifyAddress('192.168.1.1')).toBe('PRIVATE_ADDRESS');
    expect(classifyAddress('fd12::1')).toBe('PRIVATE_ADDRESS');
    expect(classifyAddress('169.254.10.10')).toBe('LINK_LOCAL_ADDRESS');
    expect(classifyAddress('fe80::1')).toBe('LINK_LOCAL_ADDRESS');
    expect(classifyAddress('169.254.169.254')).toBe('METADATA_ADDRESS');
    expect(classifyAddress('fd00:ec2::254')).toBe('METADATA_ADDRESS');
    expect(classifyAddress('0.0.0.0')).toBe('UNSPECIFIED_ADDRESS');
    expect(classifyAddress('8.8.8.8')).toBeUndefined();
    expect(classifyAddress('2606:4700::1111')).toBeUndefined();
  });

  it('refuses loopback by literal address and by name', async () => {
    const f = guard({});
    await expect(f(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({
      name: 'SsrfBlockedError',
      code: 'LOOPBACK_ADDRESS',
    });
    await expect(f(`http://localhost:${port}/`)).rejects.toBeInstanceOf(SsrfBlockedError);
    await expect(f(`http://[::1]:${port}/`)).rejects.toMatchObject({ code: 'LOOPBACK_ADDRESS' });
  });

  it('refuses cloud metadata even with allowPrivate, without connecting', async () => {
    const f = guard({ allowPrivate: true });
    await expect(f('http://169.254.169.254/latest/meta-data/')).rejects.toMatchObject({ code: 'METADATA_ADDRESS' });
    await expect(f('http://[fd00:ec2::254]/')).rejects.toMatchObject({ code: 'METADATA_ADDRESS' });
    await expect(f('http://0.0.0.0/')).rejects.toMatchObject({ code: 'UNSPECIFIED_ADDRESS' });
  });

  it('refuses names that resolve to an internal address', async () => {
    const f = guard({ resolve: async () => [{ address: '10.0.0.5', family: 4 }] });
    await expect(f('http://internal.example.test/')).rejects.toMatchObject({
      code: 'PRIVATE_ADDRESS',
      host: 'internal.example.test',
      address: '10.0.0.5',
    });
  });

  it('refuses a name when any one of its addresses is internal', async () => {
    const f = guard({
      resolve: async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ],
    });
    await expect(f('http://mixed.example.test/')).rejects.toMatchObject({ code: 'LOOPBACK_ADDRESS' });
  });

  it('catches DNS rebinding at connect time: the socket uses the address checked then', async () => {
    let calls = 0;
    // First answer (pre-check) is public, second (connect-time lookup) is loopback.
    const f = guard({
      resolve: async () =>
        ++calls === 1 ? [{ address: '93.184.216.34', family: 4 }] : [{ address: '127.0.0.1', family: 4 }],
    });
    await expect(f(`http://rebind.example.test:${port}/`)).rejects.toMatchObject({ code: 'LOOPBACK_ADDRESS' });
    expect(calls).toBe(2);
  });

  it('lets an allow-listed loopback host through', async () => {
    const f = guard({ allowHosts: ['localhost', '127.0.0.1'] });
    expect(await (await f(`http://127.0.0.1:${port}/ok`)).text()).toBe('ok GET ');
    expect(await (await f(`http://localhost:${port}/ok`)).text()).toBe('ok GET ');
  });

  it('pins a resolved name to the checked address (allow-listed name mapped to loopback)', async () => {
    const f = guard({ allowHosts: ['svc.internal.test'], resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    expect(await (await f(`http://svc.internal.test:${port}/ok`)).text()).toBe('ok GET ');
  });

  it('re-checks every redirect hop', async () => {
    const f = guard({ allowHosts: ['127.0.0.1'] });
    await expect(f(`http://127.0.0.1:${port}/redirect-to-metadata`)).rejects.toMatchObject({
      code: 'METADATA_ADDRESS',
    });
  });

  it('follows at most 5 redirects', async () => {
    const f = guard({ allowHosts: ['127.0.0.1'] });
    await expect(f(`http://127.0.0.1:${port}/redirect-loop`)).rejects.toMatchObject({ code: 'TOO_MANY_REDIRECTS' });
  });

  it('follows an allowed redirect, turning POST into GET on 303', async () => {
    const f = guard({ allowHosts: ['127.0.0.1'] });
    const res = await f(`http://127.0.0.1:${port}/redirect-local`, {
      method: 'POST',
      body: 'x',
      headers: { authorization: 'Bearer same-origin' },
    });
    expect(await res.text()).toBe('ok GET Bearer same-origin');
  });

  it('hands back the redirect itself with redirect: manual', async () => {
    const f = guard({ allowHosts: ['127.0.0.1'] });
    const res = await f(`http://127.0.0.1:${port}/redirect-to-metadata`, { redirect: 'manual' });
    expect(res.status).toBe(302);
  });

  it('refuses non-HTTP protocols', async () => {
    const f = guard({ allowHosts: ['127.0.0.1'] });
    await expect(f('file:///etc/passwd')).rejects.toMatchObject({ code: 'PROTOCOL_NOT_ALLOWED' });
  });
});
