import type { Command } from 'commander';
import type { Session } from '../context';
import { UsageError } from '../errors';
import { details, table } from '../format';
import { firstSupported, enc } from '../routes';
import { collect, positiveInt, type Act } from '../program';

interface ApiKey {
  id: string;
  name?: string;
  scopes?: string[];
  prefix?: string;
  createdAt?: string;
  lastUsedAt?: string;
  expiresAt?: string;
  revokedAt?: string;
  /** Only in the answer to create: the secret, shown once. */
  key?: string;
  secret?: string;
  apiKey?: string;
  token?: string;
}

export function registerApiKeys(program: Command, act: Act): void {
  const keys = program.command('api-keys').description('API keys for scripts and integrations (sent as X-API-Key)');

  keys
    .command('create <name>')
    .description('create a key; its secret is shown once')
    .option('-s, --scope <scope>', 'e.g. graphs:read, executions:write (repeat)', collect)
    .option('--expires-in-days <n>', 'expire the key after this many days', positiveInt)
    .addHelpText('after', '\nExample:\n  agentry api-keys create ci --scope graphs:read --scope executions:write')
    .action(
      act(async (s: Session, name: string, opts: { scope?: string[]; expiresInDays?: number }) => {
        const bad = (opts.scope ?? []).filter((sc) => !/^[a-z][a-z0-9_-]*:[a-z][a-z0-9_*-]*$/i.test(sc));
        if (bad.length)
          throw new UsageError(
            `scopes look like resource:action (graphs:read), not ${bad.map((b) => `'${b}'`).join(', ')}`,
          );
        const body = {
          name,
          scopes: opts.scope ?? [],
          ...(opts.expiresInDays
            ? { expiresAt: new Date(Date.now() + opts.expiresInDays * 86_400_000).toISOString() }
            : {}),
        };
        const created = await s.client().post<ApiKey>('/api-keys', body);
        const secret = created.key ?? created.secret ?? created.apiKey ?? created.token;
        s.print(created, () =>
          [
            details([
              ['id', created.id],
              ['name', created.name ?? name],
              ['scopes', (created.scopes ?? opts.scope ?? []).join(', ') || '(none)'],
              ['expires', created.expiresAt],
            ]),
            '',
            secret ? `key: ${secret}` : '',
            'This key is shown only now: store it safely (e.g. export AGENTRY_API_KEY=…).',
          ]
            .filter(Boolean)
            .join('\n'),
        );
      }),
    );

  keys
    .command('list')
    .description('keys of your tenant (never their secrets)')
    .action(
      act(async (s: Session) => {
        const out = await s.client().get<{ items: ApiKey[] }>('/api-keys');
        s.print(out, () =>
          out.items.length === 0
            ? 'No API keys.'
            : table(out.items, [
                { header: 'ID', value: (k) => k.id, max: 40 },
                { header: 'NAME', value: (k) => k.name },
                { header: 'PREFIX', value: (k) => k.prefix },
                { header: 'SCOPES', value: (k) => (k.scopes ?? []).join(','), max: 50 },
                { header: 'LAST USED', value: (k) => k.lastUsedAt },
                {
                  header: 'STATE',
                  value: (k) =>
                    k.revokedAt
                      ? 'revoked'
                      : k.expiresAt && Date.parse(k.expiresAt) < Date.now()
                        ? 'expired'
                        : 'active',
                },
              ]),
        );
      }),
    );

  keys
    .command('revoke <keyId>')
    .description('revoke a key at once')
    .action(
      act(async (s: Session, keyId: string) => {
        const out = await firstSupported<unknown>(s.client(), [
          { method: 'DELETE', path: `/api-keys/${enc(keyId)}` },
          { method: 'POST', path: `/api-keys/${enc(keyId)}/revoke` },
        ]);
        s.print(out ?? { id: keyId, revoked: true }, () => `Revoked API key ${keyId}.`);
      }),
    );
}
