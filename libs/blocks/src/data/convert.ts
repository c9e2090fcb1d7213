import { defineBlock, stringify } from '@agentry/block-sdk';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { isPlainObject, parseMaybeJson, toNumber } from '../util';

const TYPE_OPTIONS = ['string', 'number', 'boolean', 'list', 'dictionary'] as const;

/** AutoGPT's type conversion (backend.util.type.convert) as JavaScript values see it. */
export function convertValue(value: unknown, type: (typeof TYPE_OPTIONS)[number]): unknown {
  switch (type) {
    case 'string':
      return stringify(value);
    case 'number': {
      const n = toNumber(value);
      if (n === undefined || Number.isNaN(n)) throw new Error(`cannot convert ${JSON.stringify(value)} to a number`);
      return n;
    }
    case 'boolean':
      if (typeof value === 'string') return ['true', '1', 'yes', 'y', 'on'].includes(value.trim().toLowerCase());
      if (Array.isArray(value)) return value.length > 0;
      if (isPlainObject(value)) return Object.keys(value).length > 0;
      return Boolean(value);
    case 'list': {
      const parsed = parseMaybeJson(value);
      if (Array.isArray(parsed)) return parsed;
      if (isPlainObject(parsed)) return Object.entries(parsed).map(([k, v]) => [k, v]);
      if (value === null || value === undefined) return [];
      return [value];
    }
    case 'dictionary': {
      const parsed = parseMaybeJson(value);
      if (isPlainObject(parsed)) return parsed;
      if (Array.isArray(parsed)) {
        if (parsed.every((p) => Array.isArray(p) && p.length === 2)) return Object.fromEntries(parsed as Array<[string, unknown]>);
        return Object.fromEntries(parsed.map((v, i) => [String(i), v]));
      }
      if (value === null || value === undefined) return {};
      return { value };
    }
  }
}

export const UniversalTypeConverterBlock = defineBlock({
  id: '95d1b990-ce13-4d88-9737-ba5c2070c97b',
  name: 'UniversalTypeConverterBlock',
  description: 'Converts a value to a string, number, boolean, list or dictionary (JSON strings are parsed for list and dictionary).',
  categories: ['DATA', 'BASIC'],
  input: z.object({
    value: z.any().describe('The value to convert to a universal type.'),
    type: z.enum(TYPE_OPTIONS).describe('The type to convert the value to.'),
  }),
  output: z.object({ value: z.any().describe('The converted value.') }),
  async *run(input) {
    try {
      yield ['value', convertValue(input.value, input.type)];
    } catch (e) {
      yield ['error', `Failed to convert value: ${(e as Error).message}`];
    }
  },
  testCases: [
    { input: { value: '42.5', type: 'number' }, output: [['value', 42.5]] },
    { input: { value: { a: 1 }, type: 'string' }, output: [['value', '{"a":1}']] },
    { input: { value: 'True', type: 'boolean' }, output: [['value', true]] },
    { input: { value: '[1, 2]', type: 'list' }, output: [['value', [1, 2]]] },
    { input: { value: '{"k": "v"}', type: 'dictionary' }, output: [['value', { k: 'v' }]] },
    { input: { value: 'abc', type: 'number' }, output: [['error', 'Failed to convert value: cannot convert "abc" to a number']] },
  ],
});

export const JsonParseBlock = defineBlock({
  id: 'e13012e1-15c7-4563-bdbd-81f37a3a88d7',
  name: 'JsonParseBlock',
  description: 'Parses JSON text into a value. Tolerates a ```json fenced block around it, as LLMs often produce.',
  categories: ['DATA', 'TEXT'],
  input: z.object({ json_string: z.string().describe('JSON text to parse') }),
  output: z.object({ value: z.any().describe('The parsed value') }),
  async *run(input) {
    const text = input.json_string.trim().replace(/^```(?:json)?\s*\n?([\s\S]*?)\n?```$/i, '$1');
    try {
      yield ['value', JSON.parse(text)];
    } catch (e) {
      yield ['error', `Invalid JSON: ${(e as Error).message}`];
    }
  },
  testCases: [
    { input: { json_string: '{"a": [1, true, null]}' }, output: [['value', { a: [1, true, null] }]] },
    { input: { json_string: '```json\n[1, 2]\n```' }, output: [['value', [1, 2]]] },
    { input: { json_string: '{oops' }, output: [['error', (e: unknown) => String(e).startsWith('Invalid JSON')]] },
  ],
});

export const JsonStringifyBlock = defineBlock({
  id: 'f18c2e06-c427-4afa-a356-22e7174b2a49',
  name: 'JsonStringifyBlock',
  description: 'Serialises a value as JSON text, optionally indented and with sorted keys.',
  categories: ['DATA', 'TEXT'],
  input: z.object({
    value: z.any().describe('The value to serialise'),
    indent: z.int().min(0).max(10).default(0).describe('Spaces of indentation (0 = compact)'),
    sort_keys: z.boolean().default(false).describe('Sort dictionary keys'),
  }),
  output: z.object({ json_string: z.string() }),
  async *run(input) {
    const sortKeys = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(sortKeys) : isPlainObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])])) : v;
    const value = input.sort_keys ? sortKeys(input.value) : input.value;
    yield ['json_string', JSON.stringify(value ?? null, null, input.indent || undefined)];
  },
  testCases: [
    { input: { value: { b: 1, a: [1, 2] }, sort_keys: true }, output: [['json_string', '{"a":[1,2],"b":1}']] },
    { input: { value: { a: 1 }, indent: 2 }, output: [['json_string', '{\n  "a": 1\n}']] },
  ],
});

const MAX_XML_BYTES = 10 * 1024 * 1024;

export const XMLParserBlock = defineBlock({
  id: '286380af-9529-4b55-8be0-1d7c854abdb5',
  name: 'XMLParserBlock',
  description: 'Parses XML (a single root element) into a dictionary: repeated elements become lists, attributes are keys prefixed with "@_".',
  categories: ['DATA', 'DEVELOPER_TOOLS'],
  input: z.object({ input_xml: z.string().describe('input xml to be parsed') }),
  output: z.object({ parsed_xml: z.record(z.string(), z.any()).describe('output parsed xml to dict') }),
  async *run(input) {
    if (Buffer.byteLength(input.input_xml) > MAX_XML_BYTES) {
      yield ['error', 'XML input exceeds the 10MB limit'];
      return;
    }
    const valid = XMLValidator.validate(input.input_xml);
    if (valid !== true) {
      yield ['error', `Invalid XML: ${valid.err.msg} (line ${valid.err.line})`];
      return;
    }
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, trimValues: true }).parse(input.input_xml) as Record<string, unknown>;
    const roots = Object.keys(parsed).filter((k) => !k.startsWith('?'));
    if (roots.length !== 1 || Array.isArray(parsed[roots[0]])) {
      yield ['error', 'XML must have exactly one root element'];
      return;
    }
    yield ['parsed_xml', { [roots[0]]: parsed[roots[0]] }];
  },
  testCases: [
    {
      input: { input_xml: '<?xml version="1.0"?><feed><title>News</title><item id="1">a</item><item id="2">b</item></feed>' },
      output: [['parsed_xml', { feed: { title: 'News', item: [{ '#text': 'a', '@_id': '1' }, { '#text': 'b', '@_id': '2' }] } }]],
    },
    { input: { input_xml: '<a><b>1</b></a>' }, output: [['parsed_xml', { a: { b: '1' } }]] },
    { input: { input_xml: '<a><b></a>' }, output: [['error', (e: unknown) => String(e).startsWith('Invalid XML')]] },
    { input: { input_xml: '<a/><b/>' }, output: [['error', (e: unknown) => /root|Invalid XML/.test(String(e))]] },
  ],
});
