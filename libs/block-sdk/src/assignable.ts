import type { JsonSchema } from './types';

export interface Assignability {
  ok: boolean;
  reason?: string;
}

type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';
const ALL_TYPES: JsonType[] = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];

/**
 * Conservative link check: can every value the source pin yields be accepted by the sink pin?
 * "Conservative" means it only refuses links that cannot work: an untyped (any/unknown) pin on either
 * side is accepted, integer flows into number, a nullable source may feed a non-nullable sink (a null
 * is a missing value, caught at run time by input validation), and object/array are compared by type only.
 */
export function isSchemaAssignable(source: JsonSchema, sink: JsonSchema): Assignability {
  const from = possibleTypes(source);
  const to = possibleTypes(sink);
  if (from === 'any' || to === 'any') return { ok: true };
  const candidates = from.size > 1 ? [...from].filter((t) => t !== 'null') : [...from];
  const refused = candidates.filter((t) => !accepts(to, t));
  if (refused.length === 0) return enumCheck(source, sink);
  return { ok: false, reason: `${describeTypes(from)} is not assignable to ${describeTypes(to)}` };
}

/** A source with a fixed set of values (dropdown) must stay inside the sink's enum, if the sink has one. */
function enumCheck(source: JsonSchema, sink: JsonSchema): Assignability {
  const sinkEnum = sink.enum ?? (sink.const !== undefined ? [sink.const] : undefined);
  const sourceEnum = source.enum ?? (source.const !== undefined ? [source.const] : undefined);
  if (!sinkEnum || !sourceEnum) return { ok: true };
  const outside = sourceEnum.filter((v) => !sinkEnum.some((s) => JSON.stringify(s) === JSON.stringify(v)));
  return outside.length === 0
    ? { ok: true }
    : { ok: false, reason: `values ${outside.map((v) => JSON.stringify(v)).join(', ')} are not accepted` };
}

function accepts(to: Set<JsonType>, t: JsonType): boolean {
  if (to.has(t)) return true;
  return t === 'integer' && to.has('number');
}

/** The JSON types a schema admits, or 'any' when it does not constrain the type. */
export function possibleTypes(schema: JsonSchema | boolean | undefined): Set<JsonType> | 'any' {
  if (schema === undefined || schema === true) return 'any';
  if (schema === false) return new Set();
  const branches = schema.anyOf ?? schema.oneOf;
  let fromBranches: Set<JsonType> | 'any' | undefined;
  if (branches) {
    fromBranches = new Set();
    for (const b of branches) {
      const t = possibleTypes(b);
      if (t === 'any') {
        fromBranches = 'any';
        break;
      }
      t.forEach((x) => (fromBranches as Set<JsonType>).add(x));
    }
  }
  let own: Set<JsonType> | 'any' = 'any';
  if (schema.type !== undefined) {
    own = new Set(
      (Array.isArray(schema.type) ? schema.type : [schema.type]).filter((t): t is JsonType =>
        ALL_TYPES.includes(t as JsonType),
      ),
    );
  } else if (schema.enum || schema.const !== undefined) {
    own = new Set((schema.enum ?? [schema.const]).map(typeOfValue));
  } else if (schema.properties) {
    own = new Set(['object']);
  } else if (schema.items) {
    own = new Set(['array']);
  }
  if (fromBranches === undefined) return own;
  if (own === 'any') return fromBranches;
  if (fromBranches === 'any') return own;
  return new Set(
    [...own].filter(
      (t) =>
        (fromBranches as Set<JsonType>).has(t) || (t === 'integer' && (fromBranches as Set<JsonType>).has('number')),
    ),
  );
}

function typeOfValue(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v as JsonType;
}

function describeTypes(t: Set<JsonType> | 'any'): string {
  return t === 'any' ? 'any' : t.size === 0 ? 'nothing' : [...t].join(' | ');
}
