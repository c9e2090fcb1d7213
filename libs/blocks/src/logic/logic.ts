import { deepEqual, defineBlock } from '@agentry/block-sdk';
import { z } from 'zod';
import { toNumber } from '../util';

const OPERATORS = ['==', '!=', '>', '<', '>=', '<='] as const;

/** AutoGPT strips strings and reads numeric ones as numbers before comparing. */
function normalise(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const n = toNumber(value);
  return n === undefined ? value.trim() : n;
}

function compare(a: unknown, b: unknown, operator: (typeof OPERATORS)[number]): boolean {
  if (operator === '==') return deepEqual(a, b);
  if (operator === '!=') return !deepEqual(a, b);
  const comparable =
    (typeof a === 'number' && typeof b === 'number') ||
    (typeof a === 'string' && typeof b === 'string') ||
    (typeof a === 'boolean' && typeof b === 'boolean');
  if (!comparable) throw new Error(`'${operator}' not supported between ${describe(a)} and ${describe(b)}`);
  const x = a as number | string;
  const y = b as number | string;
  return operator === '>' ? x > y : operator === '<' ? x < y : operator === '>=' ? x >= y : x <= y;
}

const describe = (v: unknown): string =>
  v === null || v === undefined ? 'null' : Array.isArray(v) ? 'list' : typeof v;

export const ConditionBlock = defineBlock({
  id: '715696a0-e1da-45c8-b209-c2fa9c3b0be6',
  name: 'ConditionBlock',
  description:
    'Compares value1 and value2 (numeric strings compare as numbers) and yields `result`, then `yes_output` (yes_value, default value1) or `no_output` (no_value, default value2).',
  categories: ['LOGIC'],
  input: z.object({
    value1: z.any().describe('Enter the first value for comparison'),
    operator: z.enum(OPERATORS).describe('Choose the comparison operator'),
    value2: z.any().describe('Enter the second value for comparison'),
    yes_value: z
      .any()
      .optional()
      .describe('(Optional) Value to output if the condition is true. If not provided, value1 will be used.'),
    no_value: z
      .any()
      .optional()
      .describe('(Optional) Value to output if the condition is false. If not provided, value2 will be used.'),
  }),
  output: z.object({
    result: z.boolean().describe('The result of the condition evaluation (True or False)'),
    yes_output: z.any().describe('The output value if the condition is true'),
    no_output: z.any().describe('The output value if the condition is false'),
  }),
  async *run(input) {
    const a = normalise(input.value1);
    const b = normalise(input.value2);
    let result: boolean;
    try {
      result = compare(a, b, input.operator);
    } catch (e) {
      yield ['error', (e as Error).message];
      return;
    }
    yield ['result', result];
    if (result) yield ['yes_output', input.yes_value ?? a];
    else yield ['no_output', input.no_value ?? b];
  },
  testCases: [
    {
      input: { value1: 10, operator: '>', value2: 5 },
      output: [
        ['result', true],
        ['yes_output', 10],
      ],
    },
    {
      input: { value1: 10, operator: '<=', value2: 5 },
      output: [
        ['result', false],
        ['no_output', 5],
      ],
    },
    {
      input: { value1: 'Hello', operator: '==', value2: 'Hello', yes_value: 'Greeting' },
      output: [
        ['result', true],
        ['yes_output', 'Greeting'],
      ],
    },
    {
      name: 'numeric strings compare as numbers',
      input: { value1: '10', operator: '>', value2: '9' },
      output: [
        ['result', true],
        ['yes_output', 10],
      ],
    },
    {
      input: { value1: 'abc', operator: '!=', value2: 'abc', no_value: 'same' },
      output: [
        ['result', false],
        ['no_output', 'same'],
      ],
    },
    {
      input: { value1: 'abc', operator: '>', value2: 3 },
      output: [['error', "'>' not supported between string and number"]],
    },
  ],
});

export const IfInputMatchesBlock = defineBlock({
  id: '6dbbc4b3-ca6c-42b6-b508-da52d23e13f2',
  name: 'IfInputMatchesBlock',
  description:
    'Checks whether `input` equals `value` (a number and its text form match) and yields `result`, then `yes_output` or `no_output` (defaulting to the input).',
  categories: ['LOGIC'],
  input: z.object({
    input: z.any().describe('The input to match against'),
    value: z.any().describe('The value to output if the input matches'),
    yes_value: z.any().optional().describe('The value to output if the input matches'),
    no_value: z.any().optional().describe('The value to output if the input does not match'),
  }),
  output: z.object({
    result: z.boolean().describe('The result of the condition evaluation (True or False)'),
    yes_output: z.any().describe('The output value if the condition is true'),
    no_output: z.any().describe('The output value if the condition is false'),
  }),
  async *run(input) {
    const matches = deepEqual(input.input, input.value) || deepEqual(normalise(input.input), normalise(input.value));
    yield ['result', matches];
    if (matches) yield ['yes_output', input.yes_value ?? input.input];
    else yield ['no_output', input.no_value ?? input.input];
  },
  testCases: [
    {
      input: { input: 10, value: 10, yes_value: 'Greater', no_value: 'Not greater' },
      output: [
        ['result', true],
        ['yes_output', 'Greater'],
      ],
    },
    {
      input: { input: 10, value: 20, yes_value: 'Greater', no_value: 'Not greater' },
      output: [
        ['result', false],
        ['no_output', 'Not greater'],
      ],
    },
    {
      input: { input: '10', value: 10, yes_value: 'Same' },
      output: [
        ['result', true],
        ['yes_output', 'Same'],
      ],
    },
    {
      input: { input: { a: [1] }, value: { a: [1] } },
      output: [
        ['result', true],
        ['yes_output', { a: [1] }],
      ],
    },
  ],
});

const OPERATIONS = ['Add', 'Subtract', 'Multiply', 'Divide', 'Power'] as const;
const numberLike = () => z.union([z.number(), z.string()]);

export const CalculatorBlock = defineBlock({
  id: 'b1ab9b19-67a6-406d-abf5-2dba76d00c79',
  name: 'CalculatorBlock',
  description:
    'Performs a mathematical operation (Add, Subtract, Multiply, Divide, Power) on two numbers; numeric text is accepted.',
  categories: ['LOGIC'],
  input: z.object({
    operation: z.enum(OPERATIONS).describe('Choose the math operation you want to perform'),
    a: numberLike().describe('Enter the first number (A)'),
    b: numberLike().describe('Enter the second number (B)'),
    round_result: z.boolean().default(false).describe('Do you want to round the result to a whole number?'),
  }),
  output: z.object({ result: z.number().describe('The result of your calculation') }),
  async *run(input) {
    const a = toNumber(input.a);
    const b = toNumber(input.b);
    if (a === undefined || b === undefined) {
      yield ['error', `Not a number: ${JSON.stringify(a === undefined ? input.a : input.b)}`];
      return;
    }
    // JSON carries no Infinity or NaN, so the cases where AutoGPT yields inf/nan are errors here.
    if (input.operation === 'Divide' && b === 0) {
      yield ['error', 'Cannot divide by zero'];
      return;
    }
    const raw = { Add: a + b, Subtract: a - b, Multiply: a * b, Divide: a / b, Power: a ** b }[input.operation];
    if (!Number.isFinite(raw)) {
      yield ['error', `The result is not a finite number (${raw})`];
      return;
    }
    yield ['result', input.round_result ? Math.round(raw) : raw];
  },
  testCases: [
    { input: { operation: 'Add', a: 10.0, b: 5.0 }, output: [['result', 15]] },
    { input: { operation: 'Divide', a: '7', b: 2, round_result: true }, output: [['result', 4]] },
    { input: { operation: 'Power', a: 2, b: 10 }, output: [['result', 1024]] },
    {
      input: { operation: 'Subtract', a: 0.3, b: 0.1 },
      output: [['result', (v: unknown) => Math.abs((v as number) - 0.2) < 1e-12]],
    },
    { input: { operation: 'Divide', a: 1, b: 0 }, output: [['error', 'Cannot divide by zero']] },
    { input: { operation: 'Add', a: 'x', b: 1 }, output: [['error', 'Not a number: "x"']] },
  ],
});

export const BooleanLogicBlock = defineBlock({
  id: '417e1b73-411a-4b04-8a24-554a31b3386f',
  name: 'BooleanLogicBlock',
  description:
    'Combines booleans with AND, OR, XOR, NAND, NOR or NOT (NOT uses only the first value); yields `result` then `true_output` or `false_output`.',
  categories: ['LOGIC'],
  input: z.object({
    values: z.array(z.boolean()).min(1).describe('The booleans to combine (feed with `values_$_0`, `values_$_1`…)'),
    operator: z.enum(['AND', 'OR', 'XOR', 'NAND', 'NOR', 'NOT']).default('AND'),
  }),
  output: z.object({ result: z.boolean(), true_output: z.boolean(), false_output: z.boolean() }),
  async *run(input) {
    const v = input.values;
    const and = v.every(Boolean);
    const or = v.some(Boolean);
    const result = { AND: and, OR: or, XOR: v.filter(Boolean).length % 2 === 1, NAND: !and, NOR: !or, NOT: !v[0] }[
      input.operator
    ];
    yield ['result', result];
    yield [result ? 'true_output' : 'false_output', result];
  },
  testCases: [
    {
      input: { values: [true, true, false], operator: 'AND' },
      output: [
        ['result', false],
        ['false_output', false],
      ],
    },
    {
      input: { values_$_0: false, values_$_1: true, operator: 'XOR' },
      output: [
        ['result', true],
        ['true_output', true],
      ],
    },
  ],
});
