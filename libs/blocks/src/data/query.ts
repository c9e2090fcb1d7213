import { defineBlock } from '@agentry/block-sdk';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { search as jmespathSearch } from 'jmespath';
import { JSONPath } from 'jsonpath-plus';
import { z } from 'zod';
import { isPlainObject, parseMaybeJson } from '../util';

export const JsonPathQueryBlock = defineBlock({
  id: 'ca7a7d30-f8e1-4aee-b82c-a992e7e69361',
  name: 'JsonPathQueryBlock',
  description: 'Queries a value (or JSON string) with a JSONPath expression such as `$.items[*].name`; yields every match as a list and the first match.',
  categories: ['DATA'],
  input: z.object({
    data: z.any().describe('The value to query (a JSON string is parsed)'),
    path: z.string().describe('JSONPath expression, e.g. $.store.book[?(@.price < 10)].title'),
  }),
  output: z.object({ results: z.array(z.any()).describe('All matches, in document order'), first: z.any().describe('The first match, when there is one') }),
  async *run(input) {
    try {
      // eval: false keeps filter expressions in jsonpath-plus's safe evaluator (no JavaScript evaluation).
      const results = JSONPath({ path: input.path, json: parseMaybeJson(input.data) as object, wrap: true, eval: 'safe' }) as unknown[];
      yield ['results', results];
      if (results.length > 0) yield ['first', results[0]];
    } catch (e) {
      yield ['error', `JSONPath query failed: ${(e as Error).message}`];
    }
  },
  testCases: [
    { input: { data: { items: [{ name: 'a', p: 5 }, { name: 'b', p: 15 }] }, path: '$.items[*].name' }, output: [['results', ['a', 'b']], ['first', 'a']] },
    { input: { data: '{"items": [{"name": "a", "p": 5}, {"name": "b", "p": 15}]}', path: '$.items[?(@.p > 10)].name' }, output: [['results', ['b']], ['first', 'b']] },
    { input: { data: { a: 1 }, path: '$.missing' }, output: [['results', []]] },
  ],
});

export const JmesPathQueryBlock = defineBlock({
  id: '833801b7-8aba-489c-bd38-513e02d8cf37',
  name: 'JmesPathQueryBlock',
  description: 'Queries and reshapes a value (or JSON string) with a JMESPath expression such as `people[?age > `30`].name`.',
  categories: ['DATA'],
  input: z.object({
    data: z.any().describe('The value to query (a JSON string is parsed)'),
    expression: z.string().describe('JMESPath expression'),
  }),
  output: z.object({ result: z.any().describe('The query result (null when nothing matches)') }),
  async *run(input) {
    try {
      yield ['result', jmespathSearch(parseMaybeJson(input.data) as Parameters<typeof jmespathSearch>[0], input.expression)];
    } catch (e) {
      yield ['error', `JMESPath query failed: ${(e as Error).message}`];
    }
  },
  testCases: [
    { input: { data: { people: [{ name: 'a', age: 20 }, { name: 'b', age: 40 }] }, expression: 'people[?age > `30`].name' }, output: [['result', ['b']]] },
    { input: { data: { a: { b: 1 } }, expression: '{x: a.b, n: length(keys(a))}' }, output: [['result', { x: 1, n: 1 }]] },
    { input: { data: {}, expression: 'a[' }, output: [['error', (e: unknown) => String(e).startsWith('JMESPath query failed')]] },
  ],
});

export const ReadCsvBlock = defineBlock({
  id: 'a5ffb6e8-8ac9-44e5-a364-cb4919bdbece',
  name: 'ReadCsvBlock',
  description: 'Parses CSV text. With a header row each record is a dictionary keyed by column name; yields all rows, then every row one by one.',
  categories: ['DATA'],
  input: z.object({
    contents: z.string().meta({ format: 'long-text' }).describe('The CSV text'),
    delimiter: z.string().min(1).default(',').describe('Field delimiter'),
    quotechar: z.string().min(1).max(1).default('"').describe('Quote character'),
    has_header: z.boolean().default(true).describe('Whether the first row holds the column names'),
    skip_rows: z.int().min(0).default(0).describe('Lines to skip before the data (or header)'),
    strip: z.boolean().default(true).describe('Trim whitespace around values'),
  }),
  output: z.object({
    all_data: z.array(z.any()).describe('Every row'),
    row: z.any().describe('One row at a time, in order'),
  }),
  async *run(input) {
    let rows: unknown[];
    try {
      rows = parseCsv(input.contents, {
        delimiter: input.delimiter,
        quote: input.quotechar,
        columns: input.has_header,
        from_line: input.skip_rows + 1,
        trim: input.strip,
        skip_empty_lines: true,
        relax_column_count: true,
      }) as unknown[];
    } catch (e) {
      yield ['error', `Invalid CSV: ${(e as Error).message}`];
      return;
    }
    yield ['all_data', rows];
    for (const row of rows) yield ['row', row];
  },
  testCases: [
    {
      input: { contents: 'name, age\nAlice, 30\n"Bob, Jr.", 25\n' },
      output: [['all_data', [{ name: 'Alice', age: '30' }, { name: 'Bob, Jr.', age: '25' }]], ['row', { name: 'Alice', age: '30' }], ['row', { name: 'Bob, Jr.', age: '25' }]],
    },
    { input: { contents: '# comment\n1;2\n3;4', delimiter: ';', has_header: false, skip_rows: 1 }, output: [['all_data', [['1', '2'], ['3', '4']]], ['row', ['1', '2']], ['row', ['3', '4']]] },
  ],
});

export const WriteCsvBlock = defineBlock({
  id: '1ad1d016-03fd-4a01-8e71-1ae66534f1d4',
  name: 'WriteCsvBlock',
  description: 'Writes rows (dictionaries or lists) as CSV text; for dictionaries the header is the union of their keys unless `columns` is given.',
  categories: ['DATA'],
  input: z.object({
    rows: z.array(z.any()).describe('Rows: dictionaries or lists of values'),
    columns: z.array(z.string()).default([]).describe('Column order (dictionary rows); empty = keys in order of appearance'),
    delimiter: z.string().min(1).default(',').describe('Field delimiter'),
    include_header: z.boolean().default(true).describe('Write a header row (dictionary rows)'),
  }),
  output: z.object({ csv: z.string() }),
  async *run(input) {
    const dictRows = input.rows.length > 0 && input.rows.every(isPlainObject);
    const columns = dictRows ? (input.columns.length ? input.columns : [...new Set(input.rows.flatMap((r) => Object.keys(r as object)))]) : undefined;
    const cell = (v: unknown): unknown => (v !== null && typeof v === 'object' ? JSON.stringify(v) : v);
    const records = input.rows.map((r) => (isPlainObject(r) ? Object.fromEntries(Object.entries(r).map(([k, v]) => [k, cell(v)])) : Array.isArray(r) ? r.map(cell) : [cell(r)]));
    yield ['csv', stringifyCsv(records, { delimiter: input.delimiter, header: Boolean(dictRows && input.include_header), columns })];
  },
  testCases: [
    { input: { rows: [{ name: 'Alice', age: 30 }, { name: 'Bob, Jr.', city: 'Paris' }] }, output: [['csv', 'name,age,city\nAlice,30,\n"Bob, Jr.",,Paris\n']] },
    { input: { rows: [[1, 2], [3, { x: 1 }]], delimiter: ';' }, output: [['csv', '1;2\n3;"{""x"":1}"\n']] },
  ],
});
