import fs from 'node:fs';
import { run } from '../src/program';
import { deps, fakeFetch, fakeIo, tempConfig, type Handler } from './fakes';

const URL_ = 'http://agentry.test:9999';
const me = { id: 'u1', email: 'a@b.test', tenantId: 't1', roles: ['owner'] };

describe('agentry (in-process, against a fake server)', () => {
  let cfg: ReturnType<typeof tempConfig>;
  beforeEach(() => {
    cfg = tempConfig();
  });
  afterEach(() => cfg.cleanup());

  const signedIn = () =>
    fs.writeFileSync(cfg.file, JSON.stringify({ url: URL_, token: 'tok', tenantId: 't1' }), { mode: 0o600 });
  const cli = async (argv: string[], routes: Record<string, Handler> = {}, env: NodeJS.ProcessEnv = {}) => {
    const io = fakeIo();
    const f = fakeFetch(routes);
    const code = await run(argv, deps(io, cfg.file, f.fetch, env));
    return { code, out: io.out.join(''), err: io.err.join(''), calls: f.calls };
  };

  describe('usage', () => {
    it('exits 2 on an unknown command, with a suggestion', async () => {
      const r = await cli(['grpahs', 'list']);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/unknown command 'grpahs'/);
      expect(r.err).toMatch(/Did you mean graphs\?/);
    });

    it('exits 2 on a missing argument, an unknown option or a bad option value', async () => {
      expect((await cli(['graphs', 'get'])).code).toBe(2);
      expect((await cli(['graphs', 'list', '--nope'])).code).toBe(2);
      expect((await cli(['executions', 'list', '--status', 'sleeping'])).code).toBe(2);
      expect((await cli(['graphs', 'list', '--limit', '0'])).code).toBe(2);
      expect((await cli(['graphs'])).code).toBe(2);
    });

    it('answers --help everywhere with exit 0', async () => {
      for (const argv of [
        ['--help'],
        ['graphs', '--help'],
        ['graphs', 'run', '--help'],
        ['executions', 'watch', '--help'],
        ['tenants', 'members', 'add', '--help'],
        ['api-keys', 'create', '--help'],
        ['admin', 'drain', '--help'],
      ]) {
        const r = await cli(argv);
        expect(r.code).toBe(0);
        expect(r.out).toMatch(/^Usage: agentry/);
      }
    });

    it('exits 2 on a malformed --input before calling the server', async () => {
      signedIn();
      const r = await cli(['graphs', 'run', 'g1', '--input', 'topic']);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--input expects name=value/);
      expect(r.calls).toHaveLength(0);
    });
  });

  describe('login', () => {
    it('signs in, asks who it is and saves the server and token with mode 0600', async () => {
      const r = await cli(['login', '--url', `${URL_}/`, '--email', 'a@b.test', '--password', 'pw'], {
        'POST /api/v1/auth/login': () => ({
          body: { accessToken: 'tok', tokenType: 'Bearer', expiresIn: 3600, refreshToken: 'ref' },
        }),
        'GET /api/v1/me': (c) => ({ status: c.headers.authorization === 'Bearer tok' ? 200 : 401, body: me }),
      });
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Signed in to http:\/\/agentry.test:9999 as a@b.test/);
      expect(r.calls[0].body).toEqual({ email: 'a@b.test', password: 'pw' });
      expect(r.calls[0].headers.authorization).toBeUndefined();
      const saved = JSON.parse(fs.readFileSync(cfg.file, 'utf8'));
      expect(saved).toMatchObject({ url: URL_, token: 'tok', refreshToken: 'ref', email: 'a@b.test', tenantId: 't1' });
      expect(fs.statSync(cfg.file).mode & 0o777).toBe(0o600);
    });

    it('shows the problem detail and code of a refused login, exits 1 and saves nothing', async () => {
      const r = await cli(['login', '--url', URL_, '--email', 'a@b.test', '--password', 'bad'], {
        'POST /api/v1/auth/login': () => ({
          status: 401,
          body: { status: 401, code: 'INVALID_CREDENTIALS', detail: 'email or password is wrong' },
        }),
      });
      expect(r.code).toBe(1);
      expect(r.err).toBe('error: email or password is wrong (INVALID_CREDENTIALS)\n');
      expect(fs.existsSync(cfg.file)).toBe(false);
    });

    it('will not prompt without a terminal', async () => {
      const r = await cli(['login', '--url', URL_, '--email', 'a@b.test']);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--password is required when not on a terminal/);
    });

    it('logout revokes the refresh token and forgets the tokens, keeping the URL', async () => {
      fs.writeFileSync(cfg.file, JSON.stringify({ url: URL_, token: 'tok', refreshToken: 'ref' }));
      const r = await cli(['logout'], { 'POST /api/v1/auth/logout': () => ({ body: { ok: true } }) });
      expect(r.code).toBe(0);
      expect(r.calls[0].body).toEqual({ refreshToken: 'ref' });
      expect(JSON.parse(fs.readFileSync(cfg.file, 'utf8'))).toEqual({ url: URL_ });
    });
  });

  describe('requests', () => {
    it('sends the saved token, the filters as query parameters, and prints --json (also after the subcommand)', async () => {
      signedIn();
      const page = { items: [{ id: 'e1', graphId: 'g1', status: 'FAILED' }], nextCursor: 'c2' };
      const r = await cli(['executions', 'list', '--graph', 'g1', '--status', 'failed', '--json'], {
        'GET /api/v1/executions': () => ({ body: page }),
      });
      expect(r.code).toBe(0);
      expect(r.calls[0].headers.authorization).toBe('Bearer tok');
      expect(Object.fromEntries(r.calls[0].url.searchParams)).toEqual({ graphId: 'g1', status: 'FAILED' });
      expect(JSON.parse(r.out)).toEqual(page);
      expect(r.err).toBe(''); // no "more:" note in JSON mode
    });

    it('follows every page with --all', async () => {
      signedIn();
      const r = await cli(['graphs', 'list', '--all', '--json'], {
        'GET /api/v1/graphs': (c) => ({
          body: c.url.searchParams.get('cursor')
            ? { items: [{ id: 'g2' }] }
            : { items: [{ id: 'g1' }], nextCursor: 'p2' },
        }),
      });
      expect(JSON.parse(r.out).items.map((g: { id: string }) => g.id)).toEqual(['g1', 'g2']);
    });

    it('sends an API key as X-API-Key instead of the token', async () => {
      signedIn();
      const r = await cli(['whoami'], { 'GET /api/v1/me': () => ({ body: me }) }, { AGENTRY_API_KEY: 'agk_x' });
      expect(r.calls[0].headers['x-api-key']).toBe('agk_x');
      expect(r.calls[0].headers.authorization).toBeUndefined();
    });

    it('says "not signed in" without a token', async () => {
      const r = await cli(['graphs', 'list']);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/not signed in/);
    });

    it('runs a graph with parsed inputs', async () => {
      signedIn();
      const r = await cli(
        ['graphs', 'run', 'g1', '-i', 'topic=world', '-i', 'n:=2', '--graph-version', '3', '--json'],
        { 'POST /api/v1/graphs/g1/execute': () => ({ status: 202, body: { executionId: 'e9' } }) },
      );
      expect(r.code).toBe(0);
      expect(r.calls[0].body).toEqual({ inputs: { topic: 'world', n: 2 }, version: 3 });
      expect(JSON.parse(r.out)).toEqual({ executionId: 'e9' });
    });

    it('refreshes an expired token once, and saves the new one', async () => {
      fs.writeFileSync(cfg.file, JSON.stringify({ url: URL_, token: 'old', refreshToken: 'ref' }));
      const r = await cli(['whoami', '--json'], {
        'GET /api/v1/me': (c) =>
          c.headers.authorization === 'Bearer new'
            ? { body: me }
            : { status: 401, body: { status: 401, code: 'TOKEN_EXPIRED', detail: 'expired' } },
        'POST /api/v1/auth/refresh': () => ({ body: { accessToken: 'new', expiresIn: 60, refreshToken: 'ref2' } }),
      });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out).email).toBe('a@b.test');
      expect(JSON.parse(fs.readFileSync(cfg.file, 'utf8'))).toMatchObject({ token: 'new', refreshToken: 'ref2' });
    });

    it('fails clearly (exit 1) when the server lacks a route', async () => {
      signedIn();
      const r = await cli(['admin', 'drain', 'graph']);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(
        /does not support this yet \(POST \/api\/v1\/admin\/services\/graph\/drain answered 404 NOT_FOUND: no such API route\)/,
      );
    });

    it('admin replay fails (exit 1) listing the differences when the replay does not match', async () => {
      signedIn();
      const r = await cli(['admin', 'replay', 'e1'], {
        'POST /api/v1/admin/executions/e1/replay': () => ({
          body: { executionId: 'e1', matches: false, differences: ['status: replayed FAILED, reported COMPLETED'] },
        }),
      });
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/does not give the state it reports:\n {2}status: replayed FAILED, reported COMPLETED/);
    });

    it('admin drain says what is still in flight until the service is drained', async () => {
      signedIn();
      const state = (drained: boolean) => ({ service: 'gateway', draining: true, drained, inFlight: drained ? 0 : 2 });
      const busy = await cli(['admin', 'drain', 'gateway'], {
        'POST /api/v1/admin/services/gateway/drain': () => ({ body: state(false) }),
      });
      expect(busy.code).toBe(0);
      expect(busy.out).toMatch(/^Draining gateway: it takes no new work; 2 request\(s\) still in flight/);
      const done = await cli(['admin', 'drain', 'gateway'], {
        'POST /api/v1/admin/services/gateway/drain': () => ({ body: state(true) }),
      });
      expect(done.out).toMatch(/^Drained gateway\./);
    });

    it('tenants quotas --set sends numbers, and null for unlimited', async () => {
      signedIn();
      const r = await cli(
        ['tenants', 'quotas', 't1', '--set', 'executionsPerDay=5', '--set', 'storageBytes=unlimited', '--json'],
        {
          'PATCH /api/v1/tenants/t1/quotas': (c) => ({ body: { tenantId: 't1', quotas: c.body } }),
        },
      );
      expect(r.code).toBe(0);
      expect(r.calls[0].body).toEqual({ executionsPerDay: 5, storageBytes: null });
    });

    it('reports a refusal that is not a missing route as it is', async () => {
      signedIn();
      const r = await cli(['tenants', 'usage', 't9'], {
        'GET /api/v1/tenants/t9/usage': () => ({
          status: 404,
          body: { status: 404, code: 'NOT_FOUND', detail: 'tenant t9 not found' },
        }),
      });
      expect(r.code).toBe(1);
      expect(r.err).toBe('error: tenant t9 not found (NOT_FOUND)\n');
    });

    it('cannot reach a server: says where it tried', async () => {
      signedIn();
      const io = fakeIo();
      const refused = (async () => {
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      }) as unknown as typeof fetch;
      const code = await run(['graphs', 'list'], deps(io, cfg.file, refused));
      expect(code).toBe(1);
      expect(io.err.join('')).toMatch(/cannot reach the Agentry server at http:\/\/agentry.test:9999 \(ECONNREFUSED\)/);
    });
  });
});
