import { defineBlock, type BlockDefinition, type BlockRegistry } from '@agentry/block-sdk';
import { z } from 'zod';
import { engineBlocks } from '../../src/domain/blocks';

/** Small blocks for engine tests (the real library lives in libs/blocks; these pin engine behaviour only). */
export const B = {
  input: 't-input',
  output: 't-output',
  template: 't-template',
  emit: 't-emit',
  pair: 't-pair',
  echo: 't-echo',
  fail: 't-fail',
  errorPin: 't-error-pin',
  flaky: 't-flaky',
  slow: 't-slow',
  decrement: 't-decrement',
  usage: 't-usage',
  big: 't-big',
  many: 't-many',
  dict: 't-dict',
  send: 't-send',
  agent: 'e189baac-8c20-45a1-94a7-55177ea42565',
  review: engineBlocks[1].id,
} as const;

/** What blocks observed, for assertions (e.g. that an AbortSignal fired). */
export const observed = {
  aborted: [] as string[],
  attempts: [] as Array<{ nodeExecId: string; attempt: number; idempotencyKey: string }>,
};

const waitForAbort = (signal: AbortSignal, tag: string) =>
  new Promise<never>((_, reject) => {
    const onAbort = () => {
      observed.aborted.push(tag);
      reject(signal.reason);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });

const t = <I extends z.ZodObject, O extends z.ZodObject>(
  id: string,
  input: I,
  output: O,
  run: (
    input: z.output<I>,
    ctx: Parameters<BlockDefinition['run']>[1],
  ) => AsyncIterable<[keyof z.output<O> & string, unknown]>,
  extra: { kind?: BlockDefinition['kind']; staticOutput?: boolean; sideEffects?: boolean } = {},
) => defineBlock({ id, name: id, description: id, categories: ['BASIC'], input, output, run, testCases: [], ...extra });

export const testBlocks: BlockDefinition[] = [
  t(
    B.input,
    z.object({ name: z.string(), value: z.any().optional() }),
    z.object({ result: z.any() }),
    async function* (i) {
      if (i.value !== undefined && i.value !== null) yield ['result', i.value];
    },
    { kind: 'input', staticOutput: true },
  ),
  t(
    B.output,
    z.object({ name: z.string(), value: z.any().optional() }),
    z.object({ output: z.any(), name: z.any() }),
    async function* (i) {
      yield ['output', i.value];
      yield ['name', i.name];
    },
    { kind: 'output', staticOutput: true },
  ),
  t(
    B.template,
    z.object({ values: z.record(z.string(), z.any()).default({}), format: z.string() }),
    z.object({ output: z.string() }),
    async function* (i) {
      yield ['output', i.format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => String(i.values[k] ?? ''))];
    },
  ),
  t(B.emit, z.object({ items: z.array(z.any()) }), z.object({ item: z.any(), key: z.any() }), async function* (i) {
    for (const [k, v] of i.items.entries()) {
      yield ['item', v];
      yield ['key', k];
    }
  }),
  t(B.pair, z.object({ a: z.any(), b: z.any() }), z.object({ pair: z.array(z.any()) }), async function* (i) {
    yield ['pair', [i.a, i.b]];
  }),
  t(B.echo, z.object({ value: z.any() }), z.object({ out: z.any() }), async function* (i) {
    yield ['out', i.value];
  }),
  t(
    B.fail,
    z.object({ message: z.string().default('boom') }),
    z.object({ out: z.any(), error: z.string() }),
    async function* (i) {
      throw new Error(i.message);
    },
  ),
  t(
    B.errorPin,
    z.object({ message: z.string().default('bad input') }),
    z.object({ out: z.any(), error: z.string() }),
    async function* (i) {
      yield ['out', 'before'];
      yield ['error', i.message];
    },
  ),
  t(B.flaky, z.object({ failUntil: z.number() }), z.object({ out: z.any() }), async function* (i, ctx) {
    observed.attempts.push({ nodeExecId: ctx.nodeExecId, attempt: ctx.attempt, idempotencyKey: ctx.idempotencyKey });
    if (ctx.attempt <= i.failUntil) throw new Error(`flaky failure on attempt ${ctx.attempt}`);
    yield ['out', `ok on attempt ${ctx.attempt}`];
  }),
  t(B.slow, z.object({ tag: z.string().default('slow') }), z.object({ out: z.any() }), async function* (i, ctx) {
    await waitForAbort(ctx.signal, i.tag);
    yield ['out', 'never'];
  }),
  t(B.decrement, z.object({ n: z.number() }), z.object({ next: z.number(), done: z.number() }), async function* (i) {
    if (i.n > 0) yield ['next', i.n - 1];
    else yield ['done', i.n];
  }),
  t(
    B.usage,
    z.object({ tokens: z.number(), value: z.any().optional() }),
    z.object({ out: z.any() }),
    async function* (i, ctx) {
      ctx.reportUsage({ model: 'fake', inputTokens: i.tokens, outputTokens: 0, costUsd: 0 });
      yield ['out', i.value ?? 'done'];
    },
  ),
  t(B.big, z.object({ size: z.number() }), z.object({ out: z.string() }), async function* (i) {
    yield ['out', 'x'.repeat(i.size)];
  }),
  t(B.many, z.object({ count: z.number() }), z.object({ item: z.number() }), async function* (i) {
    for (let n = 0; n < i.count; n++) yield ['item', n];
  }),
  t(B.dict, z.object({ seed: z.any().optional() }), z.object({ obj: z.any(), list: z.any() }), async function* () {
    yield ['obj', { a: 'A', c: { x: 'X' } }];
    yield ['list', ['L0', 'L1']];
  }),
  t(
    B.send,
    z.object({ to: z.string().default('x') }),
    z.object({ sent: z.any() }),
    async function* () {
      throw new Error('smtp down');
    },
    { sideEffects: true },
  ),
  ...engineBlocks,
];

export function registry(blocks: BlockDefinition[] = testBlocks): BlockRegistry {
  const byId = new Map(blocks.map((b) => [b.id, b]));
  return { get: (id) => byId.get(id), list: () => [...byId.values()] };
}
