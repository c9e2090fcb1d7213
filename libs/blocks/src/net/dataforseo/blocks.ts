import { defineBlock, type BlockContext } from '@agentry/block-sdk';
import { z } from 'zod';
import { ProviderError } from '../errors';
import { callProvider, providerBaseUrl } from '../http';
import { credentialsInput } from '../llm/blocks';
import { testUserPassword, withErrorPin } from '../support';

/**
 * DataForSEO Labs API v3 (https://docs.dataforseo.com/v3/dataforseo_labs/): HTTP Basic auth with the account's
 * login and password; an array of tasks in, `tasks[].result[]` out. Errors come as status codes inside the body
 * (20000 = ok, 40xxx = the request, 50xxx = DataForSEO itself), sometimes with HTTP 200.
 */
const DATAFORSEO_CREDENTIALS = { field: 'credentials', providers: ['dataforseo'], types: ['user_password' as const] };
const dfsCreds = testUserPassword('dataforseo');

interface DfsTask<R> {
  status_code: number;
  status_message: string;
  result?: R[] | null;
}

function basicAuth(ctx: BlockContext): string {
  const c = ctx.credentials;
  if (!c || c.type !== 'user_password')
    throw new Error('DataForSEO blocks need user_password credentials (the API login and password)');
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

async function dataForSeoLive<R>(ctx: BlockContext, endpoint: string, task: Record<string, unknown>): Promise<R> {
  const { data } = await callProvider<{ status_code: number; status_message: string; tasks?: Array<DfsTask<R>> }>(
    ctx,
    {
      provider: 'dataforseo',
      url: `${providerBaseUrl('dataforseo')}/v3/dataforseo_labs/google/${endpoint}/live`,
      method: 'POST',
      headers: { authorization: basicAuth(ctx) },
      json: [task],
    },
  );
  const failed = (code: number, message: string) =>
    new ProviderError(
      'dataforseo',
      code >= 50000 ? 'PROVIDER_UNAVAILABLE' : 'PROVIDER_REJECTED',
      `dataforseo API error ${code}: ${message}`,
      200,
      code >= 50000,
    );
  if (data.status_code !== 20000) throw failed(data.status_code, data.status_message);
  const first = data.tasks?.[0];
  if (!first) throw failed(40000, 'no task in the response');
  if (first.status_code !== 20000) throw failed(first.status_code, first.status_message);
  const result = first.result?.[0];
  if (!result) throw failed(40400, 'no result for the task');
  return result;
}

interface KeywordInfo {
  search_volume?: number | null;
  competition?: number | null;
  cpc?: number | null;
}
interface KeywordData {
  keyword: string;
  keyword_info?: KeywordInfo | null;
  keyword_properties?: { keyword_difficulty?: number | null } | null;
  serp_info?: Record<string, unknown> | null;
  clickstream_keyword_info?: Record<string, unknown> | null;
}

/** AutoGPT's KeywordSuggestion / RelatedKeyword shape. */
function keywordOf(k: KeywordData): Record<string, unknown> {
  return {
    keyword: k.keyword,
    search_volume: k.keyword_info?.search_volume ?? null,
    competition: k.keyword_info?.competition ?? null,
    cpc: k.keyword_info?.cpc ?? null,
    keyword_difficulty: k.keyword_properties?.keyword_difficulty ?? null,
    serp_info: k.serp_info ?? null,
    clickstream_data: k.clickstream_keyword_info ?? null,
  };
}

const keywordShape = z.object({
  keyword: z.string(),
  search_volume: z.number().nullable(),
  competition: z.number().nullable(),
  cpc: z.number().nullable(),
  keyword_difficulty: z.number().nullable(),
  serp_info: z.record(z.string(), z.unknown()).nullable(),
  clickstream_data: z.record(z.string(), z.unknown()).nullable(),
});

const commonInputs = {
  credentials: credentialsInput,
  keyword: z.string().describe('Seed keyword'),
  location_code: z.number().int().default(2840).describe('DataForSEO location code (2840 = United States)'),
  language_code: z.string().default('en').describe('Language code'),
  include_seed_keyword: z.boolean().default(true).describe('Include data for the seed keyword'),
  include_serp_info: z.boolean().default(false).describe('Include SERP data of each keyword'),
  include_clickstream_data: z.boolean().default(false).describe('Include clickstream data (costs extra)'),
  limit: z.number().int().min(1).max(3000).default(100).describe('Maximum number of results'),
};

const taskOf = (input: z.infer<z.ZodObject<typeof commonInputs>>): Record<string, unknown> => ({
  keyword: input.keyword,
  location_code: input.location_code,
  language_code: input.language_code,
  include_seed_keyword: input.include_seed_keyword,
  include_serp_info: input.include_serp_info,
  include_clickstream_data: input.include_clickstream_data,
  limit: input.limit,
});

export const dataForSeoKeywordSuggestionsBlock = defineBlock({
  id: '73c3e7c4-2b3f-4e9f-9e3e-8f7a5c3e2d45',
  name: 'DataForSeoKeywordSuggestionsBlock',
  description: 'Keyword suggestions containing a seed keyword, with search volume, CPC and difficulty (DataForSEO Labs).',
  categories: ['SEARCH', 'MARKETING'],
  credentials: DATAFORSEO_CREDENTIALS,
  input: z.object(commonInputs),
  output: z.object({
    suggestions: z.array(keywordShape).describe('Every suggestion'),
    suggestion: keywordShape.describe('One suggestion at a time'),
    total_count: z.number().describe('Number of suggestions DataForSEO knows of'),
    seed_keyword: z.string(),
  }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const result = await dataForSeoLive<{
        seed_keyword: string;
        total_count?: number;
        seed_keyword_data?: KeywordData | null;
        items?: KeywordData[] | null;
      }>(ctx, 'keyword_suggestions', taskOf(input));
      const suggestions = (result.items ?? []).map(keywordOf);
      if (input.include_seed_keyword && result.seed_keyword_data)
        suggestions.unshift(keywordOf({ ...result.seed_keyword_data, keyword: result.seed_keyword }));
      for (const s of suggestions) yield ['suggestion', s];
      yield ['suggestions', suggestions];
      yield ['total_count', result.total_count ?? suggestions.length];
      yield ['seed_keyword', result.seed_keyword];
    }),
  testCases: [
    {
      needs: ['dataforseo'],
      credentials: dfsCreds,
      input: { keyword: 'coffee', limit: 2, include_seed_keyword: false },
      output: [
        [
          'suggestion',
          {
            keyword: 'coffee 1',
            search_volume: 1000,
            competition: 0.1,
            cpc: 1.5,
            keyword_difficulty: 11,
            serp_info: null,
            clickstream_data: null,
          },
        ],
        ['suggestion', (v: unknown) => (v as { keyword: string }).keyword === 'coffee 2'],
        ['suggestions', (v: unknown) => Array.isArray(v) && v.length === 2],
        ['total_count', 5],
        ['seed_keyword', 'coffee'],
      ],
    },
    {
      name: 'wrong password',
      needs: ['dataforseo'],
      credentials: { ...dfsCreds, password: 'invalid-password' } as never,
      input: { keyword: 'coffee' },
      output: [['error', 'dataforseo API error 401: You are not authorized to access this resource.']],
    },
  ],
});

export const dataForSeoRelatedKeywordsBlock = defineBlock({
  id: '8f2e4d6a-1b3c-4a5e-9d7f-2c8e6a4b3f1d',
  name: 'DataForSeoRelatedKeywordsBlock',
  description: 'Keywords from Google\u2019s "searches related to" for a seed keyword (DataForSEO Labs).',
  categories: ['SEARCH', 'MARKETING'],
  credentials: DATAFORSEO_CREDENTIALS,
  input: z.object({
    ...commonInputs,
    depth: z.number().int().min(0).max(4).default(1).describe('Levels of related searches to follow (0-4)'),
  }),
  output: z.object({
    related_keywords: z.array(keywordShape).describe('Every related keyword'),
    related_keyword: keywordShape.describe('One related keyword at a time'),
    total_count: z.number(),
    seed_keyword: z.string(),
  }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const result = await dataForSeoLive<{
        seed_keyword: string;
        total_count?: number;
        items?: Array<{ keyword_data: KeywordData; depth: number }> | null;
      }>(ctx, 'related_keywords', { ...taskOf(input), depth: input.depth });
      const related = (result.items ?? [])
        .filter((i) => input.include_seed_keyword || i.depth > 0)
        .map((i) => keywordOf(i.keyword_data));
      for (const k of related) yield ['related_keyword', k];
      yield ['related_keywords', related];
      yield ['total_count', result.total_count ?? related.length];
      yield ['seed_keyword', result.seed_keyword];
    }),
  testCases: [
    {
      needs: ['dataforseo'],
      credentials: dfsCreds,
      input: { keyword: 'tea', limit: 3 },
      output: [
        ['related_keyword', (v: unknown) => (v as { keyword: string }).keyword === 'tea'],
        ['related_keyword', (v: unknown) => (v as { keyword: string }).keyword === 'related tea 1'],
        ['related_keyword', (v: unknown) => (v as { keyword: string }).keyword === 'related tea 2'],
        ['related_keywords', (v: unknown) => Array.isArray(v) && v.length === 3],
        ['total_count', 5],
        ['seed_keyword', 'tea'],
      ],
    },
  ],
});

export const dataForSeoBlocks = [dataForSeoKeywordSuggestionsBlock, dataForSeoRelatedKeywordsBlock];
