import { validateAgainst, type JsonSchema } from '@agentry/block-sdk';
import type { ExecutionRules } from '../domain/execution/decider';

/**
 * Input validation for the decider with the block-sdk's JSON Schema validator. Schemas arrive in events
 * (a new object per rebuild), so they are canonicalised by content to compile each distinct schema once.
 */
export function schemaValidator(): ExecutionRules['validateInput'] {
  const canonicalByText = new Map<string, JsonSchema>();
  const canonicalByObject = new WeakMap<object, JsonSchema>();
  return (schema, input) => {
    let canonical = canonicalByObject.get(schema);
    if (!canonical) {
      const text = JSON.stringify(schema);
      canonical = canonicalByText.get(text) ?? (schema as JsonSchema);
      canonicalByText.set(text, canonical);
      canonicalByObject.set(schema, canonical);
    }
    const result = validateAgainst(canonical, input);
    return result.ok
      ? undefined
      : Object.entries(result.errors)
          .map(([field, message]) => (field ? `${field}: ${message}` : message))
          .join('; ');
  };
}
