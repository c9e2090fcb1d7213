import { defineBlock, renderTemplate } from '@agentry/block-sdk';
import { z } from 'zod';

export const FillTextTemplateBlock = defineBlock({
  id: 'db7d8f02-2f44-4c55-ab7a-eae0941f0c30',
  name: 'FillTextTemplateBlock',
  description:
    'Fills a text template: `{{ key }}`, `{{key}}` or `{{ key | safe }}` placeholders are replaced by `values[key]` (usually fed through `values_#_<key>` pins). Missing keys render empty.',
  categories: ['TEXT'],
  input: z.object({
    values: z
      .record(z.string(), z.any())
      .describe(
        'Values (dict) to be used in format. These values can be used by putting them in double curly braces in the format template. e.g. {{value_name}}.',
      ),
    format: z
      .string()
      .meta({ format: 'long-text' })
      .describe('Template to format the text using `values`. Use Jinja2 syntax.'),
    escape_html: z
      .boolean()
      .default(false)
      .meta({ advanced: true })
      .describe('Whether to escape special characters in the inserted values to be HTML-safe.'),
  }),
  output: z.object({ output: z.string().describe('Formatted text') }),
  async *run(input) {
    yield ['output', renderTemplate(input.format, input.values, { escapeHtml: input.escape_html })];
  },
  testCases: [
    {
      name: 'all placeholder spellings',
      input: {
        values: { name: 'Alice', hello: 'Hello', world: 'World!' },
        format: '{{hello}}, {{ world }} {{ name | safe }}',
      },
      output: [['output', 'Hello, World! Alice']],
    },
    {
      name: 'dynamic pins feed values',
      input: {
        values: {},
        'values_#_topic': 'cats',
        'values_#_n': 3,
        format: 'Write {{ n }} posts about {{ topic }}.',
      },
      output: [['output', 'Write 3 posts about cats.']],
    },
    {
      name: 'html escaping on request',
      input: { values: { x: '<i>' }, format: '{{ x }} {{ x | safe }}', escape_html: true },
      output: [['output', '&lt;i&gt; <i>']],
    },
    {
      name: 'missing keys render empty',
      input: { values: { a: 'x' }, format: '[{{ a }}][{{ b }}]' },
      output: [['output', '[x][]']],
    },
    {
      name: 'structured values and paths',
      input: {
        values: { user: { name: 'Bo', tags: ['a', 'b'] } },
        format: '{{ user.name }}: {{ user.tags | join(", ") }} {{ user.tags[1] }}',
      },
      output: [['output', 'Bo: a, b b']],
    },
  ],
});
