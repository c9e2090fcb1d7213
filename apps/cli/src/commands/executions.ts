import type { Command } from 'commander';
import type { Session } from '../context';
import { QuietExit } from '../errors';
import { details, duration, show, table } from '../format';
import { fetchPages } from '../progress';
import { positiveInt, upperChoice, choice, type Act } from '../program';
import {
  plainRenderer,
  silentRenderer,
  TERMINAL,
  ttyRenderer,
  watchExecution,
  type ExecutionView,
  type Renderer,
} from '../watch';

const STATUSES = ['QUEUED', 'RUNNING', 'REVIEW', 'COMPLETED', 'FAILED', 'TERMINATED', 'INCOMPLETE'];
const TRIGGERS = ['manual', 'schedule', 'webhook', 'api', 'subagent'];

interface ExecutionSummary {
  id: string;
  graphId: string;
  graphVersion?: number;
  status: string;
  trigger?: string;
  startedAt?: string;
  endedAt?: string;
}

interface EventEnvelope {
  id: string;
  type: string;
  globalPosition: number;
  streamVersion?: number;
  occurredAt?: string;
  data?: Record<string, unknown>;
}

export function registerExecutions(program: Command, act: Act): void {
  const executions = program.command('executions').description('list, inspect, watch and cancel executions');

  executions
    .command('list')
    .description('execution history, newest first')
    .option('--graph <graphId>', 'only executions of this graph')
    .option('--status <status>', `one of ${STATUSES.join(', ')}`, upperChoice(STATUSES))
    .option('--trigger <trigger>', `one of ${TRIGGERS.join(', ')}`, choice(TRIGGERS))
    .option('--limit <n>', 'page size', positiveInt)
    .option('--cursor <cursor>', 'continue from a previous page')
    .option('--all', 'follow every page')
    .action(
      act(
        async (
          s: Session,
          opts: { graph?: string; status?: string; trigger?: string; limit?: number; cursor?: string; all?: boolean },
        ) => {
          const query = {
            graphId: opts.graph,
            status: opts.status,
            trigger: opts.trigger,
            limit: opts.limit,
            cursor: opts.cursor,
          };
          const page = await fetchPages<ExecutionSummary>(s, '/executions', query, Boolean(opts.all), 'executions');
          s.print(page, () =>
            page.items.length === 0
              ? 'No executions match.'
              : table(page.items, [
                  { header: 'ID', value: (e) => e.id, max: 40 },
                  { header: 'GRAPH', value: (e) => e.graphId, max: 40 },
                  { header: 'VER', value: (e) => e.graphVersion },
                  { header: 'STATUS', value: (e) => e.status },
                  { header: 'TRIGGER', value: (e) => e.trigger },
                  { header: 'STARTED', value: (e) => e.startedAt },
                  { header: 'TOOK', value: (e) => duration(e.startedAt, e.endedAt) },
                ]),
          );
          if (page.nextCursor) s.note(`more: agentry executions list --cursor ${page.nextCursor}   (or --all)`);
        },
      ),
    );

  executions
    .command('get <executionId>')
    .description('state of one execution: status, node states, outputs')
    .action(
      act(async (s: Session, executionId: string) => {
        const e = await s.client().get<ExecutionView>(`/executions/${encodeURIComponent(executionId)}`);
        s.print(e, () =>
          [
            details([
              ['execution', e.id],
              ['graph', `${e.graphId}${e.graphVersion ? ` v${e.graphVersion}` : ''}`],
              ['status', e.status],
              ['trigger', e.trigger],
              ['started', e.startedAt],
              ['ended', e.endedAt],
              ['took', duration(e.startedAt, e.endedAt)],
              ['inputs', e.inputs],
              ...(e.error ? ([['error', errorText(e.error)]] as const) : []),
            ]),
            '',
            table(e.nodeExecutions ?? [], [
              { header: 'NODE', value: (n) => n.nodeId },
              { header: 'STATUS', value: (n) => n.status },
              { header: 'NODE EXECUTION', value: (n) => n.id },
            ]),
            ...outputLines(e),
          ].join('\n'),
        );
      }),
    );

  executions
    .command('watch <executionId>')
    .description('follow an execution live (node states from the WebSocket) until it ends; exit 1 unless it COMPLETED')
    .option('--poll', 'poll the REST API instead of using the WebSocket')
    .action(
      act(async (s: Session, executionId: string, opts: { poll?: boolean }) => {
        const final = await watchExecution(s.client(), executionId, {
          renderer: renderWatch(s),
          useWebSocket: !opts.poll,
        });
        printRunResult(s, final);
        if (final.status !== 'COMPLETED') throw new QuietExit(1);
      }),
    );

  executions
    .command('cancel <executionId>')
    .description('ask a running execution to stop (its running nodes are terminated)')
    .action(
      act(async (s: Session, executionId: string) => {
        const out = await s
          .client()
          .post<{ executionId: string; status: string }>(`/executions/${encodeURIComponent(executionId)}/cancel`);
        s.print(out, () => `Cancel requested for execution ${executionId}.`);
      }),
    );

  executions
    .command('events <executionId>')
    .description("the execution's raw event log, in order")
    .action(
      act(async (s: Session, executionId: string) => {
        const out = await s
          .client()
          .get<{ items: EventEnvelope[] }>(`/executions/${encodeURIComponent(executionId)}/events`);
        s.print(out, () =>
          table(out.items, [
            { header: 'POSITION', value: (e) => e.globalPosition },
            { header: 'TIME', value: (e) => e.occurredAt },
            { header: 'TYPE', value: (e) => e.type },
            { header: 'DETAIL', value: (e) => eventDetail(e), max: 80 },
          ]),
        );
      }),
    );
}

/** Live node states: redrawn in place on a terminal, one line per change otherwise, and never on stdout with --json. */
export function renderWatch(s: Session): Renderer {
  if (s.json) return s.io.stderrIsTTY ? ttyRenderer((t) => s.io.stderr(t)) : silentRenderer;
  return s.io.stdoutIsTTY ? ttyRenderer((t) => s.io.stdout(t)) : plainRenderer((t) => s.io.stdout(t));
}

export function printRunResult(s: Session, e: ExecutionView): void {
  s.print(e, () => {
    const took = duration(e.startedAt, e.endedAt);
    const lines = [`${e.status}${took ? ` in ${took}` : ''}${TERMINAL.has(e.status) ? '' : ' (still running)'}`];
    if (e.error) lines.push(`error: ${errorText(e.error)}`);
    for (const n of e.nodeExecutions ?? []) {
      const err = (n as { error?: unknown }).error;
      if (n.status === 'FAILED' && err) lines.push(`  node ${n.nodeId}: ${errorText(err)}`);
    }
    lines.push(...outputLines(e));
    return lines.join('\n');
  });
}

function outputLines(e: ExecutionView): string[] {
  const entries = Object.entries(e.outputs ?? {});
  if (entries.length === 0) return [];
  return [
    'outputs:',
    ...entries.flatMap(([name, values]) =>
      (Array.isArray(values) ? values : [values]).map((v) => `  ${name}: ${show(v)}`),
    ),
  ];
}

function errorText(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object' && 'message' in error) {
    const { message, code } = error as { message?: unknown; code?: unknown };
    return `${String(message)}${code ? ` (${String(code)})` : ''}`;
  }
  return show(error);
}

function eventDetail(e: EventEnvelope): string {
  const d = e.data ?? {};
  const parts: string[] = [];
  for (const key of ['nodeId', 'nodeExecId', 'status', 'name', 'reason'])
    if (typeof d[key] === 'string' && d[key]) parts.push(`${key}=${d[key] as string}`);
  if (d.error) parts.push(`error=${errorText(d.error)}`);
  return parts.join(' ');
}
