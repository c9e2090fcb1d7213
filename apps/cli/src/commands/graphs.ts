import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Session } from '../context';
import { CliError, QuietExit } from '../errors';
import { details, parseInputs, table } from '../format';
import { fetchPages, withProgress } from '../progress';
import { collect, positiveInt, choice, type Act } from '../program';
import { printRunResult, renderWatch } from './executions';
import { watchExecution } from '../watch';

interface GraphSummary {
  id: string;
  version: number;
  name: string;
  description?: string;
  isActive?: boolean;
  updatedAt?: string;
  nodeCount?: number;
}

interface GraphNode {
  id: string;
  blockId: string;
  inputDefault?: Record<string, unknown>;
}

interface Graph extends GraphSummary {
  nodes: GraphNode[];
  links: unknown[];
  createdAt?: string;
  subGraphs?: GraphSummary[];
}

export function registerGraphs(program: Command, act: Act): void {
  const graphs = program.command('graphs').description('list, inspect, import, export and run graphs');

  graphs
    .command('list')
    .description("the tenant's graphs")
    .option('-q, --query <text>', 'only graphs whose name or description matches')
    .option('--sort <field>', 'name or updatedAt', choice(['name', 'updatedAt']))
    .option('--limit <n>', 'page size', positiveInt)
    .option('--cursor <cursor>', 'continue from a previous page')
    .option('--all', 'follow every page')
    .action(
      act(
        async (s: Session, opts: { query?: string; sort?: string; limit?: number; cursor?: string; all?: boolean }) => {
          const page = await fetchPages<GraphSummary>(
            s,
            '/graphs',
            { q: opts.query, sort: opts.sort, limit: opts.limit, cursor: opts.cursor },
            Boolean(opts.all),
            'graphs',
          );
          s.print(page, () =>
            page.items.length === 0
              ? 'No graphs yet: import one with `agentry graphs import <file>`.'
              : table(page.items, [
                  { header: 'ID', value: (g) => g.id, max: 40 },
                  { header: 'NAME', value: (g) => g.name, max: 40 },
                  { header: 'VERSION', value: (g) => g.version },
                  { header: 'NODES', value: (g) => g.nodeCount },
                  { header: 'UPDATED', value: (g) => g.updatedAt },
                ]),
          );
          if (page.nextCursor) s.note(`more: agentry graphs list --cursor ${page.nextCursor}   (or --all)`);
        },
      ),
    );

  graphs
    .command('get <graphId>')
    .description('one graph: its nodes and links')
    .option('--graph-version <n>', 'a version other than the active one', positiveInt)
    .action(
      act(async (s: Session, graphId: string, opts: { graphVersion?: number }) => {
        const graph = await s
          .client()
          .get<Graph>(`/graphs/${encodeURIComponent(graphId)}`, { version: opts.graphVersion });
        s.print(graph, () =>
          [
            details([
              ['name', graph.name],
              ['id', graph.id],
              ['version', `${graph.version}${graph.isActive ? ' (active)' : ''}`],
              ['description', graph.description],
              ['updated', graph.updatedAt],
              ['links', graph.links.length],
            ]),
            '',
            table(graph.nodes, [
              { header: 'NODE', value: (n) => n.id },
              { header: 'BLOCK', value: (n) => n.blockId },
              {
                header: 'DEFAULTS',
                value: (n) => (n.inputDefault && Object.keys(n.inputDefault).length ? n.inputDefault : ''),
                max: 70,
              },
            ]),
          ].join('\n'),
        );
      }),
    );

  graphs
    .command('import <file>')
    .description('create a graph from an Agentry or AutoGPT export (JSON file, or - for stdin)')
    .action(
      act(async (s: Session, file: string) => {
        const document = await readDocument(s, file);
        const created = await withProgress(s, `importing ${file === '-' ? 'stdin' : path.basename(file)}…`, () =>
          s.client().post<Graph>('/graphs/import', document),
        );
        const subs = created.subGraphs?.length ?? 0;
        s.print(
          created,
          () =>
            `Imported "${created.name}" (${detectFormat(document)} format) as ${created.id}, version ${created.version}, ${created.nodes?.length ?? 0} nodes${subs ? ` and ${subs} sub-graph${subs === 1 ? '' : 's'}` : ''}.`,
        );
      }),
    );

  graphs
    .command('export <graphId>')
    .description('the graph as a portable Agentry JSON document (secrets stripped)')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(
      act(async (s: Session, graphId: string, opts: { output?: string }) => {
        const doc = await s.client().get<Graph>(`/graphs/${encodeURIComponent(graphId)}/export`);
        const text = `${JSON.stringify(doc, null, 2)}\n`;
        if (!opts.output || opts.output === '-') {
          s.io.stdout(text);
          return;
        }
        try {
          fs.writeFileSync(opts.output, text);
        } catch (err) {
          throw new CliError(`cannot write ${opts.output}: ${(err as Error).message}`);
        }
        s.print(
          { id: doc.id, version: doc.version, name: doc.name, file: path.resolve(opts.output) },
          () => `Exported "${doc.name}" (version ${doc.version}) to ${opts.output}.`,
        );
      }),
    );

  graphs
    .command('run <graphId>')
    .description('start an execution of a graph, and with --watch follow it to the end')
    .option('-i, --input <name=value>', 'an input: name=text, or name:=json (repeat for more)', collect)
    .option('--inputs-file <file>', 'inputs as a JSON object in a file (--input values win)')
    .option('--graph-version <n>', 'run this version instead of the active one', positiveInt)
    .option('-w, --watch', 'follow node states live and print the outputs; exit 1 unless it COMPLETED')
    .addHelpText('after', '\nExample:\n  agentry graphs run <graph-id> --input topic=world --watch')
    .action(
      act(
        async (
          s: Session,
          graphId: string,
          opts: { input?: string[]; inputsFile?: string; graphVersion?: number; watch?: boolean },
        ) => {
          const inputs = {
            ...(opts.inputsFile ? readInputsFile(opts.inputsFile) : {}),
            ...parseInputs(opts.input ?? []),
          };
          const { executionId } = await s
            .client()
            .post<{ executionId: string }>(`/graphs/${encodeURIComponent(graphId)}/execute`, {
              inputs,
              ...(opts.graphVersion ? { version: opts.graphVersion } : {}),
            });
          if (!opts.watch) {
            s.print(
              { executionId },
              () => `Started execution ${executionId}\n(follow it with: agentry executions watch ${executionId})`,
            );
            return;
          }
          s.note(`Started execution ${executionId}`);
          const final = await watchExecution(s.client(), executionId, { renderer: renderWatch(s) });
          printRunResult(s, final);
          if (final.status !== 'COMPLETED') throw new QuietExit(1);
        },
      ),
    );
}

async function readDocument(s: Session, file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = file === '-' ? await s.io.readStdin() : fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new CliError(`${file} must hold one JSON object (a graph export)`);
  return doc as Record<string, unknown>;
}

/** For the message only: the server detects the format itself. AutoGPT exports use snake_case keys. */
export function detectFormat(doc: Record<string, unknown>): 'AutoGPT' | 'Agentry' {
  const nodes = Array.isArray(doc.nodes) ? (doc.nodes as Array<Record<string, unknown>>) : [];
  return 'sub_graphs' in doc ||
    'is_active' in doc ||
    nodes.some((n) => n && typeof n === 'object' && ('block_id' in n || 'input_default' in n))
    ? 'AutoGPT'
    : 'Agentry';
}

function readInputsFile(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`cannot read inputs from ${file}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new CliError(`${file} must hold a JSON object of inputs`);
  return parsed as Record<string, unknown>;
}
