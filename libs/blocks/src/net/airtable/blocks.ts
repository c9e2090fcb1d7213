import { defineBlock, type BlockContext } from '@agentry/block-sdk';
import { z } from 'zod';
import { callProvider, providerBaseUrl, requireSecret } from '../http';
import { credentialsInput } from '../llm/blocks';
import { testApiKey, withErrorPin } from '../support';

/** Airtable Web API, metadata endpoints (https://airtable.com/developers/web/api/create-base). */
async function airtableMeta<T>(ctx: BlockContext, path: string, init: { method?: string; json?: unknown; query?: Record<string, string | undefined> } = {}): Promise<T> {
  const { data } = await callProvider<T>(ctx, {
    provider: 'airtable',
    url: `${providerBaseUrl('airtable')}/v0/meta${path}`,
    method: init.method,
    json: init.json,
    query: init.query,
    headers: { authorization: `Bearer ${requireSecret(ctx, 'airtable')}` },
  });
  return data;
}

const DEFAULT_TABLES = [
  {
    description: 'Default table',
    name: 'Default table',
    fields: [{ name: 'ID', type: 'number', description: 'Auto-incrementing ID field', options: { precision: 0 } }],
  },
];

export const airtableCreateBaseBlock = defineBlock({
  id: 'f59b88a8-54ce-4676-a508-fd614b4e8dce',
  name: 'AirtableCreateBaseBlock',
  description: 'Find a base by name in an Airtable workspace, or create it with the given tables.',
  categories: ['DATA', 'PRODUCTIVITY'],
  sideEffects: true,
  credentials: { field: 'credentials', providers: ['airtable'], types: ['api_key', 'oauth2'] },
  input: z.object({
    credentials: credentialsInput,
    workspace_id: z.string().describe('Workspace to create the base in (wsp…)'),
    name: z.string().describe('Name of the base'),
    tables: z
      .array(z.record(z.string(), z.unknown()))
      .default(DEFAULT_TABLES)
      .describe('Tables to create: {name, description?, fields: [{name, type, options?}]}'),
  }),
  output: z.object({
    base_id: z.string(),
    tables: z.array(z.record(z.string(), z.unknown())),
    table: z.record(z.string(), z.unknown()).describe('One table at a time'),
    was_created: z.boolean().describe('False when a base with this name already existed'),
  }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      let existing: { id: string } | undefined;
      let offset: string | undefined;
      do {
        const page = await airtableMeta<{ bases?: Array<{ id: string; name: string }>; offset?: string }>(ctx, '/bases', {
          query: { offset },
        });
        existing = page.bases?.find((b) => b.name === input.name);
        offset = page.offset;
      } while (!existing && offset);
      let baseId: string;
      let tables: Array<Record<string, unknown>>;
      if (existing) {
        baseId = existing.id;
        tables = (await airtableMeta<{ tables: Array<Record<string, unknown>> }>(ctx, `/bases/${baseId}/tables`)).tables;
      } else {
        const created = await airtableMeta<{ id: string; tables: Array<Record<string, unknown>> }>(ctx, '/bases', {
          method: 'POST',
          json: { name: input.name, workspaceId: input.workspace_id, tables: input.tables },
        });
        baseId = created.id;
        tables = created.tables;
      }
      yield ['base_id', baseId];
      yield ['tables', tables];
      for (const t of tables) yield ['table', t];
      yield ['was_created', !existing];
    }),
  testCases: [
    {
      needs: ['airtable'],
      credentials: testApiKey('airtable'),
      input: {
        workspace_id: 'wspDemo',
        name: 'Leads',
        tables: [{ name: 'Contacts', fields: [{ name: 'Email ID', type: 'email' }] }],
      },
      output: [
        ['base_id', 'appNew0001'],
        ['tables', (v: unknown) => Array.isArray(v) && v.length === 1],
        [
          'table',
          {
            id: 'tblNew0001',
            name: 'Contacts',
            primaryFieldId: 'fldNew0001',
            fields: [{ id: 'fldNew0001', name: 'Email ID', type: 'email' }],
          },
        ],
        ['was_created', true],
      ],
    },
    {
      name: 'finds an existing base',
      needs: ['airtable'],
      credentials: testApiKey('airtable'),
      input: { workspace_id: 'wspDemo', name: 'Demo base' },
      output: [
        ['base_id', 'appDemo'],
        ['tables', (v: unknown) => Array.isArray(v) && v.length === 1],
        ['table', (v: unknown) => (v as { name: string }).name === 'Tasks'],
        ['was_created', false],
      ],
    },
  ],
});

export const airtableMetaBlocks = [airtableCreateBaseBlock];
