/** Exit codes of the CLI: scripts can tell a failed request from a mistyped command. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** RFC 9457 problem details as the gateway sends them (application/problem+json). */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code?: string;
  instance?: string;
  errors?: unknown;
}

/** An error the CLI reports to the user as one message, with an exit code and an optional hint. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.usage, hint);
    this.name = 'UsageError';
  }
}

/** The server answered with a problem+json (or at least an error status). */
export class ApiError extends CliError {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly problem: Problem,
  ) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`, EXIT.failure, hintFor(problem));
    this.name = 'ApiError';
  }
  get code(): string | undefined {
    return this.problem.code;
  }
  get status(): number {
    return this.problem.status;
  }
}

/** The route does not exist on this server: an older gateway, or a feature it does not offer yet. */
export class NotSupportedError extends CliError {
  constructor(
    readonly method: string,
    readonly path: string,
    serverUrl: string,
  ) {
    super(
      `the server at ${serverUrl} does not support this yet (${method} ${path} answered 404 NOT_FOUND: no such API route)`,
      EXIT.failure,
      'upgrade the server, or check `agentry --help` for what this version offers',
    );
    this.name = 'NotSupportedError';
  }
}

function hintFor(problem: Problem): string | undefined {
  switch (problem.code) {
    case 'UNAUTHENTICATED':
    case 'TOKEN_EXPIRED':
      return 'sign in again with `agentry login`';
    case 'PERMISSION_DENIED':
      return 'your role in this tenant (or the scopes of your API key) do not allow it; ask a tenant owner or admin';
    case 'RATE_LIMITED':
      return 'wait a moment and try again';
    default:
      return undefined;
  }
}

/** One or more lines for stderr: the message, the code, per-field problems, and a hint. */
export function describeError(err: unknown): string[] {
  if (err instanceof QuietExit) return [];
  if (err instanceof ApiError) {
    const lines = [`error: ${err.message}${err.code ? ` (${err.code})` : ''}`];
    lines.push(...fieldErrors(err.problem.errors).map((l) => `  ${l}`));
    if (err.hint) lines.push(`hint: ${err.hint}`);
    return lines;
  }
  if (err instanceof CliError) return [`error: ${err.message}`, ...(err.hint ? [`hint: ${err.hint}`] : [])];
  const message = err instanceof Error ? err.message : String(err);
  return [`error: ${message}`];
}

/** Flattens `errors: { [nodeId]: { [field]: message } }` (or any nesting) into `path: message` lines. */
export function fieldErrors(errors: unknown, prefix = ''): string[] {
  if (errors === null || errors === undefined) return [];
  if (typeof errors !== 'object') return [`${prefix || 'error'}: ${String(errors)}`];
  if (Array.isArray(errors)) return errors.flatMap((e, i) => fieldErrors(e, prefix ? `${prefix}[${i}]` : `[${i}]`));
  return Object.entries(errors as Record<string, unknown>).flatMap(([k, v]) =>
    fieldErrors(v, prefix ? `${prefix}.${k}` : k),
  );
}

export function exitCodeOf(err: unknown): number {
  return err instanceof CliError ? err.exitCode : EXIT.failure;
}

/** Ends the command with an exit code after it already told the user why (e.g. a FAILED execution). */
export class QuietExit extends CliError {
  constructor(exitCode: number) {
    super('', exitCode);
    this.name = 'QuietExit';
  }
}
