import { defineBlock, type BlockContext } from '@agentry/block-sdk';
import { z } from 'zod';
import { ProviderError } from '../errors';
import { callProvider, providerBaseUrl, requireSecret } from '../http';
import { credentialsInput } from '../llm/blocks';
import { testApiKey, testOAuth, withErrorPin } from '../support';

const GITHUB_CREDENTIALS = {
  field: 'credentials',
  providers: ['github'],
  types: ['api_key' as const, 'oauth2' as const],
};

function githubHeaders(ctx: BlockContext): Record<string, string> {
  return {
    authorization: `Bearer ${requireSecret(ctx, 'github')}`,
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    'user-agent': 'Agentry',
  };
}

/** `https://github.com/o/r`, `github.com/o/r/issues/3`, `o/r` → { owner, repo, number? }. */
export function parseGithubUrl(url: string): { owner: string; repo: string; number?: number } {
  const m =
    /^(?:https?:\/\/)?(?:www\.)?(?:github\.com\/)?([\w.-]+)\/([\w.-]+?)(?:\.git)?(?:\/(?:issues|pull|pulls)\/(\d+))?\/?$/.exec(
      url.trim(),
    );
  if (!m) throw new Error(`Not a GitHub repository, issue or pull request URL: ${url}`);
  return { owner: m[1], repo: m[2], number: m[3] ? Number(m[3]) : undefined };
}

function withNumber(url: string, what: string): { owner: string; repo: string; number: number } {
  const parsed = parseGithubUrl(url);
  if (parsed.number === undefined) throw new Error(`The URL does not name a ${what}: ${url}`);
  return parsed as { owner: string; repo: string; number: number };
}

interface GithubIssue {
  number: number;
  title: string;
  body: string | null;
  state: string;
  html_url: string;
  user?: { login: string };
  labels?: Array<{ name: string }>;
  head?: { ref: string };
  base?: { ref: string };
  merged?: boolean;
}

const ghKey = testApiKey('github');

export const githubCreateIssueBlock = defineBlock({
  id: 'eca55b30-0172-4aca-8614-8369e27b756b',
  name: 'GithubCreateIssueBlock',
  description: 'Create an issue in a GitHub repository.',
  categories: ['DEVELOPER_TOOLS'],
  sideEffects: true,
  credentials: GITHUB_CREDENTIALS,
  input: z.object({
    credentials: credentialsInput,
    repo_url: z.string(),
    title: z.string(),
    body: z.string().default(''),
    labels: z.array(z.string()).default([]),
  }),
  output: z.object({ number: z.number(), url: z.string(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const { owner, repo } = parseGithubUrl(input.repo_url);
      const { data } = await callProvider<GithubIssue>(ctx, {
        provider: 'github',
        url: `${providerBaseUrl('github')}/repos/${owner}/${repo}/issues`,
        method: 'POST',
        headers: githubHeaders(ctx),
        json: { title: input.title, body: input.body, labels: input.labels },
      });
      yield ['number', data.number];
      yield ['url', data.html_url];
    }),
  testCases: [
    {
      needs: ['github'],
      credentials: ghKey,
      input: { repo_url: 'https://github.com/octo/demo', title: 'Bug', body: 'Details' },
      output: [
        ['number', 2],
        ['url', 'https://github.com/octo/demo/issues/2'],
      ],
    },
    {
      name: 'unknown repository',
      needs: ['github'],
      credentials: ghKey,
      input: { repo_url: 'octo/missing', title: 'Bug' },
      output: [['error', 'github API error 404: Not Found']],
    },
  ],
});

export const githubReadIssueBlock = defineBlock({
  id: '417c222f-cfca-4545-ba91-31f14f84ab86',
  name: 'GithubReadIssueBlock',
  description: 'Read the title, body, author and state of a GitHub issue.',
  categories: ['DEVELOPER_TOOLS'],
  credentials: GITHUB_CREDENTIALS,
  input: z.object({ credentials: credentialsInput, issue_url: z.string() }),
  output: z.object({
    title: z.string(),
    body: z.string(),
    user: z.string(),
    state: z.string(),
    labels: z.array(z.string()),
    error: z.string(),
  }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const { owner, repo, number } = withNumber(input.issue_url, 'issue');
      const { data } = await callProvider<GithubIssue>(ctx, {
        provider: 'github',
        url: `${providerBaseUrl('github')}/repos/${owner}/${repo}/issues/${number}`,
        headers: githubHeaders(ctx),
      });
      yield ['title', data.title];
      yield ['body', data.body ?? ''];
      yield ['user', data.user?.login ?? ''];
      yield ['state', data.state];
      yield ['labels', (data.labels ?? []).map((l) => l.name)];
    }),
  testCases: [
    {
      needs: ['github'],
      credentials: ghKey,
      input: { issue_url: 'https://github.com/octo/demo/issues/1' },
      output: [
        ['title', 'First issue'],
        ['body', 'It is broken'],
        ['user', 'octocat'],
        ['state', 'open'],
        ['labels', []],
      ],
    },
    {
      name: 'bad token',
      needs: ['github'],
      credentials: { ...ghKey, apiKey: 'ghp_invalidtoken123456' } as never,
      input: { issue_url: 'octo/demo/issues/1' },
      output: [['error', 'github API error 401: Bad credentials']],
    },
  ],
});

export const githubCommentBlock = defineBlock({
  id: '929f46ae-d98d-40f1-8323-d6a1cc451c71',
  name: 'GithubCommentBlock',
  description: 'Comment on a GitHub issue or pull request.',
  categories: ['DEVELOPER_TOOLS'],
  sideEffects: true,
  credentials: GITHUB_CREDENTIALS,
  input: z.object({
    credentials: credentialsInput,
    issue_url: z.string().describe('URL of the issue or pull request'),
    comment: z.string(),
  }),
  output: z.object({ id: z.number(), url: z.string(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const { owner, repo, number } = withNumber(input.issue_url, 'issue or pull request');
      const { data } = await callProvider<{ id: number; html_url: string }>(ctx, {
        provider: 'github',
        url: `${providerBaseUrl('github')}/repos/${owner}/${repo}/issues/${number}/comments`,
        method: 'POST',
        headers: githubHeaders(ctx),
        json: { body: input.comment },
      });
      yield ['id', data.id];
      yield ['url', data.html_url];
    }),
  testCases: [
    {
      needs: ['github'],
      credentials: ghKey,
      input: { issue_url: 'https://github.com/octo/demo/issues/1', comment: 'Looking into it' },
      output: [
        ['id', 5000],
        ['url', 'https://github.com/octo/demo/issues/1#issuecomment-5000'],
      ],
    },
  ],
});

export const githubListReposBlock = defineBlock({
  id: 'e5df4231-3571-4726-8850-6cc00cae2531',
  name: 'GithubListRepositoriesBlock',
  description: 'List the repositories of the authenticated GitHub user.',
  categories: ['DEVELOPER_TOOLS'],
  credentials: GITHUB_CREDENTIALS,
  input: z.object({
    credentials: credentialsInput,
    per_page: z.number().int().min(1).max(100).default(30),
    sort: z.enum(['created', 'updated', 'pushed', 'full_name']).default('updated'),
  }),
  output: z.object({
    repository: z.record(z.string(), z.unknown()),
    repositories: z.array(z.unknown()),
    error: z.string(),
  }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const { data } = await callProvider<
        Array<{ name: string; full_name: string; html_url: string; description: string | null; private: boolean }>
      >(ctx, {
        provider: 'github',
        url: `${providerBaseUrl('github')}/user/repos`,
        headers: githubHeaders(ctx),
        query: { per_page: input.per_page, sort: input.sort },
      });
      const repos = data.map((r) => ({
        name: r.name,
        full_name: r.full_name,
        url: r.html_url,
        description: r.description ?? '',
        private: r.private,
      }));
      yield ['repositories', repos];
      for (const r of repos) yield ['repository', r];
    }),
  testCases: [
    {
      needs: ['github'],
      credentials: ghKey,
      input: {},
      output: [
        ['repositories', (v: unknown) => Array.isArray(v) && v.length === 1],
        [
          'repository',
          {
            name: 'demo',
            full_name: 'octo/demo',
            url: 'https://github.com/octo/demo',
            description: 'Demo repo',
            private: false,
          },
        ],
      ],
    },
  ],
});

export const githubCreatePullRequestBlock = defineBlock({
  id: 'ae8e1a8c-7def-4ed7-aac2-e89608cbe590',
  name: 'GithubCreatePullRequestBlock',
  description: 'Open a pull request from head into base.',
  categories: ['DEVELOPER_TOOLS'],
  sideEffects: true,
  credentials: GITHUB_CREDENTIALS,
  input: z.object({
    credentials: credentialsInput,
    repo_url: z.string(),
    title: z.string(),
    body: z.string().default(''),
    head: z.string(),
    base: z.string().default('main'),
    draft: z.boolean().default(false),
  }),
  output: z.object({ number: z.number(), url: z.string(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const { owner, repo } = parseGithubUrl(input.repo_url);
      const { data } = await callProvider<GithubIssue>(ctx, {
        provider: 'github',
        url: `${providerBaseUrl('github')}/repos/${owner}/${repo}/pulls`,
        method: 'POST',
        headers: githubHeaders(ctx),
        json: { title: input.title, body: input.body, head: input.head, base: input.base, draft: input.draft },
      });
      yield ['number', data.number];
      yield ['url', data.html_url];
    }),
  testCases: [
    {
      needs: ['github'],
      credentials: ghKey,
      input: { repo_url: 'octo/demo', title: 'Fix', head: 'fix-branch' },
      output: [
        ['number', 2],
        ['url', 'https://github.com/octo/demo/pull/2'],
      ],
    },
  ],
});

export const githubReadPullRequestBlock = defineBlock({
  id: '5fb5157f-69b7-497e-93e8-8c288bff66e5',
  name: 'GithubReadPullRequestBlock',
  description: 'Read a pull request: title, body, author, state and branches.',
  categories: ['DEVELOPER_TOOLS'],
  credentials: GITHUB_CREDENTIALS,
  input: z.object({ credentials: credentialsInput, pr_url: z.string() }),
  output: z.object({
    title: z.string(),
    body: z.string(),
    author: z.string(),
    state: z.string(),
    head: z.string(),
    base: z.string(),
    error: z.string(),
  }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const { owner, repo, number } = withNumber(input.pr_url, 'pull request');
      const { data } = await callProvider<GithubIssue>(ctx, {
        provider: 'github',
        url: `${providerBaseUrl('github')}/repos/${owner}/${repo}/pulls/${number}`,
        headers: githubHeaders(ctx),
      });
      yield ['title', data.title];
      yield ['body', data.body ?? ''];
      yield ['author', data.user?.login ?? ''];
      yield ['state', data.merged ? 'merged' : data.state];
      yield ['head', data.head?.ref ?? ''];
      yield ['base', data.base?.ref ?? ''];
    }),
  testCases: [
    {
      name: 'not a pull request',
      needs: ['github'],
      credentials: ghKey,
      input: { pr_url: 'https://github.com/octo/demo/pull/1' },
      output: [['error', 'github API error 404: Not Found']],
    },
  ],
});

// ---------------------------------------------------------------- Linear (GraphQL)

async function linearQuery<T>(ctx: BlockContext, query: string, variables: Record<string, unknown>): Promise<T> {
  const secret = requireSecret(ctx, 'linear');
  // Personal API keys go bare in Authorization; OAuth tokens as Bearer.
  const authorization = ctx.credentials?.type === 'oauth2' ? `Bearer ${secret}` : secret;
  const { data } = await callProvider<{ data?: T; errors?: Array<{ message: string }> }>(ctx, {
    provider: 'linear',
    url: `${providerBaseUrl('linear')}/graphql`,
    method: 'POST',
    headers: { authorization },
    json: { query, variables },
  });
  if (data.errors?.length)
    throw new ProviderError(
      'linear',
      'PROVIDER_REJECTED',
      `linear API error: ${data.errors.map((e) => e.message).join('; ')}`,
      200,
      false,
    );
  return data.data as T;
}

const LINEAR_CREDENTIALS = {
  field: 'credentials',
  providers: ['linear'],
  types: ['api_key' as const, 'oauth2' as const],
};

export const linearCreateIssueBlock = defineBlock({
  id: 'fed0529d-0824-4479-a536-da1c8783065c',
  name: 'LinearCreateIssueBlock',
  description: 'Create an issue in a Linear team.',
  categories: ['PRODUCTIVITY', 'DEVELOPER_TOOLS'],
  sideEffects: true,
  credentials: LINEAR_CREDENTIALS,
  input: z.object({
    credentials: credentialsInput,
    team_id: z.string(),
    title: z.string(),
    description: z.string().default(''),
    priority: z.number().int().min(0).max(4).nullish(),
  }),
  output: z.object({ issue_id: z.string(), identifier: z.string(), url: z.string(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const data = await linearQuery<{
        issueCreate: { success: boolean; issue: { id: string; identifier: string; url: string } };
      }>(
        ctx,
        'mutation IssueCreate($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { id identifier title url } } }',
        {
          input: {
            teamId: input.team_id,
            title: input.title,
            description: input.description,
            ...(input.priority != null ? { priority: input.priority } : {}),
          },
        },
      );
      if (!data.issueCreate.success) throw new Error('Linear did not create the issue');
      yield ['issue_id', data.issueCreate.issue.id];
      yield ['identifier', data.issueCreate.issue.identifier];
      yield ['url', data.issueCreate.issue.url];
    }),
  testCases: [
    {
      needs: ['linear'],
      credentials: testApiKey('linear'),
      input: { team_id: 'team-1', title: 'New bug' },
      output: [
        ['issue_id', 'issue-2'],
        ['identifier', 'ENG-2'],
        ['url', 'https://linear.app/acme/issue/ENG-2'],
      ],
    },
  ],
});

export const linearSearchIssuesBlock = defineBlock({
  id: '5ee648af-7df2-4624-a275-09e0587d0991',
  name: 'LinearSearchIssuesBlock',
  description: 'Search Linear issues by text.',
  categories: ['PRODUCTIVITY', 'DEVELOPER_TOOLS'],
  credentials: LINEAR_CREDENTIALS,
  input: z.object({
    credentials: credentialsInput,
    term: z.string(),
    max_results: z.number().int().min(1).max(100).default(10),
  }),
  output: z.object({ issues: z.array(z.unknown()), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const data = await linearQuery<{ searchIssues: { nodes: Array<Record<string, unknown>> } }>(
        ctx,
        'query SearchIssues($term: String!, $first: Int) { searchIssues(term: $term, first: $first) { nodes { id identifier title description url state { name } } } }',
        { term: input.term, first: input.max_results },
      );
      yield ['issues', data.searchIssues.nodes];
    }),
  testCases: [
    {
      needs: ['linear'],
      credentials: testApiKey('linear'),
      input: { term: 'login' },
      output: [
        [
          'issues',
          [
            {
              id: 'issue-1',
              identifier: 'ENG-1',
              title: 'Fix login bug',
              description: 'Users cannot log in',
              url: 'https://linear.app/acme/issue/ENG-1',
              state: { name: 'Todo' },
            },
          ],
        ],
      ],
    },
  ],
});

// ---------------------------------------------------------------- Notion

const NOTION_CREDENTIALS = {
  field: 'credentials',
  providers: ['notion'],
  types: ['api_key' as const, 'oauth2' as const],
};
const notionHeaders = (ctx: BlockContext) => ({
  authorization: `Bearer ${requireSecret(ctx, 'notion')}`,
  'notion-version': '2022-06-28',
});
const richText = (content: string) => [{ type: 'text', text: { content } }];

export const notionCreatePageBlock = defineBlock({
  id: '27457db1-367f-48f7-adf0-6c115317bf52',
  name: 'NotionCreatePageBlock',
  description: 'Create a Notion page under a page or in a database, with paragraphs of text as content.',
  categories: ['PRODUCTIVITY'],
  sideEffects: true,
  credentials: NOTION_CREDENTIALS,
  input: z.object({
    credentials: credentialsInput,
    parent_page_id: z.string().nullish(),
    parent_database_id: z.string().nullish(),
    title: z.string(),
    content: z.string().default('').describe('Text; blank lines separate paragraphs'),
    properties: z.record(z.string(), z.unknown()).default({}).describe('Extra database properties in Notion API shape'),
  }),
  output: z.object({ page_id: z.string(), page_url: z.string(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      if (!input.parent_page_id === !input.parent_database_id)
        throw new Error('Give exactly one of parent_page_id and parent_database_id');
      const parent = input.parent_database_id
        ? { database_id: input.parent_database_id }
        : { page_id: input.parent_page_id };
      const titleProp = input.parent_database_id ? 'Name' : 'title';
      const children = input.content
        .split(/\n\s*\n/)
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p) => ({ object: 'block', type: 'paragraph', paragraph: { rich_text: richText(p) } }));
      const { data } = await callProvider<{ id: string; url: string }>(ctx, {
        provider: 'notion',
        url: `${providerBaseUrl('notion')}/v1/pages`,
        method: 'POST',
        headers: notionHeaders(ctx),
        json: { parent, properties: { [titleProp]: { title: richText(input.title) }, ...input.properties }, children },
      });
      yield ['page_id', data.id];
      yield ['page_url', data.url];
    }),
  testCases: [
    {
      needs: ['notion'],
      credentials: testApiKey('notion'),
      input: { parent_database_id: 'db-1', title: 'Task', content: 'First.\n\nSecond.' },
      output: [
        ['page_id', 'page-2'],
        ['page_url', 'https://www.notion.so/page-2'],
      ],
    },
  ],
});

export const notionQueryDatabaseBlock = defineBlock({
  id: 'dc709c8b-2007-4d60-843d-ded0e158419c',
  name: 'NotionQueryDatabaseBlock',
  description: 'Query a Notion database (optional filter and sorts in Notion API shape).',
  categories: ['PRODUCTIVITY'],
  credentials: NOTION_CREDENTIALS,
  input: z.object({
    credentials: credentialsInput,
    database_id: z.string(),
    filter: z.record(z.string(), z.unknown()).nullish(),
    sorts: z.array(z.record(z.string(), z.unknown())).default([]),
    limit: z.number().int().min(1).max(100).default(100),
  }),
  output: z.object({ pages: z.array(z.unknown()), count: z.number(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const { data } = await callProvider<{
        results: Array<{ id: string; url: string; properties: Record<string, unknown> }>;
      }>(ctx, {
        provider: 'notion',
        url: `${providerBaseUrl('notion')}/v1/databases/${encodeURIComponent(input.database_id)}/query`,
        method: 'POST',
        headers: notionHeaders(ctx),
        json: {
          page_size: input.limit,
          ...(input.filter ? { filter: input.filter } : {}),
          ...(input.sorts.length ? { sorts: input.sorts } : {}),
        },
      });
      const pages = data.results.map((p) => ({ id: p.id, url: p.url, properties: p.properties }));
      yield ['pages', pages];
      yield ['count', pages.length];
    }),
  testCases: [
    {
      needs: ['notion'],
      credentials: testApiKey('notion'),
      input: { database_id: 'db-1' },
      output: [
        ['pages', (v: unknown) => Array.isArray(v) && (v[0] as { id: string }).id === 'page-1'],
        ['count', 1],
      ],
    },
    {
      name: 'unknown database',
      needs: ['notion'],
      credentials: testApiKey('notion'),
      input: { database_id: 'missing' },
      output: [['error', 'notion API error 404: Could not find database with ID: missing.']],
    },
  ],
});

// ---------------------------------------------------------------- Airtable

const AIRTABLE_CREDENTIALS = {
  field: 'credentials',
  providers: ['airtable'],
  types: ['api_key' as const, 'oauth2' as const],
};
const airtableUrl = (base: string, table: string) =>
  `${providerBaseUrl('airtable')}/v0/${encodeURIComponent(base)}/${encodeURIComponent(table)}`;

export const airtableCreateRecordsBlock = defineBlock({
  id: '42527e98-47b6-44ce-ac0e-86b4883721d3',
  name: 'AirtableCreateRecordsBlock',
  description: 'Create records in an Airtable table (batched by 10, as the API requires).',
  categories: ['DATA', 'PRODUCTIVITY'],
  sideEffects: true,
  credentials: AIRTABLE_CREDENTIALS,
  input: z.object({
    credentials: credentialsInput,
    base_id: z.string(),
    table_id_or_name: z.string(),
    records: z
      .array(z.record(z.string(), z.unknown()))
      .describe('Records: {fields: {...}} or the fields object itself'),
    typecast: z.boolean().default(false),
    return_fields_by_field_id: z.boolean().nullish(),
  }),
  output: z.object({
    records: z.array(z.record(z.string(), z.unknown())),
    details: z.record(z.string(), z.unknown()),
    error: z.string(),
  }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const records = input.records.map((r) =>
        r.fields && typeof r.fields === 'object' ? { fields: r.fields } : { fields: r },
      );
      const created: Array<Record<string, unknown>> = [];
      for (let i = 0; i < records.length; i += 10) {
        const { data } = await callProvider<{ records: Array<Record<string, unknown>> }>(ctx, {
          provider: 'airtable',
          url: airtableUrl(input.base_id, input.table_id_or_name),
          method: 'POST',
          headers: { authorization: `Bearer ${requireSecret(ctx, 'airtable')}` },
          json: {
            records: records.slice(i, i + 10),
            typecast: input.typecast,
            ...(input.return_fields_by_field_id != null
              ? { returnFieldsByFieldId: input.return_fields_by_field_id }
              : {}),
          },
        });
        created.push(...data.records);
      }
      yield ['records', created];
      yield ['details', { total_records: created.length }];
    }),
  testCases: [
    {
      needs: ['airtable'],
      credentials: testApiKey('airtable'),
      input: { base_id: 'appDemo', table_id_or_name: 'Tasks', records: [{ fields: { Name: 'A' } }, { Name: 'B' }] },
      output: [
        [
          'records',
          [
            { id: 'rec0002', createdTime: '2025-01-01T00:00:00.000Z', fields: { Name: 'A' } },
            { id: 'rec0003', createdTime: '2025-01-01T00:00:00.000Z', fields: { Name: 'B' } },
          ],
        ],
        ['details', { total_records: 2 }],
      ],
    },
  ],
});

export const airtableListRecordsBlock = defineBlock({
  id: 'c86349cc-6ce8-4361-bd43-a72d9e970c63',
  name: 'AirtableListRecordsBlock',
  description: 'List records of an Airtable table (optional view and formula filter).',
  categories: ['DATA', 'PRODUCTIVITY'],
  credentials: AIRTABLE_CREDENTIALS,
  input: z.object({
    credentials: credentialsInput,
    base_id: z.string(),
    table_id_or_name: z.string(),
    max_records: z.number().int().positive().default(100),
    view: z.string().nullish(),
    filter_formula: z.string().nullish(),
  }),
  output: z.object({ records: z.array(z.record(z.string(), z.unknown())), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const { data } = await callProvider<{ records: Array<Record<string, unknown>> }>(ctx, {
        provider: 'airtable',
        url: airtableUrl(input.base_id, input.table_id_or_name),
        headers: { authorization: `Bearer ${requireSecret(ctx, 'airtable')}` },
        query: { maxRecords: input.max_records, view: input.view, filterByFormula: input.filter_formula },
      });
      yield ['records', data.records];
    }),
  testCases: [
    {
      needs: ['airtable'],
      credentials: testApiKey('airtable'),
      input: { base_id: 'appDemo', table_id_or_name: 'Tasks' },
      output: [
        [
          'records',
          [{ id: 'rec0001', createdTime: '2025-01-01T00:00:00.000Z', fields: { Name: 'Existing', Status: 'Todo' } }],
        ],
      ],
    },
    {
      name: 'unknown table',
      needs: ['airtable'],
      credentials: testApiKey('airtable'),
      input: { base_id: 'appDemo', table_id_or_name: 'Nope' },
      output: [['error', 'airtable API error 404: Could not find table Nope in application appDemo']],
    },
  ],
});

// ---------------------------------------------------------------- HubSpot, Reddit, Twitter

export const hubspotCreateContactBlock = defineBlock({
  id: '3a2fca85-4f0d-486d-8aa7-892163257d14',
  name: 'HubSpotCreateContactBlock',
  description: 'Create a contact in HubSpot CRM.',
  categories: ['CRM'],
  sideEffects: true,
  credentials: { field: 'credentials', providers: ['hubspot'], types: ['api_key', 'oauth2'] },
  input: z.object({
    credentials: credentialsInput,
    email: z.string(),
    firstname: z.string().default(''),
    lastname: z.string().default(''),
    properties: z.record(z.string(), z.string()).default({}).describe('Other contact properties'),
  }),
  output: z.object({ contact: z.record(z.string(), z.unknown()), contact_id: z.string(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const properties: Record<string, string> = { email: input.email, ...input.properties };
      if (input.firstname) properties.firstname = input.firstname;
      if (input.lastname) properties.lastname = input.lastname;
      const { data } = await callProvider<{ id: string; properties: Record<string, unknown> }>(ctx, {
        provider: 'hubspot',
        url: `${providerBaseUrl('hubspot')}/crm/v3/objects/contacts`,
        method: 'POST',
        headers: { authorization: `Bearer ${requireSecret(ctx, 'hubspot')}` },
        json: { properties },
      });
      yield ['contact', data];
      yield ['contact_id', data.id];
    }),
  testCases: [
    {
      needs: ['hubspot'],
      credentials: testApiKey('hubspot'),
      input: { email: 'ada@example.com', firstname: 'Ada' },
      output: [
        ['contact', (v: unknown) => (v as { properties: { email: string } }).properties.email === 'ada@example.com'],
        ['contact_id', '100'],
      ],
    },
    {
      name: 'duplicate',
      needs: ['hubspot'],
      credentials: testApiKey('hubspot'),
      input: { email: 'exists@example.com' },
      output: [['error', 'hubspot API error 409: Contact already exists. Existing ID: 1']],
    },
  ],
});

export const hubspotCreateCompanyBlock = defineBlock({
  id: '52bfffdf-773d-47c9-b013-bff35af0d413',
  name: 'HubSpotCreateCompanyBlock',
  description: 'Create a company in HubSpot CRM.',
  categories: ['CRM'],
  sideEffects: true,
  credentials: { field: 'credentials', providers: ['hubspot'], types: ['api_key', 'oauth2'] },
  input: z.object({
    credentials: credentialsInput,
    name: z.string(),
    domain: z.string().default('').describe('Company website domain, e.g. example.com'),
    properties: z.record(z.string(), z.string()).default({}).describe('Other company properties'),
  }),
  output: z.object({ company: z.record(z.string(), z.unknown()), company_id: z.string(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const properties: Record<string, string> = { name: input.name, ...input.properties };
      if (input.domain) properties.domain = input.domain;
      const { data } = await callProvider<{ id: string; properties: Record<string, unknown> }>(ctx, {
        provider: 'hubspot',
        url: `${providerBaseUrl('hubspot')}/crm/v3/objects/companies`,
        method: 'POST',
        headers: { authorization: `Bearer ${requireSecret(ctx, 'hubspot')}` },
        json: { properties },
      });
      yield ['company', data];
      yield ['company_id', data.id];
    }),
  testCases: [
    {
      needs: ['hubspot'],
      credentials: testApiKey('hubspot'),
      input: { name: 'Acme', domain: 'acme.example' },
      output: [
        ['company', (v: unknown) => (v as { properties: { name: string } }).properties.name === 'Acme'],
        ['company_id', '100'],
      ],
    },
    {
      name: 'invalid domain',
      needs: ['hubspot'],
      credentials: testApiKey('hubspot'),
      input: { name: 'Acme', domain: 'not-a-domain' },
      output: [['error', 'hubspot API error 400: Property values were not valid: not-a-domain is not a valid domain']],
    },
  ],
});

interface RedditChild {
  data: {
    id: string;
    title: string;
    selftext: string;
    author: string;
    url: string;
    permalink: string;
    score: number;
    subreddit: string;
    created_utc: number;
  };
}

export const redditGetPostsBlock = defineBlock({
  id: 'f79f696f-ae30-460d-b7f5-00dafd1db989',
  name: 'RedditGetPostsBlock',
  description: 'Get posts from a subreddit (hot, new or top).',
  categories: ['SOCIAL'],
  credentials: { field: 'credentials', providers: ['reddit'], types: ['oauth2', 'api_key'] },
  input: z.object({
    credentials: credentialsInput,
    subreddit: z.string().transform((s) => s.replace(/^\/?r\//, '')),
    sort: z.enum(['hot', 'new', 'top', 'rising']).default('new'),
    post_limit: z.number().int().min(1).max(100).default(10),
  }),
  output: z.object({ post: z.record(z.string(), z.unknown()), posts: z.array(z.unknown()), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const { data } = await callProvider<{ data: { children: RedditChild[] } }>(ctx, {
        provider: 'reddit',
        url: `${providerBaseUrl('reddit')}/r/${encodeURIComponent(input.subreddit)}/${input.sort}`,
        headers: {
          authorization: `Bearer ${requireSecret(ctx, 'reddit')}`,
          'user-agent': 'agentry:blocks:v0.1 (by /u/agentry)',
        },
        query: { limit: input.post_limit, raw_json: 1 },
      });
      const posts = data.data.children.map(({ data: p }) => ({
        id: p.id,
        subreddit: p.subreddit,
        title: p.title,
        body: p.selftext,
        author: p.author,
        url: `https://www.reddit.com${p.permalink}`,
        score: p.score,
        created_utc: p.created_utc,
      }));
      yield ['posts', posts];
      for (const post of posts) yield ['post', post];
    }),
  testCases: [
    {
      needs: ['reddit'],
      credentials: testOAuth('reddit'),
      input: { subreddit: 'r/typescript', post_limit: 1 },
      output: [
        ['posts', (v: unknown) => Array.isArray(v) && v.length === 1],
        [
          'post',
          {
            id: 'post1',
            subreddit: 'typescript',
            title: 'Post 1 in r/typescript',
            body: 'Body of post 1',
            author: 'user1',
            url: 'https://www.reddit.com/r/typescript/comments/post1/',
            score: 10,
            created_utc: 1735689600,
          },
        ],
      ],
    },
  ],
});

const REDDIT_USER_AGENT = 'agentry:blocks:v0.1 (by /u/agentry)';

interface RedditCommentAnswer {
  json: { errors: string[][]; data?: { things: Array<{ kind: string; data: { id: string; name: string } }> } };
}

export const redditPostCommentBlock = defineBlock({
  id: 'abfad7d7-e695-4762-a982-a334e157ba22',
  name: 'RedditPostCommentBlock',
  description: 'Post a comment on a Reddit post or reply to a comment.',
  categories: ['SOCIAL'],
  sideEffects: true,
  credentials: { field: 'credentials', providers: ['reddit'], types: ['oauth2'], scopes: ['submit'] },
  input: z.object({
    credentials: credentialsInput,
    thing_id: z
      .string()
      .min(1)
      .transform((s) => (/^t\d_/.test(s) ? s : `t3_${s}`))
      .describe('Fullname of the post (t3_…) or comment (t1_…) to reply to; a bare id is taken as a post'),
    text: z.string().min(1).describe('Comment text (Markdown)'),
  }),
  output: z.object({ comment_id: z.string(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const { data } = await callProvider<RedditCommentAnswer>(ctx, {
        provider: 'reddit',
        url: `${providerBaseUrl('reddit')}/api/comment`,
        method: 'POST',
        headers: {
          authorization: `Bearer ${requireSecret(ctx, 'reddit')}`,
          'user-agent': REDDIT_USER_AGENT,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ api_type: 'json', thing_id: input.thing_id, text: input.text }).toString(),
      });
      // Reddit answers 200 with the failures listed in json.errors ([code, message, field]).
      const errors = data.json?.errors ?? [];
      if (errors.length)
        throw new ProviderError(
          'reddit',
          errors[0][0] === 'RATELIMIT' ? 'PROVIDER_RATE_LIMITED' : 'PROVIDER_REJECTED',
          `reddit API error: ${errors.map((e) => `${e[0]}: ${e[1]}`).join('; ')}`,
          200,
          errors[0][0] === 'RATELIMIT',
        );
      const comment = data.json?.data?.things?.[0]?.data;
      if (!comment)
        throw new ProviderError('reddit', 'PROVIDER_BAD_RESPONSE', 'reddit returned no comment', 200, false);
      yield ['comment_id', comment.id];
    }),
  testCases: [
    {
      needs: ['reddit'],
      credentials: testOAuth('reddit', ['submit']),
      input: { thing_id: 't3_post1', text: 'Nice post!' },
      output: [['comment_id', 'c0mm1']],
    },
    {
      name: 'unknown thread',
      needs: ['reddit'],
      credentials: testOAuth('reddit', ['submit']),
      input: { thing_id: 'missing', text: 'x' },
      output: [['error', 'reddit API error: THREAD_NOT_FOUND: that thread could not be found']],
    },
  ],
});

export const twitterPostTweetBlock = defineBlock({
  id: '210338e9-0986-44f5-9418-7cd85e0aab27',
  name: 'TwitterPostTweetBlock',
  description: 'Post a tweet on X/Twitter (API v2).',
  categories: ['SOCIAL'],
  sideEffects: true,
  credentials: {
    field: 'credentials',
    providers: ['twitter'],
    types: ['oauth2'],
    scopes: ['tweet.write', 'users.read', 'tweet.read'],
  },
  input: z.object({
    credentials: credentialsInput,
    tweet_text: z.string().min(1).max(280),
    reply_to_tweet_id: z.string().nullish(),
  }),
  output: z.object({ tweet_id: z.string(), tweet_url: z.string(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const { data } = await callProvider<{ data: { id: string } }>(ctx, {
        provider: 'twitter',
        url: `${providerBaseUrl('twitter')}/2/tweets`,
        method: 'POST',
        headers: { authorization: `Bearer ${requireSecret(ctx, 'twitter')}` },
        json: {
          text: input.tweet_text,
          ...(input.reply_to_tweet_id ? { reply: { in_reply_to_tweet_id: input.reply_to_tweet_id } } : {}),
        },
      });
      yield ['tweet_id', data.data.id];
      yield ['tweet_url', `https://x.com/i/web/status/${data.data.id}`];
    }),
  testCases: [
    {
      needs: ['twitter'],
      credentials: testOAuth('twitter'),
      input: { tweet_text: 'Hello from Agentry' },
      output: [
        ['tweet_id', '1800000000000000000'],
        ['tweet_url', 'https://x.com/i/web/status/1800000000000000000'],
      ],
    },
  ],
});

interface Tweet {
  id: string;
  text: string;
  author_id?: string;
  created_at?: string;
}

export const twitterSearchTweetsBlock = defineBlock({
  id: 'b9b39bd0-29d6-49dd-b202-e284c9fbef65',
  name: 'TwitterSearchTweetsBlock',
  description: 'Search tweets from the last seven days on X/Twitter (API v2 recent search).',
  categories: ['SOCIAL'],
  credentials: {
    field: 'credentials',
    providers: ['twitter'],
    types: ['oauth2', 'api_key'],
    scopes: ['tweet.read', 'users.read'],
  },
  input: z.object({
    credentials: credentialsInput,
    query: z.string().min(1).describe('Search query (X search operators allowed)'),
    max_results: z.number().int().min(10).max(100).default(10),
  }),
  output: z.object({
    tweets: z.array(z.record(z.string(), z.unknown())),
    tweet: z.record(z.string(), z.unknown()),
    error: z.string(),
  }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const { data } = await callProvider<{ data?: Tweet[] }>(ctx, {
        provider: 'twitter',
        url: `${providerBaseUrl('twitter')}/2/tweets/search/recent`,
        headers: { authorization: `Bearer ${requireSecret(ctx, 'twitter')}` },
        query: { query: input.query, max_results: input.max_results, 'tweet.fields': 'author_id,created_at' },
      });
      const tweets = (data.data ?? []).map((t) => ({
        id: t.id,
        text: t.text,
        author_id: t.author_id ?? '',
        created_at: t.created_at ?? '',
        url: `https://x.com/i/web/status/${t.id}`,
      }));
      yield ['tweets', tweets];
      for (const tweet of tweets) yield ['tweet', tweet];
    }),
  testCases: [
    {
      needs: ['twitter'],
      credentials: testOAuth('twitter'),
      input: { query: 'agentry' },
      output: [
        ['tweets', (v: unknown) => Array.isArray(v) && v.length === 2],
        [
          'tweet',
          {
            id: '1700000000000000001',
            text: 'Tweet 1 about agentry',
            author_id: '100',
            created_at: '2025-01-01T00:00:00.000Z',
            url: 'https://x.com/i/web/status/1700000000000000001',
          },
        ],
        ['tweet', (v: unknown) => (v as { id: string }).id === '1700000000000000002'],
      ],
    },
    {
      name: 'no results',
      needs: ['twitter'],
      credentials: testOAuth('twitter'),
      input: { query: 'nothing here' },
      output: [['tweets', []]],
    },
  ],
});

// ---------------------------------------------------------------- Google Sheets and Calendar

const googleBearer = (ctx: BlockContext) => {
  if (ctx.credentials && ctx.credentials.type !== 'oauth2') throw new Error('Google blocks need OAuth2 credentials');
  return { authorization: `Bearer ${requireSecret(ctx, 'google')}` };
};
const SHEETS = (scope: string) => ({
  field: 'credentials',
  providers: ['google'],
  types: ['oauth2' as const],
  scopes: [`https://www.googleapis.com/auth/${scope}`],
});

export const googleSheetsReadBlock = defineBlock({
  id: '4890a907-71ff-4bfe-bbaa-a080676828ff',
  name: 'GoogleSheetsReadBlock',
  description: 'Read a range of a Google Sheets spreadsheet.',
  categories: ['DATA', 'PRODUCTIVITY'],
  credentials: SHEETS('spreadsheets.readonly'),
  input: z.object({ credentials: credentialsInput, spreadsheet_id: z.string(), range: z.string().default('Sheet1') }),
  output: z.object({ result: z.array(z.array(z.string())), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const { data } = await callProvider<{ values?: string[][] }>(ctx, {
        provider: 'google_sheets',
        url: `${providerBaseUrl('google_sheets')}/v4/spreadsheets/${encodeURIComponent(input.spreadsheet_id)}/values/${encodeURIComponent(input.range)}`,
        headers: googleBearer(ctx),
      });
      yield ['result', data.values ?? []];
    }),
  testCases: [
    {
      needs: ['google_sheets'],
      credentials: testOAuth('google'),
      input: { spreadsheet_id: 'sheet-1', range: 'Sheet1!A1:B2' },
      output: [
        [
          'result',
          [
            ['Name', 'Email'],
            ['Ada', 'ada@example.com'],
          ],
        ],
      ],
    },
  ],
});

export const googleSheetsAppendBlock = defineBlock({
  id: 'c21c8774-2024-470d-93f4-a16dea033142',
  name: 'GoogleSheetsAppendBlock',
  description: 'Append rows to a Google Sheets spreadsheet.',
  categories: ['DATA', 'PRODUCTIVITY'],
  sideEffects: true,
  credentials: SHEETS('spreadsheets'),
  input: z.object({
    credentials: credentialsInput,
    spreadsheet_id: z.string(),
    range: z.string().default('Sheet1').describe('Sheet (and optionally range) to append after'),
    values: z.array(z.array(z.unknown())).describe('Rows to append'),
    value_input_option: z.enum(['RAW', 'USER_ENTERED']).default('USER_ENTERED'),
  }),
  output: z.object({ result: z.record(z.string(), z.unknown()), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const { data } = await callProvider<{ updates: Record<string, unknown> }>(ctx, {
        provider: 'google_sheets',
        url: `${providerBaseUrl('google_sheets')}/v4/spreadsheets/${encodeURIComponent(input.spreadsheet_id)}/values/${encodeURIComponent(input.range)}:append`,
        method: 'POST',
        headers: googleBearer(ctx),
        query: { valueInputOption: input.value_input_option, insertDataOption: 'INSERT_ROWS' },
        json: { values: input.values },
      });
      yield ['result', data.updates];
    }),
  testCases: [
    {
      needs: ['google_sheets'],
      credentials: testOAuth('google'),
      input: { spreadsheet_id: 'sheet-1', values: [['Bob', 'bob@example.com']] },
      output: [
        [
          'result',
          {
            spreadsheetId: 'sheet-1',
            updatedRange: 'Sheet1!A3:B3',
            updatedRows: 1,
            updatedColumns: 2,
            updatedCells: 2,
          },
        ],
      ],
    },
  ],
});

interface GoogleEvent {
  id: string;
  summary?: string;
  description?: string;
  location?: string;
  htmlLink?: string;
  hangoutLink?: string;
  recurringEventId?: string;
  start?: { dateTime?: string; date?: string };
  end?: { dateTime?: string; date?: string };
  organizer?: { email?: string };
  attendees?: Array<{ email: string; self?: boolean; responseStatus?: string }>;
}

/** Google Calendar event → AutoGPT's CalendarEvent shape. */
export function toCalendarEvent(e: GoogleEvent): Record<string, unknown> {
  return {
    id: e.id,
    title: e.summary ?? '(No title)',
    start: e.start?.dateTime ?? e.start?.date ?? '',
    end: e.end?.dateTime ?? e.end?.date ?? '',
    is_all_day: !e.start?.dateTime,
    location: e.location ?? null,
    description: e.description ?? null,
    organizer: e.organizer?.email ?? null,
    attendees: (e.attendees ?? []).map((a) => a.email),
    has_video_call: Boolean(e.hangoutLink),
    video_link: e.hangoutLink ?? null,
    calendar_link: e.htmlLink ?? '',
    is_recurring: Boolean(e.recurringEventId),
  };
}

export const googleCalendarReadEventsBlock = defineBlock({
  id: '80bc3ed1-e9a4-449e-8163-a8fc86f74f6a',
  name: 'GoogleCalendarReadEventsBlock',
  description: 'Read upcoming events of a Google Calendar within a time range.',
  categories: ['PRODUCTIVITY'],
  credentials: SHEETS('calendar.readonly'),
  input: z.object({
    credentials: credentialsInput,
    calendar_id: z.string().default('primary'),
    max_events: z.number().int().min(1).max(2500).default(10),
    start_time: z.string().nullish().describe('ISO time to read from (default: now)'),
    time_range_days: z.number().int().min(1).default(30),
    search_term: z.string().nullish(),
    page_token: z.string().nullish(),
    include_declined_events: z.boolean().default(false),
  }),
  output: z.object({
    events: z.array(z.unknown()),
    event: z.record(z.string(), z.unknown()),
    next_page_token: z.string().nullable(),
    error: z.string(),
  }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const start = input.start_time ? new Date(input.start_time) : new Date();
      if (Number.isNaN(start.getTime())) throw new Error(`start_time is not a date: ${input.start_time}`);
      const end = new Date(start.getTime() + input.time_range_days * 86_400_000);
      const { data } = await callProvider<{ items?: GoogleEvent[]; nextPageToken?: string }>(ctx, {
        provider: 'google_calendar',
        url: `${providerBaseUrl('google_calendar')}/calendars/${encodeURIComponent(input.calendar_id)}/events`,
        headers: googleBearer(ctx),
        query: {
          timeMin: start.toISOString(),
          timeMax: end.toISOString(),
          maxResults: input.max_events,
          singleEvents: true,
          orderBy: 'startTime',
          q: input.search_term,
          pageToken: input.page_token,
        },
      });
      const items = (data.items ?? []).filter(
        (e) => input.include_declined_events || !e.attendees?.some((a) => a.self && a.responseStatus === 'declined'),
      );
      const events = items.map(toCalendarEvent);
      yield ['events', events];
      for (const event of events) yield ['event', event];
      yield ['next_page_token', data.nextPageToken ?? null];
    }),
  testCases: [
    {
      needs: ['google_calendar'],
      credentials: testOAuth('google'),
      input: { start_time: '2025-06-03T23:00:00.000Z', time_range_days: 1 },
      output: [
        ['events', (v: unknown) => Array.isArray(v) && v.length === 1],
        [
          'event',
          {
            id: 'evt1',
            title: 'Team sync',
            start: '2025-06-04T09:00:00Z',
            end: '2025-06-04T09:30:00Z',
            is_all_day: false,
            location: 'Room 1',
            description: 'Weekly sync',
            organizer: 'boss@example.com',
            attendees: ['ada@example.com'],
            has_video_call: false,
            video_link: null,
            calendar_link: 'https://calendar.google.com/event?eid=evt1',
            is_recurring: false,
          },
        ],
        ['next_page_token', null],
      ],
    },
  ],
});

export const googleCalendarCreateEventBlock = defineBlock({
  id: 'f0d5d8c2-e6b4-4c37-956f-ed327692c6c6',
  name: 'GoogleCalendarCreateEventBlock',
  description: 'Create an event in a Google Calendar.',
  categories: ['PRODUCTIVITY'],
  sideEffects: true,
  credentials: SHEETS('calendar'),
  input: z.object({
    credentials: credentialsInput,
    calendar_id: z.string().default('primary'),
    event_title: z.string(),
    start_datetime: z.string().describe('ISO date-time'),
    end_datetime: z.string().nullish().describe('ISO date-time (or use duration_minutes)'),
    duration_minutes: z.number().int().positive().default(60),
    description: z.string().nullish(),
    location: z.string().nullish(),
    attendees: z.array(z.string()).default([]),
  }),
  output: z.object({ event_id: z.string(), event_link: z.string(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const start = new Date(input.start_datetime);
      if (Number.isNaN(start.getTime())) throw new Error(`start_datetime is not a date: ${input.start_datetime}`);
      const end = input.end_datetime
        ? new Date(input.end_datetime)
        : new Date(start.getTime() + input.duration_minutes * 60_000);
      const { data } = await callProvider<GoogleEvent>(ctx, {
        provider: 'google_calendar',
        url: `${providerBaseUrl('google_calendar')}/calendars/${encodeURIComponent(input.calendar_id)}/events`,
        method: 'POST',
        headers: googleBearer(ctx),
        json: {
          summary: input.event_title,
          description: input.description ?? undefined,
          location: input.location ?? undefined,
          start: { dateTime: start.toISOString() },
          end: { dateTime: end.toISOString() },
          attendees: input.attendees.map((email) => ({ email })),
        },
      });
      yield ['event_id', data.id];
      yield ['event_link', data.htmlLink ?? ''];
    }),
  testCases: [
    {
      needs: ['google_calendar'],
      credentials: testOAuth('google'),
      input: { event_title: 'Demo', start_datetime: '2025-06-05T10:00:00Z' },
      output: [
        ['event_id', 'evt3'],
        ['event_link', 'https://calendar.google.com/event?eid=evt3'],
      ],
    },
  ],
});

export const developerAndProductivityBlocks = [
  githubCreateIssueBlock,
  githubReadIssueBlock,
  githubCommentBlock,
  githubListReposBlock,
  githubCreatePullRequestBlock,
  githubReadPullRequestBlock,
  linearCreateIssueBlock,
  linearSearchIssuesBlock,
  notionCreatePageBlock,
  notionQueryDatabaseBlock,
  airtableCreateRecordsBlock,
  airtableListRecordsBlock,
  hubspotCreateContactBlock,
  hubspotCreateCompanyBlock,
  redditGetPostsBlock,
  redditPostCommentBlock,
  twitterPostTweetBlock,
  twitterSearchTweetsBlock,
  googleSheetsReadBlock,
  googleSheetsAppendBlock,
  googleCalendarReadEventsBlock,
  googleCalendarCreateEventBlock,
];
