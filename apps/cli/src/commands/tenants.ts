import type { Command } from 'commander';
import { tokenFields, type LoginResponse, type Session } from '../context';
import { UsageError } from '../errors';
import { parseSettings, render } from '../format';
import { firstSupported, enc } from '../routes';
import { collect, choice, type Act } from '../program';
import type { Me } from './auth';

const ROLES = ['owner', 'admin', 'member', 'viewer'];

export function registerTenants(program: Command, act: Act): void {
  const tenants = program
    .command('tenants')
    .description('tenants, their members, quotas and usage (needs a server with tenant routes)');

  tenants
    .command('create <name>')
    .description('create a tenant (you become its owner)')
    .action(
      act(async (s: Session, name: string) => {
        const t = await s.client().post<{ id?: string; name?: string }>('/tenants', { name });
        s.print(t, () => `Created tenant "${t.name ?? name}"${t.id ? ` (${t.id})` : ''}.`);
      }),
    );

  tenants
    .command('list')
    .description('the tenants you belong to (all of them for a platform admin)')
    .action(
      act(async (s: Session) => {
        const out = await s.client().get<unknown>('/tenants');
        s.print(out, () => render(out));
      }),
    );

  tenants
    .command('use <tenantId>')
    .description('switch the saved session to another tenant you belong to')
    .action(
      act(async (s: Session, tenantId: string) => {
        const out = await s.client().post<LoginResponse & { tenantId?: string }>('/auth/switch-tenant', { tenantId });
        s.saveConfig({ ...s.config(), ...tokenFields(out), tenantId: out.tenantId ?? tenantId });
        s.print({ tenantId: out.tenantId ?? tenantId }, () => `Now working in tenant ${out.tenantId ?? tenantId}.`);
      }),
    );

  const members = tenants.command('members').description("a tenant's members and their roles");
  members
    .command('list [tenantId]')
    .description('members of a tenant (default: yours)')
    .action(
      act(async (s: Session, tenantId: string | undefined) => {
        const id = await tenantOf(s, tenantId);
        const out = await s.client().get<unknown>(`/tenants/${enc(id)}/members`);
        s.print(out, () => render(out));
      }),
    );
  members
    .command('add <email>')
    .description('add (or invite) a member')
    .option('--role <role>', ROLES.join(', '), choice(ROLES), 'member')
    .option('--tenant <tenantId>', 'default: your tenant')
    .action(
      act(async (s: Session, email: string, opts: { role: string; tenant?: string }) => {
        const id = await tenantOf(s, opts.tenant);
        // An existing account joins at once; an unknown email gets an invitation (with a token, shown once).
        const out = await s
          .client()
          .post<{ userId?: string; token?: string; expiresAt?: string }>(`/tenants/${enc(id)}/members`, {
            email,
            role: opts.role,
          });
        s.print(out, () =>
          out.token
            ? `Invited ${email} to tenant ${id} as ${opts.role} (no account yet; the invitation was emailed).\ninvitation token: ${out.token}${out.expiresAt ? `\nexpires: ${out.expiresAt}` : ''}`
            : `Added ${email} to tenant ${id} as ${opts.role}.`,
        );
      }),
    );
  members
    .command('role <userId> <role>')
    .description(`change a member's role (${ROLES.join(', ')})`)
    .option('--tenant <tenantId>', 'default: your tenant')
    .action(
      act(async (s: Session, userId: string, role: string, opts: { tenant?: string }) => {
        if (!ROLES.includes(role)) throw new UsageError(`role must be one of ${ROLES.join(', ')}, not '${role}'`);
        const id = await tenantOf(s, opts.tenant);
        const out = await s.client().patch<unknown>(`/tenants/${enc(id)}/members/${enc(userId)}`, { role });
        s.print(out, () => `${userId} is now ${role} in tenant ${id}.`);
      }),
    );
  members
    .command('remove <userId>')
    .description('remove a member')
    .option('--tenant <tenantId>', 'default: your tenant')
    .action(
      act(async (s: Session, userId: string, opts: { tenant?: string }) => {
        const id = await tenantOf(s, opts.tenant);
        await s.client().delete(`/tenants/${enc(id)}/members/${enc(userId)}`);
        s.print({ tenantId: id, userId, removed: true }, () => `Removed ${userId} from tenant ${id}.`);
      }),
    );

  tenants
    .command('quotas [tenantId]')
    .description("show a tenant's quotas, or change them with --set")
    .option(
      '--set <name=value>',
      'e.g. executionsPerDay=500, concurrentExecutions=10, storageBytes=1073741824, storageBytes=unlimited (repeat)',
      collect,
    )
    .action(
      act(async (s: Session, tenantId: string | undefined, opts: { set?: string[] }) => {
        const id = await tenantOf(s, tenantId);
        const path = `/tenants/${enc(id)}/quotas`;
        if (!opts.set?.length) {
          const out = await s.client().get<unknown>(path);
          s.print(out, () => render(out));
          return;
        }
        // `unlimited` (or `null`) removes a limit.
        const changes = Object.fromEntries(
          Object.entries(parseSettings(opts.set, '--set')).map(([k, v]) => [
            k,
            v === 'unlimited' || v === 'null' ? null : v,
          ]),
        );
        const out = await firstSupported<unknown>(s.client(), [
          { method: 'PATCH', path, body: changes },
          { method: 'PUT', path, body: changes },
        ]);
        s.print(out, () => `Updated the quotas of tenant ${id}:\n${render(out ?? changes)}`);
      }),
    );

  tenants
    .command('usage [tenantId]')
    .description("a tenant's usage against its quotas")
    .action(
      act(async (s: Session, tenantId: string | undefined) => {
        const id = await tenantOf(s, tenantId);
        const out = await s.client().get<unknown>(`/tenants/${enc(id)}/usage`);
        s.print(out, () => render(out));
      }),
    );
}

/** The tenant named on the command line, else the one of the signed-in account. */
async function tenantOf(s: Session, given: string | undefined): Promise<string> {
  if (given) return given;
  const me = await s.client().get<Me>('/me');
  return me.tenantId;
}
