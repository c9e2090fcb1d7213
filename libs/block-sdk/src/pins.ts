import type { JsonSchema } from './types';

/**
 * Dynamic pins address part of a structured pin (AutoGPT's format):
 * `name_#_key` a dict entry, `name_$_3` a list index, `name_@_attr` an object attribute.
 */
export type DynamicPinKind = 'dict' | 'list' | 'object';
export type PinKind = 'plain' | DynamicPinKind;

export const PIN_DELIMITERS: Record<DynamicPinKind, string> = { dict: '_#_', list: '_$_', object: '_@_' };

export interface SplitPin {
  /** The block's own pin (`values` for `values_#_topic`). */
  base: string;
  kind: PinKind;
  /** Dict key, list index (as text) or attribute name; undefined for a plain pin. */
  key?: string;
}

/** Splits at the first delimiter; whatever follows (even another delimiter) is the key. */
export function splitPinName(pin: string): SplitPin {
  let first: { kind: DynamicPinKind; at: number } | undefined;
  for (const kind of Object.keys(PIN_DELIMITERS) as DynamicPinKind[]) {
    const at = pin.indexOf(PIN_DELIMITERS[kind]);
    if (at > 0 && (first === undefined || at < first.at)) first = { kind, at };
  }
  if (!first) return { base: pin, kind: 'plain' };
  return {
    base: pin.slice(0, first.at),
    kind: first.kind,
    key: pin.slice(first.at + PIN_DELIMITERS[first.kind].length),
  };
}

export function isDynamicPin(pin: string): boolean {
  return splitPinName(pin).kind !== 'plain';
}

export function joinPinName(base: string, kind: PinKind, key?: string | number): string {
  return kind === 'plain' ? base : `${base}${PIN_DELIMITERS[kind]}${key}`;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Folds dynamic pins into their containers: `values_#_a: 1` + `values: {b: 2}` → `values: {a: 1, b: 2}`.
 * Lists are padded with "" up to the index, as AutoGPT does. The dynamic keys are removed and the input is not mutated.
 * Throws on a list pin whose index is not a non-negative integer.
 */
export function mergeDynamicPins(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const dynamic: Array<[SplitPin, unknown]> = [];
  for (const [name, value] of Object.entries(input)) {
    const split = splitPinName(name);
    if (split.kind === 'plain') out[name] = value;
    else dynamic.push([split, value]);
  }
  // Same order as AutoGPT: lists, then dicts, then objects.
  for (const kind of ['list', 'dict', 'object'] as const) {
    for (const [{ base, key }, value] of dynamic.filter(([s]) => s.kind === kind)) {
      if (kind === 'list') {
        if (!/^\d+$/.test(key!))
          throw new Error(
            `Invalid pin "${base}${PIN_DELIMITERS.list}${key}": list index must be a non-negative integer`,
          );
        const list = Array.isArray(out[base]) ? [...(out[base] as unknown[])] : [];
        const index = Number(key);
        while (list.length <= index) list.push('');
        list[index] = value;
        out[base] = list;
      } else {
        const container = isPlainObject(out[base]) ? { ...(out[base] as Record<string, unknown>) } : {};
        container[key!] = value;
        out[base] = container;
      }
    }
  }
  return out;
}

export interface ResolvedPin extends SplitPin {
  /** Schema of the value that travels on this pin (the element schema for a dynamic pin). */
  schema: JsonSchema;
}

/**
 * Resolves a pin name (plain or dynamic) against a block's input or output schema, for the graph validator:
 * `values_#_topic` is valid when the block has pin `values`. Returns undefined for an unknown pin.
 */
export function resolvePin(blockSchema: JsonSchema, pin: string): ResolvedPin | undefined {
  const props = blockSchema.properties ?? {};
  if (Object.prototype.hasOwnProperty.call(props, pin)) return { base: pin, kind: 'plain', schema: props[pin] };
  const split = splitPinName(pin);
  if (split.kind === 'plain' || !Object.prototype.hasOwnProperty.call(props, split.base)) return undefined;
  const container = props[split.base];
  if (split.kind === 'list') {
    if (!/^\d+$/.test(split.key!)) return undefined;
    return { ...split, schema: elementSchema(container, 'list', split.key!) ?? {} };
  }
  return { ...split, schema: elementSchema(container, split.kind, split.key!) ?? {} };
}

/** Element schema of a container schema for a key, looking through anyOf/oneOf branches. Undefined = unconstrained. */
function elementSchema(container: JsonSchema, kind: DynamicPinKind, key: string): JsonSchema | undefined {
  const branches = container.anyOf ?? container.oneOf;
  if (branches) {
    for (const b of branches) {
      const found = elementSchema(b, kind, key);
      if (found) return found;
    }
    return undefined;
  }
  if (kind === 'list') return container.items;
  if (container.properties && key in container.properties) return container.properties[key];
  return typeof container.additionalProperties === 'object' ? container.additionalProperties : undefined;
}

/** Parses `name_#_key` style names of a sink pin; alias kept for the graph validator's vocabulary. */
export const parseDynamicPin = splitPinName;

/**
 * Source side: a link from `result_#_status` takes `status` out of what the block yields on `result`
 * (AutoGPT's parse_execution_output). Returns `{ matched: false }` when the yield is not for this link.
 */
export function pickFromOutput(
  linkSourcePin: string,
  yieldedPin: string,
  value: unknown,
): { matched: boolean; value?: unknown } {
  if (linkSourcePin === yieldedPin) return { matched: true, value };
  const { base, kind, key } = splitPinName(linkSourcePin);
  if (kind === 'plain' || base !== yieldedPin) return { matched: false };
  if (kind === 'list') {
    if (!Array.isArray(value) || !/^\d+$/.test(key!)) return { matched: false };
    const index = Number(key);
    return index < value.length ? { matched: true, value: value[index] } : { matched: false };
  }
  if (!isPlainObject(value) || !Object.prototype.hasOwnProperty.call(value, key!)) return { matched: false };
  return { matched: true, value: value[key!] };
}
