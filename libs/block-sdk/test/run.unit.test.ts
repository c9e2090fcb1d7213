import {
  BlockInputError,
  createTestContext,
  defineBlock,
  InMemoryKv,
  renderBlockDocs,
  runBlock,
  runBlockTestCase,
} from '../src';
import { z } from 'zod';

const echo = defineBlock({
  id: 'a0a0a0a0-1111-4222-8333-444444444444',
  name: 'EchoBlock',
  description: 'Echoes its values',
  categories: ['BASIC'],
  input: z.object({ values: z.record(z.string(), z.any()).default({}), times: z.int().min(1).default(1) }),
  output: z.object({ value: z.any() }),
  async *run(input) {
    for (let i = 0; i < input.times; i++) yield ['value', input.values];
  },
  testCases: [],
});

describe('runBlock', () => {
  it('merges dynamic pins and collects every yield in order', async () => {
    expect(await runBlock(echo, { 'values_#_a': 1, times: 2 })).toEqual([
      ['value', { a: 1 }],
      ['value', { a: 1 }],
    ]);
  });

  it('fails with a readable error on invalid input', async () => {
    await expect(runBlock(echo, { times: 0 })).rejects.toBeInstanceOf(BlockInputError);
    await expect(runBlock(echo, { times: 0 })).rejects.toThrow(/EchoBlock.*times/);
  });
});

describe('runBlockTestCase', () => {
  it('passes when yields match in order, with predicates', async () => {
    const result = await runBlockTestCase(echo, {
      input: { values: { a: 1 }, times: 2 },
      output: [
        ['value', { a: 1 }],
        ['value', (v: unknown) => (v as { a: number }).a === 1],
      ],
    });
    expect(result.pass).toBe(true);
    expect(result.expected).toEqual(result.actual);
  });

  it('fails on a refused predicate, a missing or an extra yield', async () => {
    expect((await runBlockTestCase(echo, { input: {}, output: [['value', () => false]] })).pass).toBe(false);
    expect((await runBlockTestCase(echo, { input: { times: 2 }, output: [['value', {}]] })).pass).toBe(false);
    expect(
      (
        await runBlockTestCase(echo, {
          input: {},
          output: [
            ['value', {}],
            ['value', {}],
          ],
        })
      ).pass,
    ).toBe(false);
  });

  it('reports a thrown error as a yield on the error pin', async () => {
    const result = await runBlockTestCase(echo, {
      input: { times: -1 },
      output: [['error', (e: unknown) => String(e).includes('times')]],
    });
    expect(result.pass).toBe(true);
  });
});

describe('createTestContext', () => {
  it('gives a working context with recording logger, progress and usage', () => {
    const ctx = createTestContext({ executionId: 'e1' });
    ctx.logger.info('hello', { a: 1 });
    ctx.emitProgress({ fraction: 0.5 });
    ctx.reportUsage({ inputTokens: 3 });
    expect(ctx.idempotencyKey).toBe('e1/test-node-exec/1');
    expect(ctx.signal.aborted).toBe(false);
    expect(ctx.recorded).toEqual({
      logs: [{ level: 'info', msg: 'hello', fields: { a: 1 } }],
      progress: [{ fraction: 0.5 }],
      usage: [{ inputTokens: 3 }],
    });
  });
});

describe('InMemoryKv', () => {
  it('separates scopes, copies values and expires entries', async () => {
    let now = 1000;
    const kv = new InMemoryKv(() => now);
    const value = { a: [1] };
    await kv.set('graph', 'k', value, 50);
    await kv.set('tenant', 'k', 'tenant');
    value.a.push(2);
    expect(await kv.get('graph', 'k')).toEqual({ a: [1] });
    expect(await kv.get('tenant', 'k')).toBe('tenant');
    now += 50;
    expect(await kv.get('graph', 'k')).toBeUndefined();
    await kv.delete('tenant', 'k');
    expect(await kv.get('tenant', 'k')).toBeUndefined();
  });
});

describe('defineBlock and renderBlockDocs', () => {
  it('adds the error pin to standard blocks and leaves output pins optional', () => {
    expect(echo.outputSchema.properties?.error).toEqual(expect.objectContaining({ type: 'string' }));
    expect(echo.outputSchema.required).toBeUndefined();
  });

  it('renders a markdown reference grouped by category', () => {
    const md = renderBlockDocs([echo]);
    expect(md).toContain('## Basic');
    expect(md).toContain('### EchoBlock');
    expect(md).toContain('`a0a0a0a0-1111-4222-8333-444444444444`');
    expect(md).toContain('| `times` | integer |  | `1` |  |');
    expect(md).toContain('| `error` | string | Error message when the block fails |');
  });
});
