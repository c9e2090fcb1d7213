import { defineBlock } from '@agentry/block-sdk';
import { z } from 'zod';
import { asText, MAX_TEXT_LENGTH, pythonRegex } from './regex';

export const MatchTextPatternBlock = defineBlock({
  id: '3060088f-6ed9-4928-9ba7-9c92823a7ccd',
  name: 'MatchTextPatternBlock',
  description:
    'Matches text against a regex pattern and forwards `data` (or the text when data is empty) to `positive` or `negative`.',
  categories: ['TEXT', 'LOGIC'],
  input: z.object({
    text: z.any().describe('Text to match'),
    match: z.string().describe('Pattern (Regex) to match'),
    data: z.any().describe('Data to be forwarded to output'),
    case_sensitive: z.boolean().default(true).describe('Case sensitive match'),
    dot_all: z.boolean().default(true).describe('Dot matches all'),
  }),
  output: z.object({
    positive: z.any().describe('Output data if match is found'),
    negative: z.any().describe('Output data if match is not found'),
  }),
  async *run(input) {
    const output = input.data === undefined || input.data === null || input.data === '' ? input.text : input.data;
    let re: RegExp;
    try {
      re = pythonRegex(input.match, { caseSensitive: input.case_sensitive, dotAll: input.dot_all });
    } catch (e) {
      yield ['error', `Invalid pattern: ${(e as Error).message}`];
      return;
    }
    yield [re.test(asText(input.text).slice(0, MAX_TEXT_LENGTH)) ? 'positive' : 'negative', output];
  },
  testCases: [
    { input: { text: 'ABC', match: 'ab', data: 'X', case_sensitive: false }, output: [['positive', 'X']] },
    { input: { text: 'ABC', match: 'ab', data: 'Y', case_sensitive: true }, output: [['negative', 'Y']] },
    { input: { text: 'Hello World!', match: '.orld.+', data: 'Z' }, output: [['positive', 'Z']] },
    { input: { text: 'Hello World!', match: 'World![a-z]+', data: 'Z' }, output: [['negative', 'Z']] },
    {
      name: 'non-text input is matched as JSON',
      input: { text: { status: 'done' }, match: '"status":\\s*"done"', data: null },
      output: [['positive', { status: 'done' }]],
    },
  ],
});

const MAX_MATCHES = 1000;
const MAX_MATCH_LENGTH = 10_000;

export const ExtractTextInformationBlock = defineBlock({
  id: '3146e4fe-2cdd-4f29-bd12-0c9d5bb4deb0',
  name: 'ExtractTextInformationBlock',
  description:
    'Extracts text with a regex: yields each match (group `group`) on `positive` (the first only unless `find_all`), or the input on `negative`; then all matches and their count.',
  categories: ['TEXT'],
  input: z.object({
    text: z.any().describe('Text to parse'),
    pattern: z.string().describe('Pattern (Regex) to parse'),
    group: z.int().min(0).default(0).describe('Group number to extract'),
    case_sensitive: z.boolean().default(true).describe('Case sensitive match'),
    dot_all: z.boolean().default(true).describe('Dot matches all'),
    find_all: z.boolean().default(false).describe('Find all matches'),
  }),
  output: z.object({
    positive: z.string().describe('Extracted text'),
    negative: z.string().describe('Original text'),
    matched_results: z.array(z.string()).describe('List of matched results'),
    matched_count: z.int().describe('Number of matched results'),
  }),
  async *run(input) {
    let matches: string[] = [];
    try {
      const re = pythonRegex(input.pattern, {
        caseSensitive: input.case_sensitive,
        dotAll: input.dot_all,
        global: true,
      });
      for (const m of asText(input.text).slice(0, MAX_TEXT_LENGTH).matchAll(re)) {
        if (matches.length >= MAX_MATCHES) break;
        if (input.group <= m.length - 1) matches.push((m[input.group] ?? '').slice(0, MAX_MATCH_LENGTH));
      }
    } catch {
      matches = [];
    }
    if (!input.find_all) matches = matches.slice(0, 1);
    for (const m of matches) yield ['positive', m];
    if (matches.length === 0) yield ['negative', input.text];
    yield ['matched_results', matches];
    yield ['matched_count', matches.length];
  },
  testCases: [
    {
      input: { text: 'Hello, World!', pattern: 'Hello, (.+)', group: 1 },
      output: [
        ['positive', 'World!'],
        ['matched_results', ['World!']],
        ['matched_count', 1],
      ],
    },
    {
      input: { text: 'Hello, World!', pattern: 'Hello, (.+)', group: 2 },
      output: [
        ['negative', 'Hello, World!'],
        ['matched_results', []],
        ['matched_count', 0],
      ],
    },
    {
      input: { text: 'Hello, World!', pattern: 'hello,', case_sensitive: false },
      output: [
        ['positive', 'Hello,'],
        ['matched_results', ['Hello,']],
        ['matched_count', 1],
      ],
    },
    {
      input: { text: 'Hello, World!! Hello, Earth!!', pattern: 'Hello, (\\S+)', group: 1, find_all: true },
      output: [
        ['positive', 'World!!'],
        ['positive', 'Earth!!'],
        ['matched_results', ['World!!', 'Earth!!']],
        ['matched_count', 2],
      ],
    },
    {
      name: 'python named groups',
      input: { text: 'id=42', pattern: 'id=(?P<id>\\d+)', group: 1 },
      output: [
        ['positive', '42'],
        ['matched_results', ['42']],
        ['matched_count', 1],
      ],
    },
  ],
});

export const CombineTextsBlock = defineBlock({
  id: 'e30a4d42-7b7d-4e6a-b36e-1f9b8e3b7d85',
  name: 'CombineTextsBlock',
  description:
    'Combines multiple input texts (often fed through `input_$_0`, `input_$_1`…) into a single text, joined by `delimiter`.',
  categories: ['TEXT'],
  input: z.object({
    input: z.array(z.string()).describe('text input to combine'),
    delimiter: z.string().default('').describe('Delimiter to combine texts'),
  }),
  output: z.object({ output: z.string().describe('Combined text') }),
  async *run(input) {
    yield ['output', input.input.join(input.delimiter)];
  },
  testCases: [
    {
      input: { input: ['Hello world I like ', 'cake and to go for walks'] },
      output: [['output', 'Hello world I like cake and to go for walks']],
    },
    { input: { input: ['This is a test', 'Hi!'], delimiter: '! ' }, output: [['output', 'This is a test! Hi!']] },
    { name: 'list pins', input: { input_$_1: 'b', input_$_0: 'a', delimiter: '-' }, output: [['output', 'a-b']] },
  ],
});

export const TextSplitBlock = defineBlock({
  id: 'd5ea33c8-a575-477a-b42f-2fe3be5055ec',
  name: 'TextSplitBlock',
  description: 'Splits a text into a list of strings by a delimiter (use "\\n" for lines).',
  categories: ['TEXT'],
  input: z.object({
    text: z.string().describe('The text to split.'),
    delimiter: z.string().describe('The delimiter to split the text by.'),
    strip: z.boolean().default(true).describe('Whether to strip the text.'),
  }),
  output: z.object({ texts: z.array(z.string()).describe('The text split into a list of strings.') }),
  async *run(input) {
    if (input.text.length === 0) {
      yield ['texts', []];
      return;
    }
    const delimiter = input.delimiter.replace(/\\n/g, '\n').replace(/\\t/g, '\t');
    const parts = delimiter === '' ? [...input.text] : input.text.split(delimiter);
    yield ['texts', input.strip ? parts.map((t) => t.trim()) : parts];
  },
  testCases: [
    { input: { text: 'Hello, World!', delimiter: ',' }, output: [['texts', ['Hello', 'World!']]] },
    { input: { text: 'Hello, World!', delimiter: ',', strip: false }, output: [['texts', ['Hello', ' World!']]] },
    { input: { text: 'a\nb', delimiter: '\\n' }, output: [['texts', ['a', 'b']]] },
    { input: { text: '', delimiter: ',' }, output: [['texts', []]] },
  ],
});

export const TextReplaceBlock = defineBlock({
  id: '7e7c87ab-3469-4bcc-9abe-67705091b713',
  name: 'TextReplaceBlock',
  description: 'Replaces every occurrence of a text with a new text.',
  categories: ['TEXT'],
  input: z.object({
    text: z.string().describe('The text to replace.'),
    old: z.string().describe('The old text to replace.'),
    new: z.string().describe('The new text to replace with.'),
  }),
  output: z.object({ output: z.string().describe('The text with the replaced text.') }),
  async *run(input) {
    yield ['output', input.old === '' ? input.text : input.text.split(input.old).join(input.new)];
  },
  testCases: [
    { input: { text: 'Hello, World!', old: 'Hello', new: 'Hi' }, output: [['output', 'Hi, World!']] },
    { input: { text: 'a.b.c', old: '.', new: '$&' }, output: [['output', 'a$&b$&c']] },
  ],
});

export const RegexReplaceBlock = defineBlock({
  id: '958f8029-a246-4702-a23b-878680475739',
  name: 'RegexReplaceBlock',
  description: 'Replaces regex matches; the replacement may use groups as `\\1` or `$1`.',
  categories: ['TEXT'],
  input: z.object({
    text: z.string().describe('The text to change'),
    pattern: z.string().describe('Pattern (Regex)'),
    replacement: z.string().default('').describe('Replacement; `\\1`/`$1` insert a group'),
    case_sensitive: z.boolean().default(true).describe('Case sensitive match'),
    count: z.int().min(0).default(0).describe('Maximum replacements (0 = all)'),
  }),
  output: z.object({ output: z.string(), replacements: z.int().describe('How many matches were replaced') }),
  async *run(input) {
    let re: RegExp;
    try {
      re = pythonRegex(input.pattern, { caseSensitive: input.case_sensitive, dotAll: false, global: true });
    } catch (e) {
      yield ['error', `Invalid pattern: ${(e as Error).message}`];
      return;
    }
    let n = 0;
    const output = input.text.replace(re, (match: string, ...rest: unknown[]) => {
      if (input.count > 0 && n >= input.count) return match;
      n++;
      const offsetAt = rest.findIndex((x) => typeof x === 'number');
      const groups = rest.slice(0, offsetAt) as Array<string | undefined>;
      const named = (typeof rest[rest.length - 1] === 'object' ? rest[rest.length - 1] : {}) as Record<
        string,
        string | undefined
      >;
      return input.replacement.replace(
        /\\(\d+)|\$(\d+)|\\g<(\w+)>|\$<(\w+)>|\$&/g,
        (token, b1?: string, d1?: string, bn?: string, dn?: string) => {
          if (token === '$&') return match;
          const index = b1 ?? d1;
          if (index !== undefined) return index === '0' ? match : (groups[Number(index) - 1] ?? '');
          return named[(bn ?? dn)!] ?? '';
        },
      );
    });
    yield ['output', output];
    yield ['replacements', n];
  },
  testCases: [
    {
      input: { text: 'John Smith, Jane Doe', pattern: '(\\w+) (\\w+)', replacement: '\\2 \\1' },
      output: [
        ['output', 'Smith John, Doe Jane'],
        ['replacements', 2],
      ],
    },
    {
      input: { text: 'a1b2c3', pattern: '\\d', replacement: '#', count: 2 },
      output: [
        ['output', 'a#b#c3'],
        ['replacements', 2],
      ],
    },
  ],
});

export const TextStatisticsBlock = defineBlock({
  id: 'eec9b199-7d4f-4853-9f18-9aeb45d2ea2d',
  name: 'TextStatisticsBlock',
  description:
    'Counts the words, characters (Unicode code points), characters without spaces, lines and sentences of a text.',
  categories: ['TEXT'],
  input: z.object({ text: z.string().describe('The text to measure') }),
  output: z.object({
    word_count: z.int(),
    character_count: z.int(),
    character_count_no_spaces: z.int(),
    line_count: z.int(),
    sentence_count: z.int(),
  }),
  async *run(input) {
    const t = input.text;
    const words = t.trim() === '' ? 0 : t.trim().split(/\s+/u).length;
    yield ['word_count', words];
    yield ['character_count', [...t].length];
    yield ['character_count_no_spaces', [...t.replace(/\s/gu, '')].length];
    yield ['line_count', t === '' ? 0 : t.split(/\r\n|\r|\n/).length];
    yield ['sentence_count', (t.match(/[^.!?]*[^.!?\s][^.!?]*[.!?]+|[^.!?]*[^.!?\s][^.!?]*$/g) ?? []).length];
  },
  testCases: [
    {
      input: { text: 'Hello wörld! How are you?\nFine.' },
      output: [
        ['word_count', 6],
        ['character_count', 31],
        ['character_count_no_spaces', 26],
        ['line_count', 2],
        ['sentence_count', 3],
      ],
    },
    {
      input: { text: '' },
      output: [
        ['word_count', 0],
        ['character_count', 0],
        ['character_count_no_spaces', 0],
        ['line_count', 0],
        ['sentence_count', 0],
      ],
    },
  ],
});

export const ChangeTextCaseBlock = defineBlock({
  id: 'c5ec9c9e-c2a5-4477-9e32-3bbfd889d780',
  name: 'ChangeTextCaseBlock',
  description: 'Changes the case of a text: upper, lower, title, sentence, snake_case, camelCase or kebab-case.',
  categories: ['TEXT'],
  input: z.object({
    text: z.string().describe('The text to change'),
    case: z.enum(['upper', 'lower', 'title', 'sentence', 'snake', 'camel', 'kebab']).describe('Target case'),
  }),
  output: z.object({ output: z.string() }),
  async *run(input) {
    const words = input.text.match(/[\p{Lu}]?[\p{Ll}\p{N}]+|[\p{Lu}\p{N}]+(?![\p{Ll}])|\p{L}+/gu) ?? [];
    const cap = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase();
    const out = {
      upper: () => input.text.toUpperCase(),
      lower: () => input.text.toLowerCase(),
      title: () => input.text.replace(/\p{L}[\p{L}'’]*/gu, cap),
      sentence: () => cap(input.text.trimStart()),
      snake: () => words.map((w) => w.toLowerCase()).join('_'),
      kebab: () => words.map((w) => w.toLowerCase()).join('-'),
      camel: () => words.map((w, i) => (i === 0 ? w.toLowerCase() : cap(w))).join(''),
    }[input.case]();
    yield ['output', out];
  },
  testCases: [
    { input: { text: "hello wORLD it's me", case: 'title' }, output: [['output', "Hello World It's Me"]] },
    { input: { text: 'Hello World HTTPServer', case: 'snake' }, output: [['output', 'hello_world_http_server']] },
    { input: { text: 'user first-name', case: 'camel' }, output: [['output', 'userFirstName']] },
  ],
});

export const TruncateTextBlock = defineBlock({
  id: '779c9461-5680-4636-b8ae-6d5fae33e578',
  name: 'TruncateTextBlock',
  description:
    'Shortens a text to at most `max_length` characters, cutting at a word boundary when possible and appending `suffix`.',
  categories: ['TEXT'],
  input: z.object({
    text: z.string(),
    max_length: z.int().positive().describe('Maximum length of the result, suffix included'),
    suffix: z.string().default('…'),
  }),
  output: z.object({ output: z.string(), truncated: z.boolean() }),
  async *run(input) {
    const chars = [...input.text];
    if (chars.length <= input.max_length) {
      yield ['output', input.text];
      yield ['truncated', false];
      return;
    }
    const room = Math.max(0, input.max_length - [...input.suffix].length);
    let cut = chars.slice(0, room).join('');
    const lastSpace = cut.lastIndexOf(' ');
    if (lastSpace > room * 0.6) cut = cut.slice(0, lastSpace);
    yield ['output', cut.trimEnd() + input.suffix];
    yield ['truncated', true];
  },
  testCases: [
    {
      input: { text: 'The quick brown fox jumps', max_length: 16 },
      output: [
        ['output', 'The quick brown…'],
        ['truncated', true],
      ],
    },
    {
      input: { text: 'short', max_length: 10 },
      output: [
        ['output', 'short'],
        ['truncated', false],
      ],
    },
  ],
});
