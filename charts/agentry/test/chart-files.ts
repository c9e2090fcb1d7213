// Paths and loaders for the chart under test, shared by the chart tests.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

export const chartDir = join(__dirname, '..');
export const templatesDir = join(chartDir, 'templates');
export const ciDir = join(chartDir, 'ci');

export const SERVICES = [
  'graph',
  'execution',
  'block-runner',
  'integration',
  'store',
  'scheduler',
  'notification',
  'gateway',
] as const;

export type Values = Record<string, any>;

export function readYaml(file: string): any {
  return parse(readFileSync(file, 'utf8'));
}

export function defaultValues(): Values {
  return readYaml(join(chartDir, 'values.yaml'));
}

export function ciValueFiles(): string[] {
  return readdirSync(ciDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(ciDir, f));
}

export function valuesSchema(): Record<string, any> {
  return JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8'));
}

/** A validator for values.schema.json (draft-07, as the schema declares). */
export function compileValuesSchema(): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
  return ajv.compile(valuesSchema());
}

/** Helm's coalescing of a user value file over the chart defaults: maps merge, everything else replaces. */
export function coalesce(base: Values, override: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(override ?? {})) {
    const current = out[key];
    out[key] = isMap(current) && isMap(value) ? coalesce(current, value) : value;
  }
  return out;
}

function isMap(v: unknown): v is Values {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
