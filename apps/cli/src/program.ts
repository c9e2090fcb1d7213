import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { Session, type CliDeps, type GlobalOptions } from './context';
import { describeError, EXIT, exitCodeOf } from './errors';
import { registerAdmin } from './commands/admin';
import { registerApiKeys } from './commands/api-keys';
import { registerAuth } from './commands/auth';
import { registerExecutions } from './commands/executions';
import { registerGraphs } from './commands/graphs';
import { registerTenants } from './commands/tenants';

/**
 * Wraps a command handler: builds the Session from the global options and hands over what commander
 * parsed (positional arguments, then the command's options). `never[]` lets each handler type its own.
 */
export type Act = (
  handler: (session: Session, ...args: never[]) => Promise<void>,
) => (...args: unknown[]) => Promise<void>;

export function buildProgram(deps: CliDeps): Command {
  const program = new Command('agentry');
  // Set before any subcommand is added: commander copies these settings into each one.
  program
    .exitOverride()
    .configureOutput({
      writeOut: (s) => deps.io.stdout(s),
      writeErr: (s) => deps.io.stderr(s),
      outputError: (s, write) => write(s),
    })
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .description('Agentry from the command line: sign in, manage graphs, run and watch executions, administer tenants.')
    .version(version(), '-V, --version')
    .option('--json', 'print machine-readable JSON on stdout (for scripts)')
    .option(
      '--url <url>',
      'server URL (default: the one saved by `agentry login`, AGENTRY_URL, or http://localhost:8080)',
    )
    .option('--api-key <key>', 'authenticate with an API key instead of the saved token (or AGENTRY_API_KEY)')
    .addHelpText(
      'after',
      `
Environment:
  AGENTRY_CONFIG   config file (default ~/.config/agentry/config.json, mode 0600)
  AGENTRY_URL      server URL        AGENTRY_API_KEY   API key (sent as X-API-Key)
  AGENTRY_TOKEN    bearer token      AGENTRY_EMAIL / AGENTRY_PASSWORD   for \`agentry login\`

Exit codes: 0 ok, 1 failure (the server refused, a run failed), 2 usage (unknown command, bad option).

Examples:
  agentry login --url http://localhost:8080 --email admin@agentry.local
  agentry graphs import greeting.json
  agentry graphs run <graph-id> --input topic=world --watch
  agentry executions list --status FAILED --json`,
    );

  const act: Act =
    (handler) =>
    async (...args) => {
      const command = args[args.length - 1] as Command;
      const session = new Session(deps, command.optsWithGlobals<GlobalOptions>());
      await handler(session, ...(args.slice(0, -1) as never[]));
    };

  registerAuth(program, act, deps);
  registerGraphs(program, act);
  registerExecutions(program, act);
  registerTenants(program, act);
  registerApiKeys(program, act);
  registerAdmin(program, act);
  return program;
}

/** Runs the CLI on arguments (without `node` and the script) and returns the exit code. */
export async function run(argv: readonly string[], deps: CliDeps): Promise<number> {
  const program = buildProgram(deps);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has already printed the message (or the help that was asked for).
      return ['commander.helpDisplayed', 'commander.version'].includes(err.code) ? EXIT.ok : EXIT.usage;
    }
    for (const line of describeError(err)) deps.io.stderr(`${line}\n`);
    return exitCodeOf(err);
  }
}

function version(): string {
  try {
    return (require('../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** Option argument parsers shared by the commands; they fail as usage errors (exit 2). */
export function positiveInt(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function upperChoice(choices: readonly string[]) {
  return (raw: string): string => {
    const v = raw.toUpperCase();
    if (!choices.includes(v)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}`);
    return v;
  };
}

export function choice(choices: readonly string[]) {
  return (raw: string): string => {
    if (!choices.includes(raw)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}`);
    return raw;
  };
}
