import { defineBlock, renderTemplate, type BlockDefinition, type BlockTestCase } from '@agentry/block-sdk';
import { z } from 'zod';

/**
 * Graph input and output blocks (AutoGPT's AgentInputBlock family and AgentOutputBlock, same ids and pins).
 * Input blocks have static output: the engine feeds `ExecutionRequested.inputs[name]` into `value` and the
 * yielded `result` is re-delivered to every later execution of the linked nodes.
 */

const common = {
  name: z.string().describe('The name of the input.'),
  title: z.string().nullable().optional().meta({ advanced: true }).describe('The title of the input.'),
  description: z.string().nullable().optional().meta({ advanced: true }).describe('The description of the input.'),
  placeholder_values: z
    .array(z.any())
    .default([])
    .meta({ advanced: true, hidden: true })
    .describe('Possible values (shown as a dropdown).'),
  advanced: z
    .boolean()
    .default(false)
    .meta({ advanced: true })
    .describe('Whether to show the input in the advanced section, if the field is not required.'),
  secret: z
    .boolean()
    .default(false)
    .meta({ advanced: true })
    .describe('Whether the input should be treated as a secret.'),
};

interface InputVariant<V extends z.ZodType, R extends z.ZodType> {
  id: string;
  name: string;
  description: string;
  value: V;
  result: R;
  extra?: z.ZodRawShape;
  testCases: BlockTestCase[];
  /** Whether a value should produce a result (AutoGPT: not None; file input: truthy). */
  present?: (value: unknown) => boolean;
}

function agentInputBlock<V extends z.ZodType, R extends z.ZodType>(v: InputVariant<V, R>): BlockDefinition {
  const present = v.present ?? ((value: unknown) => value !== undefined && value !== null);
  return defineBlock({
    id: v.id,
    name: v.name,
    description: v.description,
    categories: ['INPUT', 'BASIC'],
    kind: 'input',
    staticOutput: true,
    // Widened: the variants differ only in the value's type, which the schema carries.
    input: z.object({ ...common, value: v.value, ...(v.extra ?? {}) }) as z.ZodObject,
    output: z.object({ result: v.result }) as z.ZodObject,
    async *run(input) {
      const value = input.value;
      if (present(value)) yield ['result', value];
    },
    testCases: v.testCases,
  });
}

export const AgentInputBlock = agentInputBlock({
  id: 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b',
  name: 'AgentInputBlock',
  description: 'Base block for user inputs: passes the value given to the graph for this input name.',
  value: z.any().optional().describe('The value to be passed as input.'),
  result: z.any().describe('The value passed as input.'),
  testCases: [
    {
      name: 'passes the value',
      input: { name: 'input_1', value: 'Hello, World!', description: 'Example test input.' },
      output: [['result', 'Hello, World!']],
    },
    { name: 'structured value', input: { name: 'input_2', value: { a: [1, 2] } }, output: [['result', { a: [1, 2] }]] },
    { name: 'no value, no result', input: { name: 'input_3' }, output: [] },
  ],
});

export const AgentShortTextInputBlock = agentInputBlock({
  id: '7fcd3bcb-8e1b-4e69-903d-32d3d4a92158',
  name: 'AgentShortTextInputBlock',
  description: 'Block for short text input (single-line).',
  value: z
    .string()
    .nullable()
    .optional()
    .meta({ format: 'short-text', title: 'Default Value' })
    .describe('Short text input.'),
  result: z.string().describe('Short text result.'),
  testCases: [
    { input: { name: 'short_text_1', value: 'Hello', placeholder_values: [] }, output: [['result', 'Hello']] },
    { name: 'empty string is a value', input: { name: 'short_text_2', value: '' }, output: [['result', '']] },
  ],
});

export const AgentLongTextInputBlock = agentInputBlock({
  id: '90a56ffb-7024-4b2b-ab50-e26c5e5ab8ba',
  name: 'AgentLongTextInputBlock',
  description: 'Block for long text input (multi-line).',
  value: z
    .string()
    .nullable()
    .optional()
    .meta({ format: 'long-text', title: 'Default Value' })
    .describe('Long text input (potentially multi-line).'),
  result: z.string().describe('Long text result.'),
  testCases: [
    {
      input: { name: 'long_text_1', value: 'Lorem ipsum\ndolor sit amet...' },
      output: [['result', 'Lorem ipsum\ndolor sit amet...']],
    },
  ],
});

export const AgentNumberInputBlock = agentInputBlock({
  id: '96dae2bb-97a2-41c2-bd2f-13a3b5a8ea98',
  name: 'AgentNumberInputBlock',
  description: 'Block for number input.',
  value: z.int().nullable().optional().meta({ title: 'Default Value' }).describe('Number input.'),
  result: z.int().describe('Number result.'),
  testCases: [
    { input: { name: 'number_input_1', value: 42 }, output: [['result', 42]] },
    { name: 'zero is a value', input: { name: 'number_input_2', value: 0 }, output: [['result', 0]] },
    {
      name: 'rejects a fraction',
      input: { name: 'number_input_3', value: 1.5 },
      output: [['error', (e: unknown) => String(e).includes('value')]],
    },
  ],
});

export const AgentDateInputBlock = agentInputBlock({
  id: '7e198b09-4994-47db-8b4d-952d98241817',
  name: 'AgentDateInputBlock',
  description: 'Block for date input (YYYY-MM-DD).',
  value: z.iso.date().nullable().optional().meta({ title: 'Default Value' }).describe('Date input (YYYY-MM-DD).'),
  result: z.iso.date().describe('Date result.'),
  testCases: [
    { input: { name: 'date_input_1', value: '2025-03-19' }, output: [['result', '2025-03-19']] },
    {
      name: 'rejects a non-date',
      input: { name: 'date_input_2', value: '19/03/2025' },
      output: [['error', (e: unknown) => String(e).includes('value')]],
    },
  ],
});

export const AgentTimeInputBlock = agentInputBlock({
  id: '2a1c757e-86cf-4c7e-aacf-060dc382e434',
  name: 'AgentTimeInputBlock',
  description: 'Block for time input (HH:MM:SS).',
  value: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$/)
    .nullable()
    .optional()
    .meta({ title: 'Default Value' })
    .describe('Time input (HH:MM:SS).'),
  result: z.string().describe('Time result.'),
  testCases: [
    { input: { name: 'time_input_1', value: '09:30:00' }, output: [['result', '09:30:00']] },
    { input: { name: 'time_input_2', value: '23:59:59' }, output: [['result', '23:59:59']] },
  ],
});

export const AgentFileInputBlock = agentInputBlock({
  id: '95ead23f-8283-4654-aef3-10c053b74a31',
  name: 'AgentFileInputBlock',
  description: 'Block for file input: a URL, a data URI or a stored file reference, passed on as given.',
  value: z
    .string()
    .nullable()
    .optional()
    .meta({ format: 'file', title: 'Default Value' })
    .describe('Path or reference to an uploaded file.'),
  result: z.string().describe('File reference/path result.'),
  extra: {
    base_64: z
      .boolean()
      .default(false)
      .meta({ advanced: true, title: 'Produce Base64 Output' })
      .describe('Whether to produce the output in base64 format.'),
  },
  present: (value) => typeof value === 'string' && value.length > 0,
  testCases: [
    {
      input: { name: 'file_upload_1', value: 'data:image/png;base64,MQ==' },
      output: [['result', 'data:image/png;base64,MQ==']],
    },
    { name: 'empty reference, no result', input: { name: 'file_upload_2', value: '' }, output: [] },
  ],
});

export const AgentDropdownInputBlock = agentInputBlock({
  id: '655d6fdf-a334-421c-b733-520549c07cd1',
  name: 'AgentDropdownInputBlock',
  description: 'Block for dropdown text selection.',
  value: z.string().nullable().optional().meta({ title: 'Default Value' }).describe('Text selected from a dropdown.'),
  result: z.string().describe('Selected dropdown value.'),
  extra: {
    options: z
      .array(z.any())
      .default([])
      .meta({ title: 'Dropdown Options' })
      .describe('Possible values for the dropdown (legacy alias: placeholder_values).'),
  },
  testCases: [
    {
      input: { name: 'dropdown_1', value: 'Option A', placeholder_values: ['Option A', 'Option B', 'Option C'] },
      output: [['result', 'Option A']],
    },
    {
      input: { name: 'dropdown_2', value: 'Option C', options: ['Option A', 'Option B', 'Option C'] },
      output: [['result', 'Option C']],
    },
  ],
});

export const AgentToggleInputBlock = agentInputBlock({
  id: 'cbf36ab5-df4a-43b6-8a7f-f7ed8652116e',
  name: 'AgentToggleInputBlock',
  description: 'Block for boolean toggle input.',
  value: z.boolean().default(false).meta({ title: 'Default Value' }).describe('Boolean toggle input.'),
  result: z.boolean().describe('Boolean toggle result.'),
  testCases: [
    { input: { name: 'toggle_1', value: true }, output: [['result', true]] },
    { name: 'defaults to false', input: { name: 'toggle_2' }, output: [['result', false]] },
  ],
});

export const AgentTableInputBlock = agentInputBlock({
  id: '5603b273-f41e-4020-af7d-fbc9c6a8d928',
  name: 'AgentTableInputBlock',
  description: 'Block for table data input with customizable headers: each row is a dictionary keyed by column name.',
  value: z
    .array(z.record(z.string(), z.any()))
    .nullable()
    .optional()
    .meta({ format: 'table', title: 'Default Value' })
    .describe('The table data as a list of dictionaries.'),
  result: z
    .array(z.record(z.string(), z.any()))
    .describe('The table data as a list of dictionaries with headers as keys.'),
  extra: {
    column_headers: z
      .array(z.string())
      .default(['Column 1', 'Column 2', 'Column 3'])
      .meta({ title: 'Column Headers' })
      .describe('Column headers for the table.'),
  },
  present: () => true,
  testCases: [
    {
      input: {
        name: 'test_table',
        column_headers: ['Name', 'Age'],
        value: [
          { Name: 'John', Age: '30' },
          { Name: 'Jane', Age: '25' },
        ],
      },
      output: [
        [
          'result',
          [
            { Name: 'John', Age: '30' },
            { Name: 'Jane', Age: '25' },
          ],
        ],
      ],
    },
  ],
});

export const AgentOutputBlock = defineBlock({
  id: '363ae599-353e-4804-937e-b2ee3cef3da4',
  name: 'AgentOutputBlock',
  description:
    'Stores the output of the graph for users to see. A non-empty `format` (Jinja-style `{{ <name> }}`) is applied to the value.',
  categories: ['OUTPUT', 'BASIC'],
  kind: 'output',
  staticOutput: true,
  input: z.object({
    value: z.any().optional().describe('The value to be recorded as output.'),
    name: z.string().describe('The name of the output.'),
    title: z.string().nullable().optional().meta({ advanced: true }).describe('The title of the output.'),
    description: z.string().nullable().optional().meta({ advanced: true }).describe('The description of the output.'),
    format: z
      .string()
      .default('')
      .meta({ advanced: true })
      .describe(
        'Template applied to the value, e.g. "{{ my_output }}!"; the value is available as its name and as `value`.',
      ),
    escape_html: z
      .boolean()
      .default(false)
      .meta({ advanced: true })
      .describe('Whether to escape special characters in the inserted values to be HTML-safe.'),
    advanced: z.boolean().default(false).meta({ advanced: true }).describe('Whether to treat the output as advanced.'),
    secret: z
      .boolean()
      .default(false)
      .meta({ advanced: true })
      .describe('Whether the output should be treated as a secret.'),
  }),
  output: z.object({
    output: z.any().describe('The value recorded as output.'),
    name: z.any().describe('The name of the value recorded as output.'),
  }),
  async *run(input) {
    const output = input.format
      ? renderTemplate(
          input.format,
          { value: input.value, [input.name]: input.value },
          { escapeHtml: input.escape_html },
        )
      : input.value;
    yield ['output', output];
    yield ['name', input.name];
  },
  testCases: [
    {
      name: 'formats the value by its name',
      input: { value: 'Hello, World!', name: 'output_1', format: '{{ output_1 }}!!' },
      output: [
        ['output', 'Hello, World!!!'],
        ['name', 'output_1'],
      ],
    },
    {
      name: 'raw value without format',
      input: { value: { score: 42 }, name: 'output_2' },
      output: [
        ['output', { score: 42 }],
        ['name', 'output_2'],
      ],
    },
    {
      name: 'escapes html on request',
      input: { value: '<b>hi</b>', name: 'html', format: '<p>{{ html }}</p>', escape_html: true },
      output: [
        ['output', '<p>&lt;b&gt;hi&lt;/b&gt;</p>'],
        ['name', 'html'],
      ],
    },
  ],
});
