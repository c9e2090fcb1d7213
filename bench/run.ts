/**
 * `npm run bench -- [scenario ...] [--quick] [--no-peers | --peers=node-red,n8n] [--jetstream] [--profile]
 *                    [--seconds=N] [--connections=N]`
 *
 * Scenarios: limits chain throughput fanout memory start replay editor list (default: all). `engine` = chain throughput
 * fanout replay on Agentry only, embedded and over JetStream (issue 4). Every scenario is bounded in time; a peer
 * that cannot be installed or started is reported and skipped. Writes bench/results/<timestamp>.json, prints the
 * table, and regenerates docs/benchmarks.md + docs/benchmarks.svg.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  chainScenario,
  editorScenario,
  fanOutScenario,
  idleRss,
  replayScenario,
  startAgentry,
  throughputScenario,
  type AgentryInstance,
} from './lib/agentry';
import { writeDocs } from './lib/docs';
import { PINS } from './lib/install';
import { grpcLimits, httpLimit, sqliteLimits } from './lib/limits';
import {
  peerChain,
  peerFanOut,
  peerIdleRss,
  peerThroughput,
  startN8n,
  startNodeRed,
  type PeerInstance,
} from './lib/peers';
import { listScenario } from './lib/list';
import { CHROMIUM } from './lib/browser';
import { n8nEditorScenario } from './lib/n8n-editor';
import { summariseProfile } from './lib/profile';
import { textTable, validateResults, type BenchResults, type Metric, type Target } from './lib/results';
import { FANOUT_ITEMS } from './lib/workloads';
import { BENCH, bounded, CACHE, commandOutput, freePort, progress, REPO, round, startChild } from './lib/util';

const ALL = ['limits', 'chain', 'throughput', 'fanout', 'memory', 'start', 'replay', 'editor', 'list'] as const;
type Scenario = (typeof ALL)[number];

interface Options {
  scenarios: Set<Scenario>;
  quick: boolean;
  peers: Array<'node-red' | 'n8n'>;
  jetstream: boolean;
  profile: boolean;
  seconds: number;
  connections: number;
}

function parseArgs(argv: string[]): Options {
  const flags = new Map<string, string>();
  const names: string[] = [];
  for (const a of argv) {
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=');
      flags.set(k, v ?? 'true');
    } else names.push(a);
  }
  if (flags.has('help')) {
    process.stdout.write(fs.readFileSync(__filename, 'utf8').split('*/')[0] + '*/\n');
    process.exit(0);
  }
  const engine = names.includes('engine');
  const chosen = names.filter((n) => n !== 'engine');
  for (const n of chosen)
    if (!(ALL as readonly string[]).includes(n))
      throw new Error(`unknown scenario ${n}; choose from ${ALL.join(', ')}, engine`);
  const scenarios = new Set<Scenario>(
    engine
      ? ['chain', 'throughput', 'fanout', 'replay', ...(chosen as Scenario[])]
      : chosen.length
        ? (chosen as Scenario[])
        : ALL,
  );
  const quick = flags.has('quick');
  const peers =
    flags.has('no-peers') || engine
      ? []
      : ((flags.get('peers') ?? 'node-red,n8n').split(',').filter(Boolean) as Options['peers']);
  return {
    scenarios,
    quick,
    peers,
    jetstream: flags.has('jetstream') || engine,
    profile: flags.has('profile'),
    seconds: Number(flags.get('seconds') ?? (quick ? 8 : 30)),
    connections: Number(flags.get('connections') ?? 16),
  };
}

type Values = Partial<Record<Target, number>>;
interface Collected {
  perNode: Values;
  chain50: Values;
  chainEngine: Values;
  execPerS: Values;
  p50: Values;
  p99: Values;
  fanoutItemsPerS: Values;
  idleMiB: Values;
  peakMiB: Values;
  startMs: Values;
  replay: Values;
  editor: Values;
  editorFit: Values;
  editorLiveGap: Values;
  listFirst: Values;
  listDeep: Values;
  listFiltered: Values;
}

const MiB = 2 ** 20;

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const began = Date.now();
  const startedAt = new Date(began).toISOString();
  const has = (s: Scenario) => o.scenarios.has(s);
  const c: Collected = {
    perNode: {},
    chain50: {},
    chainEngine: {},
    execPerS: {},
    p50: {},
    p99: {},
    fanoutItemsPerS: {},
    idleMiB: {},
    peakMiB: {},
    startMs: {},
    replay: {},
    editor: {},
    editorFit: {},
    editorLiveGap: {},
    listFirst: {},
    listDeep: {},
    listFiltered: {},
  };
  const results: BenchResults = {
    schema: 1,
    startedAt,
    durationS: 0,
    quick: o.quick,
    scenarios: [...o.scenarios],
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim() ?? '?',
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.versions.node,
      os: `${os.type()} ${os.release()}`,
    },
    versions: {
      agentry: JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version,
      git: commandOutput('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD']) || '?',
    },
    metrics: [],
    limits: {},
    skipped: [],
    notes: [],
  };
  const skip = (target: string, reason: string, scenario?: string) => {
    progress(`SKIPPED ${target}${scenario ? ` / ${scenario}` : ''}: ${reason}`);
    results.skipped.push({ target, scenario, reason: reason.split('\n')[0].slice(0, 400) });
  };
  /** Runs one scenario step bounded in time; a failure is recorded and the run goes on. */
  const step = async <T>(
    target: string,
    scenario: string,
    ms: number,
    work: () => Promise<T>,
  ): Promise<T | undefined> => {
    progress(`${target}: ${scenario}`);
    try {
      return await bounded(`${target} ${scenario}`, ms, work());
    } catch (err) {
      skip(target, (err as Error).message, scenario);
      return undefined;
    }
  };
  const loadAtStart = os.loadavg()[0];
  const iterations = o.quick ? 300 : 2000;
  const chainMs = o.quick ? 20_000 : 60_000;
  const fanoutBound = o.quick ? 60_000 : 180_000;
  const loadBound = (o.seconds + 120) * 1000;
  progress(
    `scenarios: ${[...o.scenarios].join(', ')}; peers: ${o.peers.join(', ') || 'none'}; load ${o.seconds} s at ${o.connections} connections${o.quick ? ' (quick)' : ''}`,
  );

  // ------------------------------------------------------------------ limits of the machine
  let grpcP50: number | undefined;
  let httpRate: number | undefined;
  let readRate: number | undefined;
  if (has('limits')) {
    const ms = o.quick ? 1000 : 3000;
    const sql = await step('limits', 'sqlite append', 60_000, async () => sqliteLimits(ms));
    if (sql) {
      results.limits['sqlite durable append (synchronous=FULL, fsync per commit)'] = {
        value: round(sql.fullEventsPerS),
        unit: 'events/s',
        what: `${round(sql.fullCommitsPerS)} commits/s of 6 events, WAL, back to back`,
      };
      results.limits['sqlite append (synchronous=NORMAL, Agentry’s setting)'] = {
        value: round(sql.normalEventsPerS),
        unit: 'events/s',
        what: `${round(sql.normalCommitsPerS)} commits/s of 6 events, WAL, back to back`,
      };
      results.limits['sqlite read + JSON.parse'] = {
        value: round(sql.readEventsPerS),
        unit: 'events/s',
        what: 'every row in position order',
      };
      readRate = sql.readEventsPerS;
    }
    const g = await step('limits', 'grpc-js loopback unary', 60_000, () => grpcLimits(ms, o.connections));
    if (g) {
      results.limits['grpc-js loopback unary, sequential'] = {
        value: round(g.sequentialCallsPerS),
        unit: 'calls/s',
        what: `p50 ${g.p50Ms.toFixed(3)} ms`,
      };
      results.limits[`grpc-js loopback unary, ${o.connections} in flight`] = {
        value: round(g.concurrentCallsPerS),
        unit: 'calls/s',
        what: 'one process, one channel',
      };
      grpcP50 = g.p50Ms;
    }
    const h = await step('limits', 'http hello-world', 60_000, () => httpLimit(o.quick ? 4 : 10, o.connections));
    if (h) {
      results.limits[`node:http hello-world, ${o.connections} connections`] = {
        value: round(h.requestsPerS),
        unit: 'req/s',
        what: `autocannon, p50 ${h.p50Ms} ms, p99 ${h.p99Ms} ms`,
      };
      httpRate = h.requestsPerS;
    }
  }

  // ------------------------------------------------------------------ Agentry, embedded (SQLite)
  const needsAgentry = ['chain', 'throughput', 'fanout', 'memory', 'start', 'replay', 'editor'].some((s) =>
    has(s as Scenario),
  );
  const profDir = path.join(CACHE, 'profiles', startedAt.replace(/[:.]/g, '-'));
  if (needsAgentry) {
    if (o.profile) fs.mkdirSync(profDir, { recursive: true });
    const a = await step('agentry', 'start', 90_000, () =>
      startAgentry({ cpuProfDir: o.profile ? profDir : undefined }),
    );
    if (a) {
      c.startMs.agentry = a.startMs;
      progress(`  agentry ready in ${a.startMs.toFixed(0)} ms at ${a.url}`);
      if (has('memory')) c.idleMiB.agentry = (await idleRss(a)) / MiB;
      await runAgentry(a, 'agentry');
      await a.stop();
      if (has('replay')) {
        const r = await step('agentry', 'replay', 120_000, () => replayScenario(a.dataDir));
        if (r) {
          c.replay.agentry = r.eventsPerS;
          results.notes.push(
            `replay: ${r.events.toLocaleString('en-US')} events of ${r.streams.toLocaleString('en-US')} executions (the history this run produced) read and folded in ${r.ms.toFixed(0)} ms.`,
          );
        }
      }
      fs.rmSync(a.dataDir, { recursive: true, force: true });
      if (o.profile) {
        const file = fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
        if (file) {
          const s = summariseProfile(path.join(profDir, file));
          results.profile = { file: path.relative(REPO, path.join(profDir, file)), ...s };
          progress(
            `  profile: ${s.byArea
              .slice(0, 6)
              .map((x) => `${x.area} ${x.pct}%`)
              .join(', ')}`,
          );
        } else skip('agentry', 'no .cpuprofile was written', 'profile');
      }
    }
  }

  async function runAgentry(a: AgentryInstance, target: Target) {
    if (has('chain')) {
      const r = await step(target, 'chain', chainMs + 60_000, () => chainScenario(a, { iterations, ms: chainMs }));
      if (r) {
        c.perNode[target] = r.perNodeMs;
        c.chain50[target] = r.chain50P50Ms;
        c.chainEngine[target] = r.chain50EngineP50Ms;
      }
    }
    if (has('throughput') || has('memory')) {
      const r = await step(target, 'throughput', loadBound, () =>
        throughputScenario(a, { seconds: o.seconds, connections: o.connections, drainMs: o.quick ? 30_000 : 90_000 }),
      );
      if (r) {
        c.execPerS[target] = r.completedPerS;
        c.p50[target] = r.p50Ms;
        c.p99[target] = r.p99Ms;
        if (target === 'agentry') c.peakMiB[target] = r.peakRss / MiB;
        results.notes.push(
          `${target} throughput: ${r.completed} executions completed (${r.failed} failed, ${r.unfinished} unfinished after the drain bound); the API accepted ${round(r.acceptedPerS)}/s (HTTP 202 p50 ${r.httpP50Ms} ms, p99 ${r.httpP99Ms} ms); latency is requestedAt → endedAt of each execution.`,
        );
      }
    }
    if (has('fanout')) {
      const r = await step(target, 'fan-out', fanoutBound + 30_000, () => fanOutScenario(a, fanoutBound));
      if (r) {
        c.fanoutItemsPerS[target] = r.itemsPerS;
        if (!r.finished)
          results.notes.push(
            `${target} fan-out did not finish within its ${fanoutBound / 1000} s bound: ${r.completedNodes} of ${FANOUT_ITEMS * 3} branch node executions had completed; the figure is that partial rate, in items/s.`,
          );
      }
    }
    if (has('editor') && target === 'agentry') {
      if (!fs.existsSync(path.join(REPO, 'apps/editor/dist/index.html')))
        skip(target, 'the editor is not built (npm run build:editor); not building it during a benchmark', 'editor');
      else if (!fs.existsSync(CHROMIUM)) skip(target, `${CHROMIUM} is missing`, 'editor');
      else {
        const r = await step(target, 'editor', 150_000, () => editorScenario(a, 120_000));
        if (r) {
          c.editor.agentry = r.openMs;
          c.editorFit.agentry = r.fitMs;
          c.editorLiveGap.agentry = r.live.maxFrameGapMs;
          results.notes.push(
            `editor live: a ${r.live.nodeExecs.toLocaleString('en-US')}-node-execution fan-out run from the editor's Run button and shown live over the WebSocket at ${r.live.nodeExecsPerS.toFixed(0)} node executions/s: longest frame gap ${r.live.maxFrameGapMs.toFixed(0)} ms, p95 ${r.live.p95FrameGapMs.toFixed(0)} ms, long tasks ${r.live.longTasksMs.toFixed(0)} ms in all; the last node's card showed ${r.live.lastCardCount.toLocaleString('en-US')} executions at the end.`,
          );
          results.notes.push(
            `editor: Agentry's built editor opened by clicking "open" in its graph list after signing in; open = click → node n0 visible + 2 animation frames; ${r.nodes} of 1,000 nodes mounted on open (the canvas renders only what is in view); fit-all (its fit-view control) = click → node n999 mounted + 2 frames, ${r.all} mounted.`,
          );
        }
      }
    }
  }

  // ------------------------------------------------------------------ execution history at 100k (in process)
  if (has('list')) {
    const executions = o.quick ? 100_000 : 100_000;
    const r = await step('agentry', 'list', 300_000, () =>
      listScenario({ executions, pagesPerQuery: o.quick ? 20 : 100 }),
    );
    if (r) {
      const of = (q: string) => r.pages.find((p) => p.query === q);
      c.listFirst.agentry = of('no filter')?.p50Ms;
      c.listDeep.agentry = Math.max(...r.pages.map((p) => p.p99Ms));
      c.listFiltered.agentry = of('graphId + status + trigger + range')?.p50Ms;
      results.notes.push(
        `list: ${r.executions.toLocaleString('en-US')} executions seeded in ${(r.seedMs / 1000).toFixed(1)} s, index rebuilt from the log in ${r.indexBuildMs.toFixed(0)} ms; page of 50, p50/p99 ms: ${r.pages.map((p) => `${p.query} ${p.p50Ms.toFixed(3)}/${p.p99Ms.toFixed(3)}`).join('; ')}.`,
      );
    }
  }

  // ------------------------------------------------------------------ Agentry over JetStream (private nats-server)
  if (o.jetstream && ['chain', 'throughput', 'fanout'].some((s) => has(s as Scenario))) {
    if (!fs.existsSync('/usr/sbin/nats-server')) skip('agentry-jetstream', '/usr/sbin/nats-server is missing');
    else {
      const port = await freePort();
      const store = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-nats-'));
      const nats = startChild('/usr/sbin/nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', store]);
      try {
        await nats.waitFor(/Server is ready/, 20_000);
        const a = await step('agentry-jetstream', 'start', 90_000, () =>
          startAgentry({ eventLog: 'jetstream', natsUrl: `nats://127.0.0.1:${port}` }),
        );
        if (a) {
          await runAgentry(a, 'agentry-jetstream');
          await a.stop();
          fs.rmSync(a.dataDir, { recursive: true, force: true });
        }
      } catch (err) {
        skip('agentry-jetstream', (err as Error).message);
      } finally {
        await nats.stop('SIGTERM');
        fs.rmSync(store, { recursive: true, force: true });
      }
    }
  }

  // ------------------------------------------------------------------ peers
  // The editor scenario runs on n8n (its editor opens the same graph); Node-RED is started headless, without its editor.
  const peerScenarios = (name: string) =>
    ['chain', 'throughput', 'fanout', 'memory', 'start', ...(name === 'n8n' ? ['editor'] : [])].filter((s) =>
      has(s as Scenario),
    );
  for (const name of o.peers.filter((n) => peerScenarios(n).length)) {
    progress(`${name}: installing (if needed) and starting`);
    let p: PeerInstance | undefined;
    try {
      p = await bounded(
        `${name} install + start`,
        name === 'n8n' ? 40 * 60_000 : 15 * 60_000,
        name === 'n8n' ? startN8n() : startNodeRed(),
      );
    } catch (err) {
      skip(name, (err as Error).message);
      continue;
    }
    results.versions[name] = p.version;
    try {
      c.startMs[name] = p.startMs;
      progress(`  ${name} ready in ${p.startMs.toFixed(0)} ms`);
      if (has('memory')) c.idleMiB[name] = (await peerIdleRss(p)) / MiB;
      if (has('chain')) {
        const r = await step(name, 'chain', chainMs + 60_000, () => peerChain(p!, { iterations, ms: chainMs }));
        if (r) {
          // A fixed per-execution cost far above the per-node cost makes the difference noise (even negative).
          if (r.perNodeMs > 0) c.perNode[name] = r.perNodeMs;
          else
            results.notes.push(
              `${name} per-node overhead not resolvable: 1-node chain p50 ${r.chain1P50Ms.toFixed(1)} ms vs 50-node p50 ${r.chain50P50Ms.toFixed(1)} ms (its fixed cost per execution dominates).`,
            );
          c.chain50[name] = r.chain50P50Ms;
        }
      }
      if (has('throughput') || has('memory')) {
        const r = await step(name, 'throughput', loadBound, () =>
          peerThroughput(p!, { seconds: o.seconds, connections: o.connections }),
        );
        if (r) {
          c.execPerS[name] = r.completedPerS;
          c.p50[name] = r.p50Ms;
          c.p99[name] = r.p99Ms;
          c.peakMiB[name] = r.peakRss / MiB;
          if (r.errors) results.notes.push(`${name} throughput: ${r.errors} requests failed or timed out.`);
        }
      }
      if (has('fanout')) {
        const r = await step(name, 'fan-out', fanoutBound + 30_000, () => peerFanOut(p!, fanoutBound));
        if (r) {
          if (r.finished) c.fanoutItemsPerS[name] = FANOUT_ITEMS / (r.ms / 1000);
          else results.notes.push(`${name} fan-out did not answer within its ${fanoutBound / 1000} s bound.`);
        }
      }
      if (has('editor') && name === 'n8n') {
        if (!fs.existsSync(CHROMIUM)) skip(name, `${CHROMIUM} is missing`, 'editor');
        else {
          const r = await step(name, 'editor', 300_000, () => n8nEditorScenario(p!, 240_000));
          if (r) {
            c.editor.n8n = r.openMs;
            if (r.fitMs !== undefined) c.editorFit.n8n = r.fitMs;
            results.notes.push(
              `n8n editor: owner account set up over its REST API (POST /rest/owner/setup), the same 1,000-node chain (No Operation nodes at the same positions, 999 connections) created with POST /rest/workflows, opened by clicking it in its workflow list after signing in; open = click → node n0 visible + 2 animation frames (as for Agentry; n0 was in the DOM after ${Math.round(r.mountedMs)} ms). ${r.nodes} of 1,000 nodes mounted on open (n8n's canvas does not cull to the view)${
                r.lastInViewOnOpen
                  ? '; n8n zooms to fit on open, so the last node was already in view and its open figure already covers what Agentry’s fit-all measures: no separate fit-all figure for n8n.'
                  : `; zoom to fit (its "zoom-to-fit" button) = click → node n999 entirely in the window + 2 frames, ${r.all} nodes mounted.`
              }`,
            );
          }
        }
      }
    } finally {
      await p.stop();
    }
  }

  // ------------------------------------------------------------------ results
  const limitOf = (value: number | undefined, what: string) =>
    value === undefined ? undefined : { value: round(value), what };
  const metric = (
    id: string,
    scenario: string,
    label: string,
    unit: string,
    better: 'lower' | 'higher',
    values: Values,
    limit?: { value: number; what: string },
  ): Metric | undefined => {
    const clean = Object.fromEntries(
      Object.entries(values)
        .filter(([, v]) => v !== undefined && Number.isFinite(v))
        .map(([k, v]) => [k, round(v!)]),
    ) as Values;
    if (Object.keys(clean).length === 0) return undefined;
    return { id, scenario, label, unit, better, values: clean, ...(limit ? { limit } : {}) };
  };
  results.metrics = [
    metric(
      'chain.perNodeMs',
      'chain',
      'Per-node overhead, 50-node chain',
      'ms',
      'lower',
      c.perNode,
      limitOf(grpcP50, 'one grpc-js loopback call, p50'),
    ),
    metric('chain.e2eMs', 'chain', '50-node chain end to end, p50 (client)', 'ms', 'lower', c.chain50),
    metric('chain.engineMs', 'chain', '50-node chain, requested → ended, p50 (engine)', 'ms', 'lower', c.chainEngine),
    metric(
      'throughput.execPerS',
      'throughput',
      `10-node graph over HTTP, ${o.connections} callers: executions completed`,
      'executions/s',
      'higher',
      c.execPerS,
      limitOf(httpRate, 'HTTP hello-world req/s'),
    ),
    metric('throughput.p50Ms', 'throughput', '10-node graph under load: latency p50', 'ms', 'lower', c.p50),
    metric('throughput.p99Ms', 'throughput', '10-node graph under load: latency p99', 'ms', 'lower', c.p99),
    metric(
      'fanout.itemsPerS',
      'fanout',
      `Fan-out: ${FANOUT_ITEMS.toLocaleString('en-US')} items × 3-node branch`,
      'items/s',
      'higher',
      c.fanoutItemsPerS,
    ),
    metric('memory.idleMiB', 'memory', 'RSS idle after start', 'MiB', 'lower', c.idleMiB),
    metric('memory.peakMiB', 'memory', 'RSS peak under the throughput load', 'MiB', 'lower', c.peakMiB),
    metric('start.ms', 'start', 'Cold start to ready', 'ms', 'lower', c.startMs),
    metric(
      'replay.eventsPerS',
      'replay',
      'Replay: execution history rebuilt',
      'events/s',
      'higher',
      c.replay,
      limitOf(readRate, 'SQLite read + JSON.parse'),
    ),
    metric(
      'list.pageMs',
      'list',
      'Execution history at 100k executions: one page of 50, p50',
      'ms',
      'lower',
      c.listFirst,
    ),
    metric(
      'list.filteredPageMs',
      'list',
      'Execution history at 100k: graph+status+trigger+range filter, page p50',
      'ms',
      'lower',
      c.listFiltered,
    ),
    metric(
      'list.worstP99Ms',
      'list',
      'Execution history at 100k: worst page p99 over the filters',
      'ms',
      'lower',
      c.listDeep,
    ),
    metric('editor.openMs', 'editor', 'Editor: open a 1,000-node graph (headless Chromium)', 'ms', 'lower', c.editor),
    metric('editor.fitAllMs', 'editor', 'Editor: fit all 1,000 nodes in view', 'ms', 'lower', c.editorFit),
    metric(
      'editor.liveMaxFrameGapMs',
      'editor',
      'Editor: longest frame gap while a run streams node executions live',
      'ms',
      'lower',
      c.editorLiveGap,
    ),
  ].filter((m): m is Metric => m !== undefined);
  results.durationS = (Date.now() - began) / 1000;
  results.notes.push(
    `1-minute load average ${loadAtStart.toFixed(1)} at the start and ${os.loadavg()[0].toFixed(1)} at the end on ${os.cpus().length} CPUs: other work shared the machine, so absolute figures are pessimistic; figures measured in the same run share that load.`,
  );
  results.versions['node (peers)'] = PINS.node24;
  const errs = validateResults(results);
  if (errs.length) throw new Error(`results do not validate: ${errs.join('; ')}`);
  const dir = path.join(BENCH, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${startedAt.replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(results, null, 1)}\n`);
  writeDocs(results, path.relative(REPO, file));
  process.stdout.write(`\n${textTable(results)}\n\n`);
  for (const s of results.skipped)
    process.stdout.write(`not measured: ${s.target}${s.scenario ? ` / ${s.scenario}` : ''}: ${s.reason}\n`);
  process.stdout.write(
    `\nresults: ${path.relative(process.cwd(), file)}; docs/benchmarks.md and docs/benchmarks.svg updated (${Math.round(results.durationS)} s)\n`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
