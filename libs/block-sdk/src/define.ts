import { z } from 'zod';
import type {
  BlockCategory,
  BlockContext,
  BlockDefinition,
  BlockKind,
  BlockTestCase,
  CredentialsRequirement,
  JsonSchema,
} from './types';

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
  /** See BlockDefinition.missingInputs. */
  missingInputs?: BlockDefinition['missingInputs'];
  /** Yield [pin, value] pairs; `error` (or throwing) fails the node. */
  run(input: z.output<I>, ctx: BlockContext): AsyncIterable<[(keyof z.output<O> & string) | 'error', unknown]>;
  testCases: BlockTestCase[];
}

/** Kinds whose output is exactly what they declare (AutoGPT: plain BlockSchema, no automatic error pin). */
const KINDS_WITHOUT_ERROR_PIN: BlockKind[] = ['input', 'output', 'note', 'agent'];

/** Author a block with zod; the registry and the editor see plain JSON Schema. */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

/** Output pins are all optional (a block yields some of them), so the output schema has no `required`. */
function outputSchemaOf(output: z.ZodObject, kind: BlockKind): JsonSchema {
  const json = toJsonSchema(output, 'output');
  delete json.required;
  if (!KINDS_WITHOUT_ERROR_PIN.includes(kind) && !json.properties?.error) {
    json.properties = {
      ...json.properties,
      error: { type: 'string', description: 'Error message when the block fails' },
    };
  }
  return json;
}

export class BlockInputError extends Error {
  constructor(
    readonly blockName: string,
    readonly issues: string,
  ) {
    super(`Invalid input for ${blockName}: ${issues}`);
    this.name = 'BlockInputError';
  }
}

export function defineBlock<I extends z.ZodObject, O extends z.ZodObject>(spec: BlockSpec<I, O>): BlockDefinition {
  const kind = spec.kind ?? 'standard';
  return {
    id: spec.id,
    name: spec.name,
    description: spec.description,
    categories: spec.categories,
    kind,
    inputSchema: toJsonSchema(spec.input, 'input'),
    outputSchema: outputSchemaOf(spec.output, kind),
    staticOutput: spec.staticOutput,
    credentials: spec.credentials,
    sideEffects: spec.sideEffects,
    missingInputs: spec.missingInputs,
    // A generator so that invalid input surfaces while iterating, like any other failure of the block.
    run: async function* (input, ctx) {
      const parsed = spec.input.safeParse(input);
      if (!parsed.success) throw new BlockInputError(spec.name, z.prettifyError(parsed.error).replace(/\n\s*/g, '; '));
      yield* spec.run(parsed.data as z.output<I>, ctx);
    },
    testCases: spec.testCases,
  };
}
