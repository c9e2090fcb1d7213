import { DomainError, type EventEnvelope } from '@agentry/kernel';
import { evolve } from './decider';
import { EXECUTION_EVENT_TYPES, type ExecutionEvent } from './events';
import { initialState, type ExecutionState } from './state';

const KNOWN = new Set<string>(EXECUTION_EVENT_TYPES);

function corrupt(
  streamId: string,
  envelope: Partial<EventEnvelope> | undefined,
  position: number,
  problem: string,
  cause?: unknown,
): DomainError {
  const global = envelope?.globalPosition !== undefined ? `, global position ${envelope.globalPosition}` : '';
  return new DomainError(
    'CORRUPT_EVENT',
    `cannot rebuild ${streamId}: corrupt event at stream version ${position}${global}: ${problem}`,
    { streamId, streamVersion: position, globalPosition: envelope?.globalPosition, problem },
    { cause },
  );
}

/**
 * Rule 14: state = fold of the stream. Checks each envelope on the way (contiguous versions, known type,
 * object payload) and names the first bad position instead of folding garbage.
 */
export function rebuild(streamId: string, envelopes: readonly EventEnvelope[]): ExecutionState {
  return rebuildFrom(streamId, initialState(), envelopes);
}

/**
 * Continues a fold: `state` holds the first `state.version` events of the stream (a snapshot, or initialState()
 * for a full rebuild) and `envelopes` must be the events right after them, from version `state.version + 1`.
 * The same checks as `rebuild` apply to every envelope. Evolves `state` in place and returns it.
 */
export function rebuildFrom(
  streamId: string,
  state: ExecutionState,
  envelopes: readonly EventEnvelope[],
): ExecutionState {
  const from = state.version;
  for (let i = 0; i < envelopes.length; i++) {
    const position = from + i + 1;
    const env = envelopes[i] as Partial<EventEnvelope> | undefined;
    if (!env || typeof env !== 'object') throw corrupt(streamId, undefined, position, 'not an event envelope');
    if (env.streamVersion !== position)
      throw corrupt(streamId, env, position, `expected stream version ${position}, found ${String(env.streamVersion)}`);
    if (typeof env.type !== 'string' || !KNOWN.has(env.type))
      throw corrupt(streamId, env, position, `unknown event type ${JSON.stringify(env.type)}`);
    if (!env.data || typeof env.data !== 'object' || Array.isArray(env.data))
      throw corrupt(streamId, env, position, `${env.type} has no data object`);
    if (position === 1 && env.type !== 'ExecutionRequested')
      throw corrupt(streamId, env, position, `stream starts with ${env.type}, not ExecutionRequested`);
    if (position > 1 && env.type === 'ExecutionRequested')
      throw corrupt(streamId, env, position, 'ExecutionRequested in the middle of the stream');
    try {
      state = evolve(state, { type: env.type, data: env.data } as ExecutionEvent);
    } catch (err) {
      throw corrupt(streamId, env, position, `${env.type} does not apply: ${(err as Error).message}`, err);
    }
  }
  return state;
}
