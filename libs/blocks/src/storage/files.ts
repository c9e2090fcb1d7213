import { defineBlock, type BlockContext, type BlockFileInfo } from '@agentry/block-sdk';
import { z } from 'zod';
import { isPlainObject } from '../util';

/**
 * Blocks that read and write the tenant's files (ctx.files: the gateway's uploads, POST /api/v1/files, and what
 * blocks write). A file travels between nodes as a reference `{ $file: id, name, mediaType, size, url }`; graph
 * inputs may also carry a file as a data: URI (how the gateway hands uploads to a run) or as its bare id.
 */

/** Limit when no file store says otherwise (data: URIs decoded without one). */
const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

const fileRef = z
  .union([
    z.object({ $file: z.string().min(1) }).passthrough(),
    z.string().min(1).describe('A file id or a data: URI'),
  ])
  .describe('The file: a reference { $file: id } from an upload or WriteFileBlock, a file id, or a data: URI');

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-ndjson|yaml|x-yaml|csv)|image\/svg\+xml)/;

export interface FileReference {
  $file: string;
  name: string;
  mediaType: string;
  size: number;
  /** Where the gateway serves its bytes. */
  url: string;
}

export const toFileReference = (f: BlockFileInfo): FileReference => ({
  $file: f.id,
  name: f.name,
  mediaType: f.mediaType,
  size: f.size,
  url: `/api/v1/files/${encodeURIComponent(f.id)}/content`,
});

function noFileStore(): Error {
  return Object.assign(new Error('File storage is not available to this block runner'), {
    code: 'FILES_UNAVAILABLE',
    retryable: false,
  });
}

function decodeDataUri(uri: string): { mediaType: string; data: Buffer } {
  const m = /^data:([^;,]*)((?:;[^;,]*)*?)(;base64)?,(.*)$/s.exec(uri);
  if (!m) throw new Error('Not a valid data: URI');
  const mediaType = m[1] || 'text/plain';
  return { mediaType, data: m[3] ? Buffer.from(m[4], 'base64') : Buffer.from(decodeURIComponent(m[4]), 'utf8') };
}

async function loadFile(
  ctx: BlockContext,
  ref: z.infer<typeof fileRef>,
): Promise<{ info?: BlockFileInfo; name: string; mediaType: string; data: Buffer }> {
  const maxBytes = ctx.files?.maxBytes ?? DEFAULT_MAX_BYTES;
  if (typeof ref === 'string' && ref.startsWith('data:')) {
    // The base64 text is 4/3 of the bytes: refuse oversize URIs before decoding them.
    if (ref.length > Math.ceil((maxBytes * 4) / 3) + 256) throw tooLarge(maxBytes);
    const { mediaType, data } = decodeDataUri(ref);
    if (data.length > maxBytes) throw tooLarge(maxBytes);
    return { name: 'file', mediaType, data };
  }
  if (!ctx.files) throw noFileStore();
  const id = typeof ref === 'string' ? ref : ref.$file;
  const file = await ctx.files.read(id);
  if (file.data.length > maxBytes) throw tooLarge(maxBytes);
  const { data, ...info } = file;
  return { info, name: file.name, mediaType: file.mediaType, data };
}

const tooLarge = (maxBytes: number): Error =>
  Object.assign(new Error(`The file is larger than the ${maxBytes}-byte limit`), { code: 'FILE_TOO_LARGE', retryable: false });

export const ReadFileBlock = defineBlock({
  id: '2ee13a09-26ab-4969-a9ce-01e1bd334bbb',
  name: 'ReadFileBlock',
  description:
    'Read a stored file (an upload or a file written by WriteFileBlock) and output its content as text or base64.',
  // MULTIMEDIA keeps it off the engine's inline path: only a block runner has the tenant's file store.
  categories: ['STORAGE', 'MULTIMEDIA'],
  input: z.object({
    file: fileRef,
    encoding: z
      .enum(['auto', 'text', 'base64'])
      .default('auto')
      .describe('auto: text for text-like media types (text/*, JSON, XML, CSV…), base64 for the rest'),
  }),
  output: z.object({
    content: z.string().describe('The content, as text or base64'),
    encoding: z.enum(['text', 'base64']).describe('How content is encoded'),
    name: z.string(),
    media_type: z.string(),
    size: z.number().describe('Size in bytes'),
  }),
  async *run(input, ctx) {
    const file = await loadFile(ctx, input.file);
    const encoding = input.encoding === 'auto' ? (TEXT_TYPES.test(file.mediaType) ? 'text' : 'base64') : input.encoding;
    yield ['content', encoding === 'text' ? file.data.toString('utf8') : file.data.toString('base64')];
    yield ['encoding', encoding];
    yield ['name', file.name];
    yield ['media_type', file.mediaType];
    yield ['size', file.data.length];
  },
  testCases: [
    {
      name: 'a data: URI as text',
      input: { file: `data:text/csv;base64,${Buffer.from('a,b\n1,2\n').toString('base64')}` },
      output: [
        ['content', 'a,b\n1,2\n'],
        ['encoding', 'text'],
        ['name', 'file'],
        ['media_type', 'text/csv'],
        ['size', 8],
      ],
    },
    {
      name: 'binary as base64',
      input: { file: 'data:application/octet-stream;base64,AAEC' },
      output: [
        ['content', 'AAEC'],
        ['encoding', 'base64'],
        ['name', 'file'],
        ['media_type', 'application/octet-stream'],
        ['size', 3],
      ],
    },
    {
      name: 'unknown file',
      input: { file: { $file: 'no-such-file' } },
      output: [['error', 'file no-such-file not found']],
    },
  ],
});

export const WriteFileBlock = defineBlock({
  id: 'f6267957-babb-4043-8d52-e5d04b2d2ee0',
  name: 'WriteFileBlock',
  description:
    "Store content as a file of the tenant; outputs a reference later nodes can read and a URL to download it.",
  categories: ['STORAGE', 'MULTIMEDIA'],
  sideEffects: true,
  input: z.object({
    content: z.string().describe('Text, base64 (encoding: base64) or a data: URI'),
    name: z.string().min(1).max(255).default('output.txt').describe('File name'),
    media_type: z.string().default('text/plain').describe('Media type; taken from the data: URI when content is one'),
    encoding: z.enum(['text', 'base64']).default('text').describe('How content is encoded'),
  }),
  output: z.object({
    file: z
      .object({ $file: z.string(), name: z.string(), mediaType: z.string(), size: z.number(), url: z.string() })
      .describe('Reference to the stored file'),
  }),
  async *run(input, ctx) {
    if (!ctx.files) throw noFileStore();
    let mediaType = input.media_type;
    let data: Buffer;
    if (input.content.startsWith('data:')) ({ mediaType, data } = decodeDataUri(input.content));
    else data = input.encoding === 'base64' ? Buffer.from(input.content, 'base64') : Buffer.from(input.content, 'utf8');
    if (data.length > ctx.files.maxBytes) throw tooLarge(ctx.files.maxBytes);
    const name = input.name.replace(/[\\/\0]/g, '_');
    yield ['file', toFileReference(await ctx.files.write({ name, mediaType, data }))];
  },
  testCases: [
    {
      input: { content: 'Hello, file!', name: 'hello.txt' },
      output: [
        [
          'file',
          (v: unknown) =>
            isPlainObject(v) &&
            typeof v.$file === 'string' &&
            v.name === 'hello.txt' &&
            v.mediaType === 'text/plain' &&
            v.size === 12 &&
            v.url === `/api/v1/files/${encodeURIComponent(v.$file)}/content`,
        ],
      ],
    },
    {
      name: 'a data: URI keeps its media type',
      input: { content: 'data:image/png;base64,iVBORw0KGgo=', name: 'a/b.png' },
      output: [['file', (v: unknown) => isPlainObject(v) && v.mediaType === 'image/png' && v.name === 'a_b.png' && v.size === 8]],
    },
  ],
});

export const fileBlocks = [ReadFileBlock, WriteFileBlock];
