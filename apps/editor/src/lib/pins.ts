/** Pin naming (dynamic pins `name_#_key`, `name_$_i`, `name_@_attr`) and per-pin schemas. Pure. */
import type { JsonSchema } from '../api/types';

export type DynamicKind = 'dict' | 'list' | 'attr';

export interface ParsedPin {
  base: string;
  kind?: DynamicKind;
  key?: string;
}

const SEPARATORS: Array<[string, DynamicKind]> = [
  ['_#_', 'dict'],
  ['_$_', 'list'],
  ['_@_', 'attr'],
];

export function parsePinName(name: string): ParsedPin {
  for (const [sep, kind] of SEPARATORS) {
    const at = name.indexOf(sep);
    if (at > 0) return { base: name.slice(0, at), kind, key: name.slice(at + sep.length) };
  }
  return { base: name };
}

export function dictPinName(base: string, key: string): string {
  return `${base}_#_${key}`;
}

/** A dict key must be non-empty and must not itself contain a dynamic separator. */
export function validateDictKey(key: string, existing: readonly string[]): string | null {
  const k = key.trim();
  if (!k) return 'Key is required';
  if (/_[#$@]_/.test(k)) return 'Key must not contain _#_, _$_ or _@_';
  if (existing.includes(k)) return `Key "${k}" already exists`;
  return null;
}

function itemSchema(schema: JsonSchema | undefined): JsonSchema | undefined {
  if (!schema) return undefined;
  if (Array.isArray(schema.items)) return undefined;
  return schema.items;
}

/** Schema of a (possibly dynamic) input pin; undefined means untyped (accepts anything). */
export function inputPinSchema(inputSchema: JsonSchema, name: string): JsonSchema | undefined {
  const props = inputSchema.properties ?? {};
  if (props[name]) return props[name];
  const parsed = parsePinName(name);
  const base = props[parsed.base];
  if (!parsed.kind || !base) return undefined;
  if (parsed.kind === 'dict')
    return typeof base.additionalProperties === 'object' ? base.additionalProperties : undefined;
  if (parsed.kind === 'list') return itemSchema(base);
  return base.properties?.[parsed.key ?? ''];
}

export function outputPinSchema(outputSchema: JsonSchema, name: string): JsonSchema | undefined {
  return outputSchema.properties?.[name];
}

export function isDictSchema(schema: JsonSchema | undefined): boolean {
  if (!schema) return false;
  const t = schema.type;
  return (t === 'object' || (Array.isArray(t) && t.includes('object'))) && !schema.properties;
}

/** Dict keys per dict input that the node's links already use, so loaded graphs show their dynamic handles. */
export function dynamicKeysFromPins(pinNames: Iterable<string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of pinNames) {
    const p = parsePinName(name);
    if (p.kind !== 'dict' || p.key === undefined) continue;
    const list = (out[p.base] ??= []);
    if (!list.includes(p.key)) list.push(p.key);
  }
  return out;
}
