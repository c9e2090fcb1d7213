import type { Command } from 'commander';
import type { Session } from '../context';
import { QuietExit } from '../errors';
import { render } from '../format';
import { withProgress } from '../progress';
import { firstSupported, enc } from '../routes';
import type { Act } from '../program';

export function registerAdmin(program: Command, act: Act): void {
  const admin = program
    .command('admin')
    .description('operations for platform admins (needs a server with admin routes)');

  admin
    .command('rebuild')
    .description('rebuild read models from the event log')
    .option('--service <name>', 'only this service: gateway (default), graph, execution, block-runner, integration, store, scheduler or notification')
    .action(
      act(async (s: Session, opts: { service?: string }) => {
        const body = opts.service ? { service: opts.service } : {};
        const out = await withProgress(s, `rebuilding read models${opts.service ? ` of ${opts.service}` : ''}…`, () =>
          firstSupported<unknown>(s.client(), [
            { method: 'POST', path: '/admin/read-models/rebuild', body },
            { method: 'POST', path: '/admin/rebuild', body },
          ]),
        );
        s.print(
          out ?? { rebuilt: true },
          () => `Rebuilt read models${opts.service ? ` of ${opts.service}` : ''}.${out ? `\n${render(out)}` : ''}`,
        );
      }),
    );

  admin
    .command('replay <executionId>')
    .description("re-fold an execution's events and compare with the state it reports (exit 1 when they differ)")
    .action(
      act(async (s: Session, executionId: string) => {
        const out = await withProgress(s, `replaying ${executionId}…`, () =>
          firstSupported<unknown>(s.client(), [
            { method: 'POST', path: `/admin/executions/${enc(executionId)}/replay` },
            { method: 'POST', path: '/admin/replay', body: { executionId } },
          ]),
        );
        const replay = out as { matches?: boolean; differences?: string[] } | undefined;
        if (replay?.matches === false) {
          s.print(
            out,
            () =>
              `Replaying execution ${executionId} does not give the state it reports:\n${(replay.differences ?? []).map((d) => `  ${d}`).join('\n')}`,
          );
          throw new QuietExit(1);
        }
        s.print(
          out ?? { executionId, replayed: true },
          () => `Replayed execution ${executionId}.${out ? `\n${render(out)}` : ''}`,
        );
      }),
    );

  admin
    .command('drain <service>')
    .description(
      'stop a service taking new work and let what it runs finish (before an upgrade): gateway, graph, execution, block-runner, integration, store, scheduler or notification',
    )
    .action(
      act(async (s: Session, service: string) => {
        const out = await withProgress(s, `draining ${service}…`, () =>
          firstSupported<unknown>(s.client(), [
            { method: 'POST', path: `/admin/services/${enc(service)}/drain` },
            { method: 'POST', path: '/admin/drain', body: { service } },
          ]),
        );
        const state = out as { drained?: boolean; inFlight?: number } | undefined;
        const done = state?.drained !== false;
        s.print(out ?? { service, drained: true }, () =>
          done
            ? `Drained ${service}.${out ? `\n${render(out)}` : ''}`
            : `Draining ${service}: it takes no new work; ${state?.inFlight ?? '?'} request(s) still in flight (run again to check).\n${render(out)}`,
        );
      }),
    );

  admin
    .command('resume <service>')
    .description('stop draining a service: it takes new work again')
    .action(
      act(async (s: Session, service: string) => {
        const out = await firstSupported<unknown>(s.client(), [{ method: 'DELETE', path: `/admin/services/${enc(service)}/drain` }]);
        s.print(out ?? { service, draining: false }, () => `Resumed ${service}: it takes new work again.`);
      }),
    );
}
