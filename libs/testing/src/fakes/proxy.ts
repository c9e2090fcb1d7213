import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { RecordedRequest } from './http';

/**
 * An HTTP CONNECT proxy like Webshare's rotating residential endpoint (p.webshare.io:80): Basic
 * Proxy-Authorization, answering 407 to a refused account (a password containing "invalid"), then tunnelling
 * to the requested host. Each CONNECT is recorded (method CONNECT, path host:port, headers).
 */
export interface FakeProxyServer {
  name: string;
  url: string;
  requests: RecordedRequest[];
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeProxy(): Promise<FakeProxyServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => {
    res.writeHead(405, { 'content-type': 'text/plain' }).end('only CONNECT is supported');
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    requests.push({ method: 'CONNECT', path: req.url ?? '', query: {}, headers, body: undefined, rawBody: Buffer.alloc(0) });
    const auth = /^Basic\s+(.+)$/i.exec(headers['proxy-authorization'] ?? '')?.[1];
    const [user = '', password = ''] = auth ? Buffer.from(auth, 'base64').toString('utf8').split(':') : [];
    if (!user || !password || password.includes('invalid')) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="proxy"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name: 'proxy',
    url: `http://127.0.0.1:${port}`,
    requests,
    reset: () => {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
