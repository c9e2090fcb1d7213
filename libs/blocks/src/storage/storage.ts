import { defineBlock, type BlockContext } from '@agentry/block-sdk';
import { z } from 'zod';

/** AutoGPT's StorageScope: within_agent = this graph, across_agents = every graph of the tenant. */
const SCOPES = ['within_agent', 'across_agents'] as const;
type StorageScope = (typeof SCOPES)[number];
const kvScope = (scope: StorageScope): 'graph' | 'tenant' => (scope === 'within_agent' ? 'graph' : 'tenant');
/** Prefix so agent-visible keys never collide with keys other blocks keep in the same store. */
const storageKey = (key: string): string => `agent-storage:${key}`;

const scopeInput = () =>
  z
    .enum(SCOPES)
    .default('within_agent')
    .describe(
      'Scope of persistence: within_agent (this agent only) or across_agents (shared by all agents of the workspace)',
    );

export const PersistInformationBlock = defineBlock({
  id: '1d055e55-a2b9-4547-8311-907d05b0304d',
  name: 'PersistInformationBlock',
  description:
    'Persists a value under a key so later executions (of this agent or, with across_agents, of any agent) can retrieve it.',
  categories: ['STORAGE', 'DATA'],
  sideEffects: true,
  input: z.object({
    key: z.string().min(1).describe('Key to store the information under'),
    value: z.any().describe('Value to store'),
    scope: scopeInput(),
  }),
  output: z.object({ value: z.any().describe('Value that was stored') }),
  async *run(input, ctx) {
    await ctx.kv.set(kvScope(input.scope), storageKey(input.key), input.value ?? null);
    yield ['value', input.value ?? null];
  },
  testCases: [
    { input: { key: 'user_preference', value: { theme: 'dark' } }, output: [['value', { theme: 'dark' }]] },
    { input: { key: 'counter', value: 3, scope: 'across_agents' }, output: [['value', 3]] },
  ],
});

export const RetrieveInformationBlock = defineBlock({
  id: 'd8710fc9-6e29-481e-a7d5-165eb16f8471',
  name: 'RetrieveInformationBlock',
  description:
    'Retrieves a value persisted under a key (or `default_value` when nothing is stored). Static output: the value is re-delivered to later executions of linked nodes.',
  categories: ['STORAGE', 'DATA'],
  staticOutput: true,
  input: z.object({
    key: z.string().min(1).describe('Key to retrieve the information for'),
    scope: scopeInput(),
    default_value: z.any().optional().describe('Default value to return if key is not found'),
  }),
  output: z.object({ value: z.any().describe('Retrieved value or default value') }),
  async *run(input, ctx) {
    const stored = await ctx.kv.get(kvScope(input.scope), storageKey(input.key));
    yield ['value', stored ?? input.default_value ?? null];
  },
  testCases: [
    {
      name: 'default when nothing is stored',
      input: { key: 'user_preference', default_value: 'light' },
      output: [['value', 'light']],
    },
    { input: { key: 'nothing-here' }, output: [['value', null]] },
  ],
});

/** Per-execution counters expire on their own: an execution does not outlive a day of counting. */
const EXECUTION_COUNTER_TTL_MS = 24 * 3600 * 1000;

async function bump(
  ctx: BlockContext,
  scope: 'graph' | 'tenant',
  key: string,
  by: number,
  ttlMs?: number,
): Promise<number> {
  const current = await ctx.kv.get(scope, key);
  const next = (typeof current === 'number' ? current : 0) + by;
  await ctx.kv.set(scope, key, next, ttlMs);
  return next;
}

export const CounterBlock = defineBlock({
  id: '92764b9e-97d9-4460-9006-9ed97bcb2522',
  name: 'CounterBlock',
  description:
    'A persistent named counter: increments (or resets) it and yields the new count. `within_execution` counts per run; the other scopes persist across runs.',
  categories: ['STORAGE', 'LOGIC'],
  sideEffects: true,
  input: z.object({
    name: z.string().min(1).default('counter').describe('Counter name'),
    increment: z.number().default(1).describe('Amount to add (negative to count down)'),
    reset: z.boolean().default(false).describe('Set the counter to 0 before incrementing'),
    scope: z.enum(['within_execution', ...SCOPES]).default('within_execution'),
    trigger: z.any().optional().describe('Anything: each run of the block counts once'),
  }),
  output: z.object({ count: z.number() }),
  async *run(input, ctx) {
    const scope = input.scope === 'within_execution' ? 'graph' : kvScope(input.scope);
    const key =
      input.scope === 'within_execution' ? `counter:${ctx.executionId}:${input.name}` : `counter:${input.name}`;
    const ttl = input.scope === 'within_execution' ? EXECUTION_COUNTER_TTL_MS : undefined;
    if (input.reset) await ctx.kv.set(scope, key, 0, ttl);
    yield ['count', await bump(ctx, scope, key, input.increment, ttl)];
  },
  testCases: [
    { input: { name: 'loops' }, output: [['count', 1]] },
    { input: { name: 'down', increment: -2.5, scope: 'within_agent' }, output: [['count', -2.5]] },
  ],
});
