/**
 * Pin type compatibility, mirroring the server's rule that a link's source pin schema must be
 * assignable to its sink pin schema. Pure: no React, no I/O.
 */
import type { JsonSchema } from '../api/types';

export type PinType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null' | 'any';

export type Compatibility = { ok: true } | { ok: false; reason: string };

const KNOWN: ReadonlySet<string> = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

function typeOfValue(v: unknown): PinType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'object') return typeof v as PinType;
  return 'any';
}

/** The set of JSON types a schema admits; `any` when the schema is missing or does not constrain its type. */
export function schemaTypes(schema: JsonSchema | undefined | null): Set<PinType> {
  if (!schema || typeof schema !== 'object') return new Set(['any']);
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((t) => KNOWN.has(t)) as PinType[];
    return new Set(types.length ? types : ['any']);
  }
  if (typeof schema.type === 'string') return new Set([KNOWN.has(schema.type) ? (schema.type as PinType) : 'any']);
  const union = schema.anyOf ?? schema.oneOf;
  if (union && union.length) {
    const out = new Set<PinType>();
    for (const s of union) for (const t of schemaTypes(s)) out.add(t);
    return out;
  }
  if (schema.allOf && schema.allOf.length === 1) return schemaTypes(schema.allOf[0]);
  if (schema.const !== undefined) return new Set([typeOfValue(schema.const)]);
  if (schema.enum && schema.enum.length) return new Set(schema.enum.map(typeOfValue));
  if (schema.properties) return new Set(['object']);
  if (schema.items) return new Set(['array']);
  return new Set(['any']);
}

/** One display type per pin: the single non-null type, or `any` for unions and untyped pins. */
export function pinType(schema: JsonSchema | undefined | null): PinType {
  const types = [...schemaTypes(schema)].filter((t) => t !== 'null');
  if (types.length === 1) return types[0];
  if (types.length === 2 && types.includes('integer') && types.includes('number')) return 'number';
  return 'any';
}

export const PIN_COLORS: Record<PinType, string> = {
  string: '#16a34a',
  number: '#2563eb',
  integer: '#0891b2',
  boolean: '#ca8a04',
  object: '#9333ea',
  array: '#ea580c',
  null: '#64748b',
  any: '#64748b',
};

function typeAccepted(source: PinType, sinkTypes: Set<PinType>): boolean {
  if (sinkTypes.has(source)) return true;
  // Every integer is a number; the converse does not hold.
  return source === 'integer' && sinkTypes.has('number');
}

function describe(types: Set<PinType>): string {
  return [...types].join(' | ');
}

/** Is a value produced by `source` always acceptable to `sink`? Untyped on either side is accepted. */
export function checkCompatibility(
  source: JsonSchema | undefined | null,
  sink: JsonSchema | undefined | null,
): Compatibility {
  const sourceTypes = schemaTypes(source);
  const sinkTypes = schemaTypes(sink);
  if (sinkTypes.has('any') || sourceTypes.has('any')) return { ok: true };

  const rejected = [...sourceTypes].filter((t) => !typeAccepted(t, sinkTypes));
  if (rejected.length) {
    return { ok: false, reason: `${describe(sourceTypes)} output cannot feed a ${describe(sinkTypes)} input` };
  }

  if (sink?.enum && source?.enum) {
    const allowed = new Set(sink.enum.map((v) => JSON.stringify(v)));
    const extra = source.enum.filter((v) => !allowed.has(JSON.stringify(v)));
    if (extra.length)
      return {
        ok: false,
        reason: `values ${extra.map((v) => JSON.stringify(v)).join(', ')} are not allowed by the input`,
      };
  }

  if (sourceTypes.size === 1 && sourceTypes.has('array') && sinkTypes.has('array')) {
    const srcItems = Array.isArray(source?.items) ? undefined : source?.items;
    const sinkItems = Array.isArray(sink?.items) ? undefined : sink?.items;
    if (srcItems && sinkItems) {
      const inner = checkCompatibility(srcItems, sinkItems);
      if (!inner.ok) return { ok: false, reason: `list items: ${inner.reason}` };
    }
  }
  return { ok: true };
}
