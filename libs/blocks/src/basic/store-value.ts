import { defineBlock } from '@agentry/block-sdk';
import { z } from 'zod';

export const StoreValueBlock = defineBlock({
  id: '1ff065e9-88e8-4358-9d82-8dc91f622ba9',
  name: 'StoreValueBlock',
  description:
    'Forwards `data` (or `input` when no data is given) and keeps it: links from this block are static, so the value is re-delivered to every later execution of the linked nodes.',
  categories: ['BASIC'],
  staticOutput: true,
  input: z.object({
    input: z.any().describe('Trigger for the block to produce the output; used as the value when no data is given.'),
    data: z.any().optional().describe('The constant data to be retained in the block; when empty, `input` is used.'),
  }),
  output: z.object({ output: z.any().describe('The stored data retained in the block.') }),
  async *run(input) {
    yield ['output', input.data ?? input.input];
  },
  testCases: [
    { name: 'input passes through', input: { input: 'Hello, World!' }, output: [['output', 'Hello, World!']] },
    {
      name: 'data wins over input',
      input: { input: 'Hello, World!', data: 'Existing Data' },
      output: [['output', 'Existing Data']],
    },
    { name: 'falsy data is still data', input: { input: 'x', data: 0 }, output: [['output', 0]] },
  ],
});
