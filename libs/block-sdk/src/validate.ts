import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { BlockDefinition, JsonSchema } from './types';

export type ValidationResult<T = Record<string, unknown>> =
  { ok: true; value: T } | { ok: false; errors: Record<string, string> };

/** Editor-only formats (AutoGPT's text widgets) that constrain nothing. */
const UI_FORMATS = ['short-text', 'long-text', 'file', 'markdown', 'code', 'json', 'password', 'textarea', 'color'];

function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, useDefaults: true, logger: false });
  addFormats(ajv);
  for (const f of UI_FORMATS) ajv.addFormat(f, true);
  return ajv;
}

const ajv = createAjv();
const cache = new WeakMap<JsonSchema, ValidateFunction>();

/** Compiles a schema once; keyed by the schema object, so a block's schema compiles once per process. */
export function compileSchema(schema: JsonSchema): ValidateFunction {
  let validate = cache.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    cache.set(schema, validate);
  }
  return validate;
}

/**
 * Validates an input (after dynamic pins are merged) against the block's input schema.
 * On success `value` is a copy with schema defaults filled in; on failure one message per top-level field
 * ('' for the object itself), each naming the field.
 */
export function validateBlockInput(block: Pick<BlockDefinition, 'inputSchema'>, input: unknown): ValidationResult {
  return validateAgainst(block.inputSchema, input);
}

export function validateAgainst(schema: JsonSchema, data: unknown): ValidationResult {
  const validate = compileSchema(schema);
  const value = structuredCloneLoose(data);
  if (validate(value)) return { ok: true, value: value as Record<string, unknown> };
  return { ok: false, errors: errorsByField(validate.errors ?? []) };
}

/** structuredClone that tolerates functions and class instances by falling back to the original value. */
function structuredCloneLoose(data: unknown): unknown {
  try {
    return structuredClone(data);
  } catch {
    return data;
  }
}

export function errorsByField(errors: ErrorObject[]): Record<string, string> {
  const out: Record<string, string> = {};
  const rank: Record<string, number> = {};
  for (const e of errors) {
    const segments = e.instancePath.split('/').slice(1).map(unescapePointer);
    const missing = e.keyword === 'required' ? String(e.params.missingProperty) : undefined;
    const field = segments[0] ?? missing ?? '';
    const path = [...segments, ...(missing && segments.length > 0 ? [missing] : [])].join('.') || field;
    // Prefer the summary of a union over the complaints of its branches, otherwise the first error.
    const r = e.keyword === 'anyOf' || e.keyword === 'oneOf' ? 2 : 1;
    if (out[field] !== undefined && r <= rank[field]) continue;
    rank[field] = r;
    out[field] = describe(e, path || '(input)');
  }
  return out;
}

function describe(e: ErrorObject, path: string): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${path} is required`;
    case 'type':
      return `${path} must be ${Array.isArray(p.type) ? p.type.join(' or ') : String(p.type)}`;
    case 'enum':
      return `${path} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${path} must be ${JSON.stringify(p.allowedValue)}`;
    case 'anyOf':
    case 'oneOf':
      return `${path} does not match any allowed type`;
    case 'additionalProperties':
      return `${path} has unknown property "${String(p.additionalProperty)}"`;
    default:
      return `${path} ${e.message ?? 'is invalid'}`;
  }
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}
