import type { Command } from 'commander';
import { ApiClient } from '../client';
import { tokenFields, type CliDeps, type LoginResponse, type Session } from '../context';
import { ApiError, NotSupportedError, UsageError } from '../errors';
import { details } from '../format';
import type { Act } from '../program';

export interface Me {
  id: string;
  email: string;
  tenantId: string;
  roles?: string[];
  scopes?: string[];
  platformAdmin?: boolean;
  tenants?: Array<{ id: string; name: string; role: string }>;
}

export function registerAuth(program: Command, act: Act, deps: CliDeps): void {
  program
    .command('login')
    .description(
      'sign in and save the server URL and token (in $AGENTRY_CONFIG or ~/.config/agentry/config.json, mode 0600)',
    )
    .option('--email <email>', 'account email (or AGENTRY_EMAIL; asked for on a terminal)')
    .option('--password <password>', 'password (or AGENTRY_PASSWORD; asked for on a terminal, hidden)')
    .option('--password-stdin', 'read the password from standard input')
    .addHelpText('after', '\nExample:\n  agentry login --url http://localhost:8080 --email admin@agentry.local')
    .action(
      act(async (s: Session, opts: { email?: string; password?: string; passwordStdin?: boolean }) => {
        const email = opts.email || deps.env.AGENTRY_EMAIL || (await ask(s, 'Email: ', false, '--email'));
        const password = opts.passwordStdin
          ? firstLine(await s.io.readStdin())
          : opts.password || deps.env.AGENTRY_PASSWORD || (await ask(s, 'Password: ', true, '--password'));
        if (!password) throw new UsageError('the password is empty');
        const url = s.serverUrl();
        const anonymous = new ApiClient({ baseUrl: url, credentials: {}, fetch: deps.fetch });
        const login = await anonymous.request<LoginResponse>('POST', '/auth/login', {
          body: { email, password },
          authenticated: false,
        });
        const signedIn = new ApiClient({ baseUrl: url, credentials: { token: login.accessToken }, fetch: deps.fetch });
        const me = await signedIn.get<Me>('/me');
        const fields = tokenFields(login);
        s.saveConfig({ url: anonymous.baseUrl, email: me.email, tenantId: me.tenantId, ...fields });
        s.print(
          { url: anonymous.baseUrl, user: me, expiresAt: fields.expiresAt, config: s.configFile },
          () =>
            `Signed in to ${anonymous.baseUrl} as ${me.email} (tenant ${me.tenantId}${me.roles?.length ? `, ${me.roles.join(', ')}` : ''}).`,
        );
      }),
    );

  program
    .command('logout')
    .description('forget the saved token (and revoke the refresh token when the server supports it)')
    .action(
      act(async (s: Session) => {
        const config = s.config();
        if (!config.token && !config.refreshToken) {
          s.print({ signedOut: true, wasSignedIn: false }, () => 'Not signed in.');
          return;
        }
        let revoked = false;
        if (config.refreshToken) {
          try {
            await s.client().post('/auth/logout', { refreshToken: config.refreshToken });
            revoked = true;
          } catch (err) {
            // Logging out must work offline and against servers without refresh tokens: forget the token anyway.
            if (!(err instanceof NotSupportedError || err instanceof ApiError))
              s.note(`warning: could not revoke the refresh token on the server (${(err as Error).message})`);
          }
        }
        const { token: _token, refreshToken: _refresh, expiresAt: _expires, ...rest } = config;
        s.saveConfig(rest);
        s.print(
          { signedOut: true, wasSignedIn: true, refreshTokenRevoked: revoked },
          () => `Signed out of ${config.url ?? s.serverUrl()}.`,
        );
      }),
    );

  program
    .command('whoami')
    .description('show the signed-in account, its tenant and roles')
    .action(
      act(async (s: Session) => {
        const me = await s.client().get<Me>('/me');
        const expiresAt = s.config().expiresAt;
        s.print({ url: s.client().baseUrl, ...me, expiresAt }, () =>
          details([
            ['email', me.email],
            ['user', me.id],
            ['tenant', me.tenantId],
            ['roles', `${(me.roles ?? []).join(', ')}${me.platformAdmin ? ' (platform admin)' : ''}`],
            ...(me.scopes ? ([['key scopes', me.scopes.join(', ')]] as const) : []),
            ...(me.tenants && me.tenants.length > 1
              ? ([['tenants', me.tenants.map((t) => `${t.name} (${t.id}, ${t.role})`).join('; ')]] as const)
              : []),
            ['server', s.client().baseUrl],
            ...(expiresAt ? ([['token expires', expiresAt]] as const) : []),
          ]),
        );
      }),
    );
}

async function ask(s: Session, question: string, secret: boolean, flag: string): Promise<string> {
  if (!s.io.stdinIsTTY)
    throw new UsageError(
      `${flag} is required when not on a terminal`,
      flag === '--password' ? 'or use --password-stdin, or set AGENTRY_PASSWORD' : 'or set AGENTRY_EMAIL',
    );
  return (await s.io.prompt(question, secret)).trim();
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0] ?? '';
}
