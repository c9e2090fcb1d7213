// The one Agentry image (Dockerfile at the repo root): base, user, health check, and the
// entrypoint that picks the service — run here with a stand-in `node` to see what it would exec.
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const SERVICES = ['graph', 'execution', 'block-runner', 'integration', 'store', 'scheduler', 'notification', 'gateway'];

/** The body of a `COPY … <<'EOF' <target>` heredoc. */
function heredoc(target: string): string {
  const match = dockerfile.match(
    new RegExp(`COPY [^\\n]*<<'EOF' ${target.replace(/\//g, '\\/')}\\n([\\s\\S]*?)\\nEOF\\n`),
  );
  if (!match) throw new Error(`no heredoc for ${target} in Dockerfile`);
  return `${match[1]}\n`;
}

describe('Dockerfile', () => {
  it('builds on node:24-slim in several stages with npm ci', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-slim$/m);
    expect((dockerfile.match(/^FROM /gm) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
  });

  it('runs as uid 10001 with a data volume and a health check', () => {
    expect(dockerfile).toMatch(/^USER 10001:10001$/m);
    expect(dockerfile).toMatch(/useradd [^\n]*--uid 10001/);
    expect(dockerfile).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*CMD \["agentry-healthcheck"\]$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["agentry"\]$/m);
  });

  it('keeps dependencies, tests and deploy files out of the build context', () => {
    const ignore = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['**/node_modules', '.git', '**/*.test.ts', 'charts', 'k8s']));
  });
});

describe('image entrypoint', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentry-entrypoint-'));
    writeFileSync(join(dir, 'agentry'), heredoc('/usr/local/bin/agentry'));
    // A stand-in node that prints what it was asked to run.
    writeFileSync(join(dir, 'node'), '#!/bin/sh\necho "node $* AGENTRY_SERVICE=$AGENTRY_SERVICE"\n');
    chmodSync(join(dir, 'agentry'), 0o755);
    chmodSync(join(dir, 'node'), 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync('sh', [join(dir, 'agentry'), ...args], {
      encoding: 'utf8',
      env: { PATH: `${dir}:/usr/bin:/bin`, ...env },
    });

  it.each(SERVICES)('AGENTRY_SERVICE=%s runs services/<name>/src/main.ts through tsx', (service) => {
    const r = run([], { AGENTRY_SERVICE: service });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(
      `node --enable-source-maps --import tsx services/${service}/src/main.ts AGENTRY_SERVICE=${service}`,
    );
  });

  it('runs the embedded app by default, and takes the service as the first argument too', () => {
    expect(run([]).stdout.trim()).toBe(
      'node --enable-source-maps --import tsx apps/embedded/src/main.ts AGENTRY_SERVICE=embedded',
    );
    expect(run(['cli', 'tenants', 'list']).stdout.trim()).toBe(
      'node --enable-source-maps --import tsx apps/cli/src/main.ts tenants list AGENTRY_SERVICE=cli',
    );
  });

  it('refuses an unknown service with exit code 64 and a message', () => {
    const r = run([], { AGENTRY_SERVICE: 'billing' });
    expect(r.status).toBe(64);
    expect(r.stderr).toContain("unknown service 'billing'");
  });

  it('health-checks the ops port 9464 + index, or the gateway HTTP port when embedded', () => {
    const script = heredoc('/usr/local/bin/agentry-healthcheck');
    expect(script).toContain(`const order = ${JSON.stringify(SERVICES).replace(/,/g, ', ').replace(/"/g, "'")};`);
    expect(script).toMatch(/9464 \+/);
    expect(script).toMatch(/PORT \|\| 8080/);
  });

  it.each([
    [200, 0],
    [503, 1],
  ])(
    'exits the health check with 0 only when /healthz answers 2xx (answer %i -> exit %i)',
    async (status, exitCode) => {
      const server: Server = createServer((req, res) => {
        res.statusCode = req.url === '/healthz' ? status : 404;
        res.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const script = join(dir, 'agentry-healthcheck.js');
      writeFileSync(script, heredoc('/usr/local/bin/agentry-healthcheck').replace(/^#!.*\n/, ''));
      try {
        const child = spawn(process.execPath, [script], {
          env: { AGENTRY_SERVICE: 'graph', AGENTRY_OPS_PORT: String((server.address() as AddressInfo).port) },
        });
        const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
        expect(code).toBe(exitCode);
      } finally {
        server.close();
      }
    },
  );
});
