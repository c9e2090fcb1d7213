import { defineBlock, validateBlockInput, compileSchema } from '../src';
import { z } from 'zod';

const block = defineBlock({
  id: '6f7b0f53-5d0e-4c43-9a4b-6b1a5e0f4e8c',
  name: 'ValidationProbeBlock',
  description: 'test',
  categories: ['BASIC'],
  input: z.object({
    name: z.string(),
    count: z.int().default(1),
    mode: z.enum(['a', 'b']).default('a'),
    key: z.union([z.string(), z.int()]).optional(),
    values: z.record(z.string(), z.number()).default({}),
    text: z.string().meta({ format: 'short-text' }).optional(),
    when: z.iso.date().optional(),
  }),
  output: z.object({ out: z.any() }),
  async *run() {},
  testCases: [],
});

describe('validateBlockInput', () => {
  it('accepts valid input and fills schema defaults without touching the original', () => {
    const input = { name: 'x', text: 'short' };
    expect(validateBlockInput(block, input)).toEqual({
      ok: true,
      value: { name: 'x', text: 'short', count: 1, mode: 'a', values: {} },
    });
    expect(input).toEqual({ name: 'x', text: 'short' });
  });

  it('reports every invalid field by name at once', () => {
    const result = validateBlockInput(block, {
      count: 'many',
      mode: 'c',
      key: true,
      values: { a: 'x' },
      when: '2024-13-45',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual({
      name: 'name is required',
      count: 'count must be integer',
      mode: 'mode must be one of "a", "b"',
      key: 'key does not match any allowed type',
      values: 'values.a must be number',
      when: expect.stringContaining('when'),
    });
  });

  it('compiles a schema once', () => {
    expect(compileSchema(block.inputSchema)).toBe(compileSchema(block.inputSchema));
  });
});
