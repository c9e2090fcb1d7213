import type { GraphLink } from '@agentry/kernel';
import { evolve } from './decider';
import type { EventOf } from './events';
import type { PlanNode } from './plan';
import { initialState, type ExecutionState, type ExecutionStatus, type NodeExecState } from './state';

/**
 * Schema tag of `toSnapshotState`'s output. Bump it whenever ExecutionState (or what evolve derives from the
 * plan) changes shape: a reader ignores snapshots of another schema and replays the log instead (rule 14).
 */
export const SNAPSHOT_SCHEMA = 'execution-state/1';

/**
 * The JSON form of an ExecutionState. Maps are entry lists; the plan indexes (`nodes`, `linksFrom`, `linksTo`,
 * `errorLinked`) are not stored but derived again from `request.plan` exactly as evolve does on
 * ExecutionRequested. Every value goes through `encodeValue`, which keeps `undefined` (a JSON stream folds to
 * `inputs[name] = undefined` when an event's value was absent, and rule 3 tells a present key from a missing one).
 */
export interface ExecutionSnapshotState {
  fields: Record<string, unknown>;
}

/** How each field of ExecutionState is stored: adding a field fails to compile until it is listed here. */
const CODEC: Record<keyof ExecutionState, 'value' | 'map' | 'derived'> = {
  status: 'value',
  request: 'value',
  version: 'value',
  startedAt: 'value',
  endedAt: 'value',
  error: 'value',
  cancelReason: 'value',
  nodes: 'derived',
  linksFrom: 'derived',
  linksTo: 'derived',
  errorLinked: 'derived',
  nodeExecs: 'map',
  execCountByNode: 'map',
  incompleteByNode: 'map',
  staticInputs: 'map',
  outputs: 'value',
  usage: 'value',
  active: 'value',
  unhandledFailures: 'value',
};

const UNDEFINED = '$u';
const ESCAPED = '$o';

/**
 * JSON-safe copy of a JSON-like value that keeps `undefined` (as `{"$u":1}`) in arrays and object properties. An
 * object that itself has a `$u` or `$o` key is wrapped as `{"$o": …}`, so no value is mistaken for a marker.
 */
export function encodeValue(value: unknown): unknown {
  if (value === undefined) return { [UNDEFINED]: 1 };
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(encodeValue);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = encodeValue(v);
  return Object.prototype.hasOwnProperty.call(value, UNDEFINED) || Object.prototype.hasOwnProperty.call(value, ESCAPED)
    ? { [ESCAPED]: out }
    : out;
}

export function decodeValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(decodeValue);
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === UNDEFINED) return undefined;
  const fields = keys.length === 1 && keys[0] === ESCAPED ? (value as Record<string, unknown>)[ESCAPED] : value;
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw new Error('bad escaped object');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = decodeValue(v);
  return out;
}

/** The state as JSON (for a SnapshotStore). Reads maps through `entries()`, so overlay maps work too. */
export function toSnapshotState(state: ExecutionState): ExecutionSnapshotState {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(state)) {
    if (!Object.prototype.hasOwnProperty.call(CODEC, key)) throw new Error(`toSnapshotState: unknown field ${key}`);
  }
  // In CODEC's order, so that equal states give equal JSON whatever order their fields were set in.
  for (const key of Object.keys(CODEC) as Array<keyof ExecutionState>) {
    const codec = CODEC[key];
    if (codec === 'derived' || !Object.prototype.hasOwnProperty.call(state, key)) continue;
    const value = state[key];
    fields[key] =
      codec === 'map'
        ? [...(value as Map<string, unknown>).entries()].map(([k, v]) => [k, encodeValue(v)])
        : encodeValue(value);
  }
  return { fields };
}

const STATUSES = new Set<ExecutionStatus>(['NEW', 'RUNNING', 'COMPLETED', 'FAILED', 'TERMINATED']);

function fail(problem: string): never {
  throw new Error(`not an execution snapshot: ${problem}`);
}

function entries(value: unknown, field: string): Array<[string, unknown]> {
  if (!Array.isArray(value)) fail(`${field} is not an entry list`);
  return value.map((entry: unknown) => {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string') fail(`${field} has a bad entry`);
    return [entry[0], decodeValue(entry[1])];
  });
}

/**
 * Rebuilds the state `toSnapshotState` saved; throws on anything that does not have its shape (the caller then
 * replays the log). The plan indexes are derived from the request with evolve's own code.
 */
export function fromSnapshotState(json: unknown): ExecutionState {
  if (!json || typeof json !== 'object' || Array.isArray(json)) fail('not an object');
  const raw = (json as Partial<ExecutionSnapshotState>).fields;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail('no fields');
  for (const key of Object.keys(raw)) {
    if (!Object.prototype.hasOwnProperty.call(CODEC, key) || CODEC[key as keyof ExecutionState] === 'derived')
      fail(`unknown field ${key}`);
  }
  const value = (key: keyof ExecutionState) => decodeValue(raw[key]);
  const status = value('status') as ExecutionStatus;
  if (!STATUSES.has(status)) fail(`status ${String(status)}`);
  const version = value('version');
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) fail(`version ${String(version)}`);
  const request = value('request') as EventOf<'ExecutionRequested'>['data'] | undefined;
  if (
    !request ||
    typeof request !== 'object' ||
    !request.plan ||
    !Array.isArray(request.plan.nodes) ||
    !Array.isArray(request.plan.links)
  )
    fail('no request with a plan');
  const usage = value('usage') as ExecutionState['usage'];
  if (!usage || typeof usage !== 'object' || typeof usage.nodeRuns !== 'number') fail('no usage');
  const active = value('active');
  if (typeof active !== 'number') fail('no active count');
  const unhandled = value('unhandledFailures');
  if (!Array.isArray(unhandled) || unhandled.some((id) => typeof id !== 'string')) fail('bad unhandledFailures');
  const outputs = value('outputs');
  if (!outputs || typeof outputs !== 'object' || Array.isArray(outputs)) fail('bad outputs');

  // The plan indexes, derived like the fold derives them (ExecutionRequested); everything else is taken as saved.
  const planned = evolve(initialState(), { type: 'ExecutionRequested', data: request } as Parameters<typeof evolve>[1]);
  const nodeExecs = new Map(entries(raw.nodeExecs, 'nodeExecs') as Array<[string, NodeExecState]>);
  for (const [id, exec] of nodeExecs) {
    if (!exec || typeof exec !== 'object' || exec.id !== id || typeof exec.status !== 'string')
      fail(`bad node execution ${id}`);
  }
  const state: ExecutionState = {
    status,
    request,
    version,
    nodes: planned.nodes as Map<string, PlanNode>,
    linksFrom: planned.linksFrom as Map<string, GraphLink[]>,
    linksTo: planned.linksTo as Map<string, GraphLink[]>,
    errorLinked: planned.errorLinked,
    nodeExecs,
    execCountByNode: new Map(entries(raw.execCountByNode, 'execCountByNode') as Array<[string, number]>),
    incompleteByNode: new Map(entries(raw.incompleteByNode, 'incompleteByNode') as Array<[string, readonly string[]]>),
    staticInputs: new Map(entries(raw.staticInputs, 'staticInputs') as Array<[string, Record<string, unknown>]>),
    outputs: outputs as ExecutionState['outputs'],
    usage,
    active,
    unhandledFailures: unhandled as string[],
  };
  // Optional fields keep their presence: a key the saved state had (even undefined) is there, others are not.
  for (const key of ['startedAt', 'endedAt', 'error', 'cancelReason'] as const) {
    if (Object.prototype.hasOwnProperty.call(raw, key)) (state as unknown as Record<string, unknown>)[key] = value(key);
  }
  return state;
}
