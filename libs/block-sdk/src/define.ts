import { z } from 'zod';
import type { BlockCategory, BlockContext, BlockDefinition, BlockKind, BlockTestCase, CredentialsRequirement, JsonSchema } from './types';

export interface BlockSpec<I extends z.ZodObject, O extends z.ZodObject> {
  id: string;
  name: string;
  description: string;
  categories: BlockCategory[];
  kind?: BlockKind;
  input: I;
  output: O;
  staticOutput?: boolean;
  credentials?: CredentialsRequirement;
  sideEffects?: boolean;
  /** Yield [pin, value] pairs; `error` (or throwing) fails the node. */
  run(input: z.output<I>, ctx: BlockContext): AsyncIterable<[keyof z.output<O> & string, unknown]>;
  testCases: BlockTestCase[];
}

/** Author a block with zod; the registry and the editor see plain JSON Schema. */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

export function defineBlock<I extends z.ZodObject, O extends z.ZodObject>(spec: BlockSpec<I, O>): BlockDefinition {
  return {
    id: spec.id,
    name: spec.name,
    description: spec.description,
    categories: spec.categories,
    kind: spec.kind ?? 'standard',
    inputSchema: toJsonSchema(spec.input, 'input'),
    outputSchema: toJsonSchema(spec.output, 'output'),
    staticOutput: spec.staticOutput,
    credentials: spec.credentials,
    sideEffects: spec.sideEffects,
    run: (input, ctx) => spec.run(spec.input.parse(input) as z.output<I>, ctx),
    testCases: spec.testCases,
  };
}
