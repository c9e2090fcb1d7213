import { defineBlock } from '@agentry/block-sdk';
import { z } from 'zod';

export const NoteBlock = defineBlock({
  id: 'cc10ff7b-7753-4ff2-9af6-9399b1a7eddc',
  name: 'NoteBlock',
  description: 'A sticky note on the canvas; the engine never runs it.',
  categories: ['BASIC'],
  kind: 'note',
  input: z.object({ text: z.string().describe('The text to display in the sticky note.') }),
  output: z.object({ output: z.string().describe('The text to display in the sticky note.') }),
  async *run(input) {
    yield ['output', input.text];
  },
  testCases: [{ input: { text: 'Hello, World!' }, output: [['output', 'Hello, World!']] }],
});
