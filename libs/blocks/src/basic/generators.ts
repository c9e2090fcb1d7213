import { defineBlock } from '@agentry/block-sdk';
import { randomInt, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { is } from '../util';

export const RandomNumberBlock = defineBlock({
  id: '2a42b5fc-e8cb-40e9-b0f4-596b3f3fb120',
  name: 'RandomNumberBlock',
  description: 'Yields a random number between `min` and `max` (inclusive for integers), `count` times.',
  categories: ['BASIC', 'LOGIC'],
  input: z.object({
    min: z.number().default(0),
    max: z.number().default(100),
    integer: z.boolean().default(true).describe('Whole numbers only'),
    count: z.int().min(1).max(1000).default(1).describe('How many numbers to yield'),
  }),
  output: z.object({ number: z.number() }),
  async *run(input) {
    if (input.min > input.max) {
      yield ['error', 'min must not be greater than max'];
      return;
    }
    for (let i = 0; i < input.count; i++) {
      if (input.integer) {
        const lo = Math.ceil(input.min);
        const hi = Math.floor(input.max);
        if (lo > hi) {
          yield ['error', 'No whole number between min and max'];
          return;
        }
        yield ['number', randomInt(lo, hi + 1)];
      } else yield ['number', input.min + Math.random() * (input.max - input.min)];
    }
  },
  testCases: [
    {
      input: { min: 1, max: 6, count: 3 },
      output: [
        ['number', is.numberBetween(1, 6)],
        ['number', is.numberBetween(1, 6)],
        ['number', is.numberBetween(1, 6)],
      ],
    },
    { input: { min: 5, max: 5 }, output: [['number', 5]] },
    { input: { min: 0.5, max: 0.75, integer: false }, output: [['number', is.numberBetween(0.5, 0.75)]] },
    { input: { min: 3, max: 1 }, output: [['error', 'min must not be greater than max']] },
  ],
});

export const GenerateUuidBlock = defineBlock({
  id: '3a5eadfa-286d-45b8-b81b-36e91e5f96c2',
  name: 'GenerateUuidBlock',
  description: 'Yields a new random UUID (version 4).',
  categories: ['BASIC'],
  input: z.object({ trigger: z.any().optional().describe('Anything: a new UUID is made each time the block runs') }),
  output: z.object({ uuid: z.string() }),
  async *run() {
    yield ['uuid', randomUUID()];
  },
  testCases: [{ input: {}, output: [['uuid', is.uuid]] }],
});
