import { defineBlock } from '@agentry/block-sdk';
import { z } from 'zod';

/** Plain text of a Markdown document: keeps the words, drops the markup (links keep their text, images their alt text). */
export function markdownToText(md: string): string {
  return md
    .replace(/\r\n?/g, '\n')
    .replace(/^```[^\n]*\n([\s\S]*?)^```\s*$/gm, '$1')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<\/?[a-zA-Z][^>]*>/g, '')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1')
    .replace(/^[ \t]*\[[^\]]+\]:[ \t]+\S+.*$/gm, '')
    .replace(/^ {0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$/gm, '$1')
    .replace(/^(.*)\n(=+|-+)[ \t]*$/gm, (whole, text: string) => (text.trim() ? text : whole))
    .replace(/^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$/gm, '')
    .replace(/^ {0,3}>\s?/gm, '')
    .replace(/^([ \t]*)[-*+][ \t]+\[[ xX]\][ \t]+/gm, '$1')
    .replace(/^([ \t]*)[-*+][ \t]+/gm, '$1')
    .replace(/^([ \t]*)\d+[.)][ \t]+/gm, '$1')
    .replace(/^\|?[ \t]*:?-{3,}:?[ \t]*(\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*(\n|$)/gm, '')
    .replace(/^\|(.*)\|[ \t]*$/gm, (_, row: string) =>
      row
        .split('|')
        .map((c) => c.trim())
        .join('\t'),
    )
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '$2')
    .replace(/(\*|_)(?=\S)([^*_\n]*?\S)\1/g, '$2')
    .replace(/~~(?=\S)([\s\S]*?\S)~~/g, '$1')
    .replace(/`([^`\n]+)`/g, '$1')
    .replace(/\\([\\`*_{}[\]()#+\-.!|>~])/g, '$1')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export const MarkdownToTextBlock = defineBlock({
  id: '1f01b2d1-a348-4ba8-8157-60022ccee2f3',
  name: 'MarkdownToTextBlock',
  description:
    'Converts Markdown to plain text: headings, emphasis, links, lists, quotes, code fences and tables lose their markup but keep their words.',
  categories: ['TEXT'],
  input: z.object({ markdown: z.string().meta({ format: 'long-text' }).describe('Markdown text') }),
  output: z.object({ text: z.string().describe('Plain text') }),
  async *run(input) {
    yield ['text', markdownToText(input.markdown)];
  },
  testCases: [
    {
      input: {
        markdown:
          '# Title\n\nSome **bold** and _italic_ text with a [link](https://x.y) and `code`.\n\n- one\n- two\n\n> quoted\n\n```js\nlet a = 1;\n```\n',
      },
      output: [
        ['text', 'Title\n\nSome bold and italic text with a link and code.\n\none\ntwo\n\nquoted\n\nlet a = 1;'],
      ],
    },
    {
      input: { markdown: '| a | b |\n|---|---|\n| 1 | 2 |\n\n![logo](l.png) 1. first' },
      output: [['text', 'a\tb\n1\t2\n\nlogo 1. first']],
    },
  ],
});

/** Finds the first JSON object or array inside free text (LLM answers wrap JSON in prose and code fences). */
export function extractJson(text: string): { found: true; value: unknown } | { found: false } {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)```/i.exec(text);
  if (fenced) {
    try {
      return { found: true, value: JSON.parse(fenced[1]) };
    } catch {
      /* fall through to scanning */
    }
  }
  for (let start = 0; start < text.length; start++) {
    const open = text[start];
    if (open !== '{' && open !== '[') continue;
    const end = matchingBracket(text, start);
    if (end < 0) continue;
    try {
      return { found: true, value: JSON.parse(text.slice(start, end + 1)) };
    } catch {
      /* try the next candidate */
    }
  }
  return { found: false };
}

function matchingBracket(text: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') stack.push(ch === '{' ? '}' : ']');
    else if (ch === '}' || ch === ']') {
      if (stack.pop() !== ch) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

export const TextToJsonBlock = defineBlock({
  id: 'c7579f7e-8ace-4a47-a91d-0f3dc84d745a',
  name: 'TextToJsonBlock',
  description:
    'Finds and parses the first JSON object or array in a text (for example an LLM answer with prose around a ```json block).',
  categories: ['TEXT', 'DATA'],
  input: z.object({ text: z.string().meta({ format: 'long-text' }).describe('Text that contains JSON') }),
  output: z.object({
    json: z.any().describe('The parsed JSON value'),
    not_found: z.string().describe('The text, when it holds no JSON'),
  }),
  async *run(input) {
    const found = extractJson(input.text);
    if (found.found) yield ['json', found.value];
    else yield ['not_found', input.text];
  },
  testCases: [
    {
      input: { text: 'Sure! Here it is:\n```json\n{"title": "A", "tags": ["x"]}\n```\nAnything else?' },
      output: [['json', { title: 'A', tags: ['x'] }]],
    },
    { input: { text: 'Result: [1, {"a": "b]"}] done {not json}' }, output: [['json', [1, { a: 'b]' }]]] },
    { input: { text: 'no json here {oops' }, output: [['not_found', 'no json here {oops']] },
  ],
});
