/** Form field descriptors derived once per block from its input JSON Schema, and value validation. Pure. */
import type { JsonSchema } from '../api/types';
import { schemaTypes } from './schemaCompat';

export type FieldKind = 'text' | 'textarea' | 'number' | 'integer' | 'boolean' | 'select' | 'json' | 'password';

export interface FieldDescriptor {
  name: string;
  label: string;
  description?: string;
  kind: FieldKind;
  required: boolean;
  advanced: boolean;
  options?: unknown[];
  defaultValue?: unknown;
  /** `object` or `array` for json fields, to check the parsed value's shape. */
  jsonShape?: 'object' | 'array' | 'any';
  schema: JsonSchema;
}

export function humanize(name: string): string {
  const spaced = name
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

export function fieldKind(schema: JsonSchema): { kind: FieldKind; jsonShape?: FieldDescriptor['jsonShape'] } {
  if (schema.secret || schema.format === 'password') return { kind: 'password' };
  if (schema.enum && schema.enum.length) return { kind: 'select' };
  const types = [...schemaTypes(schema)].filter((t) => t !== 'null');
  const t = types.length === 1 ? types[0] : 'any';
  switch (t) {
    case 'string':
      return {
        kind:
          schema.format === 'long-text' || schema.format === 'textarea' || (schema.maxLength ?? 0) > 200
            ? 'textarea'
            : 'text',
      };
    case 'number':
      return { kind: 'number' };
    case 'integer':
      return { kind: 'integer' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'object':
      return { kind: 'json', jsonShape: 'object' };
    case 'array':
      return { kind: 'json', jsonShape: 'array' };
    default:
      return { kind: 'json', jsonShape: 'any' };
  }
}

export function fieldsFromSchema(inputSchema: JsonSchema, skip: ReadonlySet<string> = new Set()): FieldDescriptor[] {
  const required = new Set(inputSchema.required ?? []);
  return Object.entries(inputSchema.properties ?? {})
    .filter(([name]) => !skip.has(name))
    .map(([name, schema]) => {
      const { kind, jsonShape } = fieldKind(schema);
      return {
        name,
        label: schema.title ?? humanize(name),
        description: schema.description,
        kind,
        jsonShape,
        required: required.has(name),
        advanced: Boolean(schema.advanced),
        options: schema.enum,
        defaultValue: schema.default,
        schema,
      };
    });
}

/**
 * How a field's value is held while editing: json fields keep their raw text so that a half-typed
 * document is not lost; everything else keeps its typed value.
 */
export function parseFieldInput(field: FieldDescriptor, raw: string | boolean): { value: unknown; error?: string } {
  if (field.kind === 'boolean') return { value: Boolean(raw) };
  const text = String(raw);
  if (text === '' && field.kind !== 'text' && field.kind !== 'textarea' && field.kind !== 'password')
    return { value: undefined };
  switch (field.kind) {
    case 'number':
    case 'integer': {
      const n = Number(text);
      if (!Number.isFinite(n)) return { value: text, error: 'Must be a number' };
      if (field.kind === 'integer' && !Number.isInteger(n)) return { value: n, error: 'Must be a whole number' };
      return { value: n };
    }
    case 'select': {
      const match = field.options?.find((o) => String(o) === text);
      return { value: match === undefined ? text : match };
    }
    case 'json': {
      try {
        return { value: JSON.parse(text) };
      } catch {
        // Untyped inputs take plain text as a string; typed object/list inputs need JSON.
        return field.jsonShape === 'any' ? { value: text } : { value: text, error: 'Invalid JSON' };
      }
    }
    default:
      return { value: text };
  }
}

/** Validation message for a stored value, or null. `linked` inputs are satisfied by their link. */
export function validateField(field: FieldDescriptor, value: unknown, linked: boolean): string | null {
  if (linked) return null;
  const missing = value === undefined || value === null || value === '';
  // An unticked checkbox is a value (false), never a missing one.
  if (missing)
    return field.required && field.defaultValue === undefined && field.kind !== 'boolean' ? 'Required' : null;
  const s = field.schema;
  switch (field.kind) {
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'Must be a number';
      if (field.kind === 'integer' && !Number.isInteger(value)) return 'Must be a whole number';
      if (s.minimum !== undefined && value < s.minimum) return `Must be ≥ ${s.minimum}`;
      if (s.maximum !== undefined && value > s.maximum) return `Must be ≤ ${s.maximum}`;
      return null;
    }
    case 'text':
    case 'textarea':
    case 'password': {
      if (typeof value !== 'string') return 'Must be text';
      if (s.minLength !== undefined && value.length < s.minLength) return `At least ${s.minLength} characters`;
      if (s.maxLength !== undefined && value.length > s.maxLength) return `At most ${s.maxLength} characters`;
      return null;
    }
    case 'select':
      return field.options?.some((o) => o === value) ? null : 'Choose one of the listed values';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'Must be true or false';
    case 'json': {
      if (field.jsonShape === 'object' && (typeof value !== 'object' || Array.isArray(value)))
        return 'Must be a JSON object';
      if (field.jsonShape === 'array' && !Array.isArray(value)) return 'Must be a JSON list';
      return null;
    }
    default: {
      const never: never = field.kind;
      return never;
    }
  }
}

/** Text shown in a control for a stored value. */
export function displayValue(field: FieldDescriptor, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (field.kind === 'json') return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return String(value);
}
