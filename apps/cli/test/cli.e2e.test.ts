import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// The whole platform in-process, through the embedded app's test helpers (allowed for apps/*/test by the lint config).
import { ADMIN, greetingGraph, startTestPlatform, tempDataDir } from '@agentry/embedded/test/support';
import type { Platform } from '@agentry/embedded';

const BIN = path.join(__dirname, '..', 'bin', 'agentry.js');
/** Bounds one CLI run: a hung child fails the test instead of hanging it. */
const CHILD_LIMIT_MS = 60_000;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('agentry CLI against the real platform (child processes, real sockets)', () => {
  const dataDir = tempDataDir();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-cli-e2e-'));
  const env = {
    ...process.env,
    AGENTRY_CONFIG: path.join(home, 'config.json'),
    NO_COLOR: '1',
    AGENTRY_URL: '',
    AGENTRY_API_KEY: '',
    AGENTRY_TOKEN: '',
  };
  const children = new Set<ReturnType<typeof spawn>>();
  let platform: Platform;

  // Async on purpose: the platform serves from this very process, so a synchronous spawn would deadlock.
  function agentry(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Result> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        env: { ...env, ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`agentry ${args.join(' ')} did not finish\nstdout: ${stdout}\nstderr: ${stderr}`));
      }, CHILD_LIMIT_MS);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        children.delete(child);
        resolve({ code, stdout, stderr });
      });
    });
  }

  beforeAll(async () => {
    platform = await startTestPlatform(dataDir);
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('drives the greeting graph from login to output', async () => {
    const login = await agentry(['login', '--url', platform.url, '--email', ADMIN.email, '--password', ADMIN.password]);
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(`Signed in to ${platform.url} as ${ADMIN.email}`);
    expect(fs.statSync(env.AGENTRY_CONFIG).mode & 0o777).toBe(0o600);

    const file = path.join(home, 'greeting.agentry.json');
    fs.writeFileSync(file, JSON.stringify(greetingGraph(), null, 2));
    const imported = await agentry(['graphs', 'import', file, '--json']);
    expect(imported.code).toBe(0);
    const graph = JSON.parse(imported.stdout);
    expect(graph).toMatchObject({ name: 'Greeting', version: 1 });

    const ran = await agentry(['graphs', 'run', graph.id, '--input', 'topic=world', '--watch']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('Hello world!');
    expect(ran.stdout).toMatch(/^node out COMPLETED$/m);
    expect(ran.stdout).toMatch(/^COMPLETED/m);
    const executionId = /Started execution (\S+)/.exec(ran.stderr)?.[1];
    expect(executionId).toBeDefined();

    const listed = await agentry(['executions', 'list', '--graph', graph.id, '--json']);
    expect(listed.code).toBe(0);
    const page = JSON.parse(listed.stdout);
    expect(page.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: executionId, graphId: graph.id, status: 'COMPLETED' })]),
    );

    const watched = await agentry(['executions', 'watch', executionId!, '--json']);
    expect(watched.code).toBe(0);
    expect(JSON.parse(watched.stdout)).toMatchObject({
      id: executionId,
      status: 'COMPLETED',
      outputs: { greeting: ['Hello world!'] },
    });

    const events = await agentry(['executions', 'events', executionId!]);
    expect(events.code).toBe(0);
    expect(events.stdout).toMatch(/ExecutionCompleted/);

    const exported = path.join(home, 'exported.json');
    const exp = await agentry(['graphs', 'export', graph.id, '-o', exported]);
    expect(exp.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(exported, 'utf8'))).toMatchObject({ id: graph.id, name: 'Greeting' });
  });

  it('creates an API key and works with it', async () => {
    const created = await agentry(['api-keys', 'create', 'e2e', '--scope', 'graphs:read', '--json']);
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout).key as string;
    expect(key).toEqual(expect.any(String));
    const listed = await agentry(['graphs', 'list', '--json'], { AGENTRY_API_KEY: key });
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).items.map((g: { name: string }) => g.name)).toContain('Greeting');
  });

  it('refuses bad input with the right exit codes', async () => {
    const wrong = await agentry([
      'login',
      '--url',
      platform.url,
      '--email',
      ADMIN.email,
      '--password',
      'not-the-password',
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^error: .+ \(INVALID_CREDENTIALS\)$/m);
    expect(wrong.stdout).toBe('');

    const unknown = await agentry(['graps', 'list']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'graps'/);

    const missing = await agentry(['executions', 'get', '00000000-0000-4000-8000-000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/\(NOT_FOUND\)/);
  });

  it('signs out', async () => {
    const out = await agentry(['logout']);
    expect(out.code).toBe(0);
    const after = await agentry(['graphs', 'list']);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/not signed in/);
  });
});
