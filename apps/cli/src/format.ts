import { UsageError } from './errors';

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  /** Longer cells are cut with an ellipsis. */
  max?: number;
}

/** A plain, aligned text table (no box drawing, so it pipes well into grep and cut). */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row), c.max)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

function cell(value: unknown, max = 60): string {
  const text =
    value === undefined || value === null || value === ''
      ? '-'
      : typeof value === 'string'
        ? value
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `key value` lines, keys aligned. */
export function details(pairs: ReadonlyArray<readonly [string, unknown]>): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${cell(v, 200)}`).join('\n');
}

/**
 * Graph inputs from the command line: `name=text` gives a string, `name:=json` a JSON value
 * (`count:=3`, `flags:='["a","b"]'`), as httpie does. Repeating a name is an error, not a silent overwrite.
 */
export function parseInputs(pairs: readonly string[]): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const pair of pairs) {
    const match = /^([^=:]+?)(:=|=)([\s\S]*)$/.exec(pair);
    if (!match || !match[1].trim()) throw new UsageError(`--input expects name=value or name:=json, got '${pair}'`);
    const [, rawName, op, raw] = match;
    const name = rawName.trim();
    if (name in inputs) throw new UsageError(`input '${name}' is given twice`);
    if (op === '=') inputs[name] = raw;
    else {
      try {
        inputs[name] = JSON.parse(raw);
      } catch {
        throw new UsageError(`input '${name}': '${raw}' is not valid JSON (use ${name}=… for plain text)`);
      }
    }
  }
  return inputs;
}

/** `key=value` settings for quotas and the like; values that look like numbers or booleans become them. */
export function parseSettings(pairs: readonly string[], flag: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new UsageError(`${flag} expects name=value, got '${pair}'`);
    const raw = pair.slice(i + 1);
    out[pair.slice(0, i).trim()] = /^-?\d+(\.\d+)?$/.test(raw)
      ? Number(raw)
      : raw === 'true'
        ? true
        : raw === 'false'
          ? false
          : raw;
  }
  return out;
}

export function parsePositiveInt(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive integer, got '${raw}'`);
  return n;
}

/** `1.2s`, `3m 04s`: how long an execution ran, from ISO timestamps. */
export function duration(startedAt?: string, endedAt?: string): string {
  if (!startedAt || !endedAt) return '';
  const ms = Date.parse(endedAt) - Date.parse(startedAt);
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m ${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

/** An output value for a terminal line: strings as they are, everything else as compact JSON. */
export function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `[#######-------] 3/7` */
export function bar(done: number, total: number, width = 20): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`;
}

/**
 * A readable form of a response whose shape the CLI does not fix (tenants, quotas, admin jobs):
 * `{ items: [...] }` or an array as a table of the first item's scalar fields, an object as aligned key lines.
 */
export function render(value: unknown): string {
  const items = Array.isArray(value)
    ? value
    : value && typeof value === 'object' && Array.isArray((value as { items?: unknown }).items)
      ? (value as { items: unknown[] }).items
      : undefined;
  if (items) {
    if (items.length === 0) return '(none)';
    if (items.every((i) => i && typeof i === 'object' && !Array.isArray(i))) {
      const keys = [...new Set(items.flatMap((i) => Object.keys(i as object)))].slice(0, 8);
      return table(
        items as Record<string, unknown>[],
        keys.map((k) => ({
          header: k.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase(),
          value: (row: Record<string, unknown>) => row[k],
          max: 40,
        })),
      );
    }
    return items.map((i) => show(i)).join('\n');
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length ? details(entries) : '(empty)';
  }
  return value === undefined ? '' : show(value);
}
