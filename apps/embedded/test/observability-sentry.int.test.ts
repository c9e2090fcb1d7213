// Sentry (SENTRY_DSN): errors reach the DSN's endpoint as envelopes with secrets scrubbed (beforeSend).
import http from 'node:http';
import zlib from 'node:zlib';
import { createLogger, flushSentry, initSentry, scrubSecrets } from '@agentry/observability';

describe('Sentry reporting with secrets scrubbed', () => {
  const bodies: string[] = [];
  let server: http.Server;
  let port = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        bodies.push((req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw).toString('utf8'));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('scrubs secret keys and secret-looking text, deeply', () => {
    const out = scrubSecrets({ a: { password: 'hunter2', nested: [{ 'x-api-key': 'k' }] }, msg: 'call failed: Authorization: Bearer abc.def.ghi apiKey=sk-live-1234567890' });
    expect(JSON.stringify(out)).not.toMatch(/hunter2|"k"|abc\.def|sk-live/);
    expect(out.a.password).toBe('[redacted]');
  });

  it('sends errors logged by a service to the DSN endpoint, without the secrets they carried', async () => {
    expect(initSentry({ serviceName: 'execution', env: { SENTRY_DSN: `http://publickey@127.0.0.1:${port}/42`, AGENTRY_MODE: 'distributed' } })).toBe(true);
    const logger = createLogger({ name: 'execution', level: 'error', destination: { write: () => undefined } });
    const err = new Error('provider refused token=tok_very_secret_value with password: hunter2');
    Object.assign(err, { config: { headers: { authorization: 'Bearer eyJhbGciOi.eyJzdWIiOi.sig' } } });
    logger.error({ err, apiKey: 'sk-test-abcdefghijkl' }, 'block failed');
    await flushSentry(5000);

    const envelope = bodies.join('\n');
    expect(envelope).toContain('"type":"event"');
    expect(envelope).toContain('provider refused');
    expect(envelope).toContain('[redacted]');
    for (const secret of ['tok_very_secret_value', 'hunter2', 'eyJhbGciOi', 'sk-test-abcdefghijkl']) expect(envelope).not.toContain(secret);
    expect(envelope).toMatch(/"service":"execution"/);
  });
});
