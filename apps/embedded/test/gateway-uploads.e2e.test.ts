import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ADMIN, api, greetingGraph, startTestPlatform, tempDataDir, waitForExecution } from './support';
import type { Platform } from '../src/platform';

// The standard anti-virus test file (harmless by definition); the test writes its own signature database for it.
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
const CLAMD = ['/usr/sbin/clamd', '/usr/bin/clamd'].find((p) => fs.existsSync(p));

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A real clamd (Debian clamav-daemon) on a free port, with a one-signature database written here. */
async function startClamd(dir: string): Promise<{ port: number; proc: ChildProcess }> {
  const db = path.join(dir, 'db');
  fs.mkdirSync(db, { recursive: true });
  fs.writeFileSync(path.join(db, 'eicar.hdb'), `${createHash('md5').update(EICAR).digest('hex')}:${EICAR.length}:Agentry-Test-EICAR\n`);
  const port = await freePort();
  const conf = path.join(dir, 'clamd.conf');
  fs.writeFileSync(conf, [`DatabaseDirectory ${db}`, `TCPSocket ${port}`, 'TCPAddr 127.0.0.1', 'Foreground yes', 'LogFile /dev/null', `TemporaryDirectory ${dir}`, 'StreamMaxLength 10M'].join('\n') + '\n');
  const proc = spawn(CLAMD!, ['--config-file', conf], { stdio: 'ignore' });
  for (let i = 0; i < 300; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.createConnection({ host: '127.0.0.1', port }, () => {
        s.end('zPING\0');
      });
      s.on('data', (d) => resolve(d.toString().startsWith('PONG')));
      s.on('error', () => resolve(false));
    });
    if (up) return { port, proc };
    if (proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill();
  throw new Error('clamd did not start');
}

async function upload(base: string, token: string, name: string, data: Buffer | string) {
  const form = new FormData();
  form.append('file', new Blob([typeof data === 'string' ? Buffer.from(data) : data]), name);
  const res = await fetch(`${base}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: res.status, json: (await res.json()) as any };
}

describe('uploads: size limit, type allow-list by content, ClamAV INSTREAM', () => {
  const dataDir = tempDataDir();
  const clamDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-clamd-'));
  const saved = { ...process.env };
  let platform: Platform;
  let clamd: { port: number; proc: ChildProcess } | undefined;
  let token: string;

  beforeAll(async () => {
    if (CLAMD && spawnSync(CLAMD, ['--version']).status === 0) clamd = await startClamd(clamDir);
    else console.info('clamd not installed (Debian package clamav-daemon): the virus-scan case is skipped, the other upload checks run');
    Object.assign(process.env, { AGENTRY_UPLOAD_MAX_BYTES: String(64 * 1024), ...(clamd ? { AGENTRY_CLAMD_HOST: '127.0.0.1', AGENTRY_CLAMD_PORT: String(clamd.port) } : {}) });
    platform = await startTestPlatform(dataDir);
    token = (await api(platform.url, 'POST', '/api/v1/auth/login', ADMIN)).json.accessToken;
  });
  afterAll(async () => {
    await platform?.close();
    clamd?.proc.kill();
    process.env = saved;
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(clamDir, { recursive: true, force: true });
  });

  it('stores a clean file that a graph then takes as an input', async () => {
    const stored = await upload(platform.url, token, 'topic.txt', 'world');
    expect(stored.status).toBe(201);
    expect(stored.json).toMatchObject({ name: 'topic.txt', mediaType: 'text/plain', size: 5 });
    const content = await fetch(`${platform.url}${stored.json.url}`, { headers: { authorization: `Bearer ${token}` } });
    expect(await content.text()).toBe('world');

    const graph = await api(platform.url, 'POST', '/api/v1/graphs', greetingGraph(), token);
    const run = await api(platform.url, 'POST', `/api/v1/graphs/${graph.json.id}/execute`, { inputs: { topic: { $file: stored.json.id } } }, token);
    expect(run.status).toBe(202);
    expect((await waitForExecution(platform.url, token, run.json.executionId)).outputs).toEqual({ greeting: ['Hello world!'] });
  });

  it('checks the type by content, not by name, and limits the size', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32)]);
    expect((await upload(platform.url, token, 'picture.bin', png)).json.mediaType).toBe('image/png');
    const elf = await upload(platform.url, token, 'photo.png', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]));
    expect([elf.status, elf.json.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const big = await upload(platform.url, token, 'big.txt', 'a'.repeat(65 * 1024));
    expect([big.status, big.json.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const notMultipart = await api(platform.url, 'POST', '/api/v1/files', { file: 'x' }, token);
    expect(notMultipart.status).toBe(415);
  });

  it('refuses an infected file with 422 and stores nothing', async () => {
    if (!clamd) return console.info('skipped: no clamd');
    const before = (await api(platform.url, 'GET', '/api/v1/files', undefined, token)).json.items.length;
    const infected = await upload(platform.url, token, 'innocent.txt', EICAR);
    expect([infected.status, infected.json.code]).toEqual([422, 'INFECTED_FILE']);
    expect(infected.json.detail).toContain('Agentry-Test-EICAR');
    expect((await api(platform.url, 'GET', '/api/v1/files', undefined, token)).json.items.length).toBe(before);
    const stored = fs.readdirSync(path.join(dataDir, 'files'), { recursive: true }).map(String);
    for (const f of stored) {
      const full = path.join(dataDir, 'files', f);
      if (fs.statSync(full).isFile()) expect(fs.readFileSync(full, 'utf8')).not.toContain('EICAR');
    }
  });
});
