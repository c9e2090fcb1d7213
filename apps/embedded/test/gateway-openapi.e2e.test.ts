import fs from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import WebSocket from 'ws';
import { ADMIN, greetingGraph, startTestPlatform, tempDataDir, waitForExecution } from './support';
import type { Platform } from '../src/platform';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { operationId?: string; responses: Record<string, { $ref?: string; content?: Record<string, { schema: object }> }>; 'x-agentry-undeclared'?: boolean }>>;
  components: { schemas: Record<string, object>; responses: Record<string, { content: Record<string, { schema: object }> }> };
};

describe('OpenAPI 3.1 contract: the document covers every route and real responses match it', () => {
  const dataDir = tempDataDir();
  let platform: Platform;
  let base: string;
  let doc: Doc;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const checked = new Set<string>();

  /** Validates a real response against the schema the document gives for its operation and status. */
  async function expectDocumented(method: string, template: string, res: Response): Promise<any> {
    const op = doc.paths[template]?.[method.toLowerCase()];
    expect({ route: `${method} ${template}`, documented: !!op }).toEqual({ route: `${method} ${template}`, documented: true });
    let spec = op!.responses[String(res.status)] ?? op!.responses.default;
    expect({ route: `${method} ${template}`, status: res.status, documented: !!spec }).toEqual({ route: `${method} ${template}`, status: res.status, documented: true });
    if (spec.$ref) spec = doc.components.responses[spec.$ref.split('/').pop()!] as typeof spec;
    const text = await res.text();
    if (!spec.content) {
      expect(text).toBe('');
      return undefined;
    }
    const type = (res.headers.get('content-type') ?? '').split(';')[0];
    const media = spec.content[type];
    expect({ route: `${method} ${template}`, type, documentedTypes: Object.keys(spec.content) }).toEqual({ route: `${method} ${template}`, type, documentedTypes: expect.arrayContaining([type]) });
    const body = type.endsWith('json') ? JSON.parse(text) : text;
    const schema = JSON.parse(JSON.stringify(media.schema).replace(/#\/components\/schemas\//g, 'urn:agentry:'));
    const validate = ajv.compile(schema);
    const ok = validate(body);
    expect({ route: `${method} ${template}`, status: res.status, errors: ok ? null : validate.errors }).toEqual({ route: `${method} ${template}`, status: res.status, errors: null });
    checked.add(`${method.toLowerCase()} ${template}`);
    return body;
  }

  const request = (method: string, path: string, opts: { token?: string; apiKey?: string; body?: unknown } = {}) =>
    fetch(base + path, {
      method,
      headers: { ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }), ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.apiKey ? { 'x-api-key': opts.apiKey } : {}) },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });

  beforeAll(async () => {
    platform = await startTestPlatform(dataDir);
    base = platform.url;
    doc = (await (await fetch(`${base}/openapi.json`)).json()) as Doc;
    for (const [name, schema] of Object.entries(doc.components.schemas)) ajv.addSchema(schema, `urn:agentry:${name}`);
  });
  afterAll(async () => {
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is an OpenAPI 3.1 document whose every schema compiles and whose every operation is answered by the server', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const ids = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (op.operationId) {
          expect(ids.has(op.operationId)).toBe(false);
          ids.add(op.operationId);
        }
        for (const r of Object.values(op.responses)) for (const m of Object.values(r.content ?? {})) expect(() => ajv.compile(JSON.parse(JSON.stringify(m.schema).replace(/#\/components\/schemas\//g, 'urn:agentry:')))).not.toThrow();
        // Without credentials and with dummy ids: the route must exist (anything but the catch-all "no such API route").
        if (method === 'get' || path.startsWith('/api/')) {
          const res = await fetch(base + path.replace(/\{\w+\}/g, 'x'), { method: method.toUpperCase(), headers: { 'content-type': 'application/json' }, body: method === 'get' || method === 'delete' ? undefined : '{}' });
          const text = await res.text();
          expect({ route: `${method} ${path}`, unknown: /no such API route/.test(text) }).toEqual({ route: `${method} ${path}`, unknown: false });
        }
      }
    }
  });

  it('documents the main routes, and their real responses (and refusals) validate against it', async () => {
    const login = await expectDocumented('POST', '/api/v1/auth/login', await request('POST', '/api/v1/auth/login', { body: ADMIN }));
    const token = login.accessToken as string;
    await expectDocumented('POST', '/api/v1/auth/login', await request('POST', '/api/v1/auth/login', { body: { ...ADMIN, password: 'wrong-password' } }));
    await expectDocumented('GET', '/api/v1/me', await request('GET', '/api/v1/me', { token }));
    await expectDocumented('GET', '/api/v1/me', await request('GET', '/api/v1/me'));
    const refreshed = await expectDocumented('POST', '/api/v1/auth/refresh', await request('POST', '/api/v1/auth/refresh', { body: { refreshToken: login.refreshToken } }));
    await expectDocumented('GET', '/.well-known/jwks.json', await request('GET', '/.well-known/jwks.json'));

    const blocks = await expectDocumented('GET', '/api/v1/blocks', await request('GET', '/api/v1/blocks', { token }));
    await expectDocumented('GET', '/api/v1/blocks/{id}', await request('GET', `/api/v1/blocks/${blocks.items[0].id}`, { token }));

    const graph = await expectDocumented('POST', '/api/v1/graphs', await request('POST', '/api/v1/graphs', { token, body: greetingGraph() }));
    await expectDocumented('POST', '/api/v1/graphs', await request('POST', '/api/v1/graphs', { token, body: { name: '' } }));
    await expectDocumented('GET', '/api/v1/graphs', await request('GET', '/api/v1/graphs?limit=5&sort=name', { token }));
    await expectDocumented('GET', '/api/v1/graphs/{id}', await request('GET', `/api/v1/graphs/${graph.id}`, { token }));
    await expectDocumented('GET', '/api/v1/graphs/{id}', await request('GET', '/api/v1/graphs/nope', { token }));
    const v2 = await expectDocumented('PUT', '/api/v1/graphs/{id}', await request('PUT', `/api/v1/graphs/${graph.id}`, { token, body: { ...greetingGraph(), baseVersion: 1 } }));
    expect(v2.version).toBe(2);
    await expectDocumented('PUT', '/api/v1/graphs/{id}', await request('PUT', `/api/v1/graphs/${graph.id}`, { token, body: { ...greetingGraph(), baseVersion: 1 } }));
    await expectDocumented('GET', '/api/v1/graphs/{id}/versions', await request('GET', `/api/v1/graphs/${graph.id}/versions`, { token }));
    const exported = await expectDocumented('GET', '/api/v1/graphs/{id}/export', await request('GET', `/api/v1/graphs/${graph.id}/export`, { token }));
    await expectDocumented('POST', '/api/v1/graphs/import', await request('POST', '/api/v1/graphs/import', { token, body: exported }));

    const run = await expectDocumented('POST', '/api/v1/graphs/{id}/execute', await request('POST', `/api/v1/graphs/${graph.id}/execute`, { token, body: { inputs: { topic: 'contract' } } }));
    await waitForExecution(base, token, run.executionId);
    await expectDocumented('GET', '/api/v1/executions/{id}', await request('GET', `/api/v1/executions/${run.executionId}`, { token }));
    await expectDocumented('GET', '/api/v1/executions/{id}/events', await request('GET', `/api/v1/executions/${run.executionId}/events`, { token }));
    await expectDocumented('GET', '/api/v1/executions', await request('GET', `/api/v1/executions?graphId=${graph.id}&status=COMPLETED`, { token }));
    await expectDocumented('GET', '/api/v1/executions', await request('GET', '/api/v1/executions?status=nope', { token }));
    await expectDocumented('POST', '/api/v1/executions/{id}/cancel', await request('POST', `/api/v1/executions/${run.executionId}/cancel`, { token }));

    const key = await expectDocumented('POST', '/api/v1/api-keys', await request('POST', '/api/v1/api-keys', { token, body: { name: 'contract', scopes: ['graphs:read'] } }));
    await expectDocumented('GET', '/api/v1/graphs', await request('GET', '/api/v1/graphs', { apiKey: key.key }));
    await expectDocumented('POST', '/api/v1/graphs', await request('POST', '/api/v1/graphs', { apiKey: key.key, body: greetingGraph() }));
    await expectDocumented('GET', '/api/v1/api-keys', await request('GET', '/api/v1/api-keys', { token }));
    await expectDocumented('GET', '/api/v1/api-keys/{id}', await request('GET', `/api/v1/api-keys/${key.id}`, { token }));
    await expectDocumented('DELETE', '/api/v1/api-keys/{id}', await request('DELETE', `/api/v1/api-keys/${key.id}`, { token }));

    const tenants = await expectDocumented('GET', '/api/v1/tenants', await request('GET', '/api/v1/tenants', { token }));
    const tenantId = tenants.items[0].id;
    await expectDocumented('GET', '/api/v1/tenants/{id}', await request('GET', `/api/v1/tenants/${tenantId}`, { token }));
    await expectDocumented('GET', '/api/v1/tenants/{id}/members', await request('GET', `/api/v1/tenants/${tenantId}/members`, { token }));
    const invitation = await expectDocumented('POST', '/api/v1/tenants/{id}/invitations', await request('POST', `/api/v1/tenants/${tenantId}/invitations`, { token, body: { email: 'new@contract.test', role: 'viewer' } }));
    await expectDocumented('GET', '/api/v1/tenants/{id}/invitations', await request('GET', `/api/v1/tenants/${tenantId}/invitations`, { token }));
    await expectDocumented('DELETE', '/api/v1/tenants/{id}/invitations/{invitationId}', await request('DELETE', `/api/v1/tenants/${tenantId}/invitations/${invitation.id}`, { token }));
    const created = await expectDocumented('POST', '/api/v1/tenants', await request('POST', '/api/v1/tenants', { token, body: { name: 'Second' } }));
    await expectDocumented('POST', '/api/v1/auth/switch-tenant', await request('POST', '/api/v1/auth/switch-tenant', { token, body: { tenantId: created.id } }));

    await expectDocumented('DELETE', '/api/v1/graphs/{id}', await request('DELETE', `/api/v1/graphs/${graph.id}`, { token }));
    await expectDocumented('POST', '/api/v1/auth/logout', await request('POST', '/api/v1/auth/logout', { body: { refreshToken: refreshed.refreshToken } }));
    await expectDocumented('GET', '/openapi.json', await request('GET', '/openapi.json'));
    await expectDocumented('GET', '/docs', await request('GET', '/docs'));
    expect(checked.size).toBeGreaterThanOrEqual(30);
  });

  it('declares the integration, store and library routes (no x-agentry-undeclared), and their real responses validate', async () => {
    const undeclared = Object.entries(doc.paths)
      .filter(([p, ops]) => /^\/api\/v1\/(credentials|oauth|webhook-triggers|webhooks|schedules|notifications|store|library)\b/.test(p) && Object.values(ops).some((op) => op['x-agentry-undeclared']))
      .map(([p]) => p);
    expect(undeclared).toEqual([]);

    const token = ((await (await request('POST', '/api/v1/auth/login', { body: ADMIN })).json()) as { accessToken: string }).accessToken;
    const graph = (await (await request('POST', '/api/v1/graphs', { token, body: greetingGraph() })).json()) as { id: string };

    // credentials and OAuth
    const credential = await expectDocumented('POST', '/api/v1/credentials', await request('POST', '/api/v1/credentials', { token, body: { provider: 'openai', type: 'api_key', title: 'contract key', secret: { apiKey: 'sk-contract' } } }));
    await expectDocumented('POST', '/api/v1/credentials', await request('POST', '/api/v1/credentials', { token, body: { provider: 'Not A Name', type: 'api_key', secret: {} } }));
    await expectDocumented('GET', '/api/v1/credentials', await request('GET', '/api/v1/credentials?provider=openai', { token }));
    await expectDocumented('POST', '/api/v1/credentials/{id}/revoke', await request('POST', `/api/v1/credentials/${credential.id}/revoke`, { token }));
    await expectDocumented('DELETE', '/api/v1/credentials/{id}', await request('DELETE', `/api/v1/credentials/${credential.id}`, { token }));
    await expectDocumented('DELETE', '/api/v1/credentials/{id}', await request('DELETE', '/api/v1/credentials/nope', { token }));
    await expectDocumented('GET', '/api/v1/oauth/providers', await request('GET', '/api/v1/oauth/providers', { token }));
    await expectDocumented('POST', '/api/v1/oauth/providers', await request('POST', '/api/v1/oauth/providers', { token, body: { name: 'contract', authorizeUrl: 'https://idp.test/authorize', tokenUrl: 'https://idp.test/token', clientId: 'client' } }));
    await expectDocumented('POST', '/api/v1/oauth/{provider}/start', await request('POST', '/api/v1/oauth/contract/start', { token, body: { scopes: ['read'] } }));

    // webhook triggers and schedules
    const trigger = await expectDocumented('POST', '/api/v1/webhook-triggers', await request('POST', '/api/v1/webhook-triggers', { token, body: { graphId: graph.id } }));
    await expectDocumented('GET', '/api/v1/webhook-triggers', await request('GET', `/api/v1/webhook-triggers?graphId=${graph.id}`, { token }));
    const delivery = await fetch(`${base}/api/v1/webhooks/${trigger.id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"event":"ping"}' });
    await expectDocumented('POST', '/api/v1/webhooks/{triggerId}', delivery);
    await expectDocumented('GET', '/api/v1/oauth/callback', await request('GET', '/api/v1/oauth/callback?state=unknown&code=x'));
    await expectDocumented('GET', '/api/v1/notifications/unsubscribe', await request('GET', '/api/v1/notifications/unsubscribe?token=forged'));
    await expectDocumented('DELETE', '/api/v1/webhook-triggers/{id}', await request('DELETE', `/api/v1/webhook-triggers/${trigger.id}`, { token }));
    await expectDocumented('GET', '/api/v1/schedules/preview', await request('GET', '/api/v1/schedules/preview?cron=0%209%20*%20*%20*&timezone=Europe%2FParis&count=3', { token }));
    await expectDocumented('GET', '/api/v1/schedules/preview', await request('GET', '/api/v1/schedules/preview', { token }));
    const schedule = await expectDocumented('POST', '/api/v1/schedules', await request('POST', '/api/v1/schedules', { token, body: { graphId: graph.id, cron: '0 9 * * *', inputs: { topic: 'cron' } } }));
    await expectDocumented('GET', '/api/v1/schedules', await request('GET', '/api/v1/schedules', { token }));
    await expectDocumented('GET', '/api/v1/schedules/{id}', await request('GET', `/api/v1/schedules/${schedule.id}`, { token }));
    await expectDocumented('GET', '/api/v1/schedules/{id}/fires', await request('GET', `/api/v1/schedules/${schedule.id}/fires`, { token }));
    await expectDocumented('POST', '/api/v1/schedules/{id}/pause', await request('POST', `/api/v1/schedules/${schedule.id}/pause`, { token }));
    await expectDocumented('POST', '/api/v1/schedules/{id}/resume', await request('POST', `/api/v1/schedules/${schedule.id}/resume`, { token }));
    await expectDocumented('DELETE', '/api/v1/schedules/{id}', await request('DELETE', `/api/v1/schedules/${schedule.id}`, { token }));

    // notifications
    await expectDocumented('GET', '/api/v1/notifications', await request('GET', '/api/v1/notifications?unreadOnly=true&limit=5', { token }));
    await expectDocumented('GET', '/api/v1/notifications/unread-count', await request('GET', '/api/v1/notifications/unread-count', { token }));
    await expectDocumented('POST', '/api/v1/notifications/read', await request('POST', '/api/v1/notifications/read', { token, body: { all: true } }));
    await expectDocumented('GET', '/api/v1/notifications/preferences', await request('GET', '/api/v1/notifications/preferences', { token }));
    await expectDocumented('PUT', '/api/v1/notifications/preferences', await request('PUT', '/api/v1/notifications/preferences', { token, body: { types: { execution_failed: { inApp: true, email: 'off' } } } }));

    // store: profile, media, a listing through review, ratings, the public catalogue
    await expectDocumented('PUT', '/api/v1/store/me/profile', await request('PUT', '/api/v1/store/me/profile', { token, body: { handle: 'contractors', name: 'Contractors' } }));
    await expectDocumented('GET', '/api/v1/store/me/profile', await request('GET', '/api/v1/store/me/profile', { token }));
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
    const media = await expectDocumented('POST', '/api/v1/store/media', await fetch(`${base}/api/v1/store/media`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' }, body: png }));
    expect(media).toMatchObject({ contentType: 'image/png', size: png.length });
    const image = await request('GET', `/api/v1/store/media/${media.mediaId}`);
    expect({ status: image.status, type: image.headers.get('content-type') }).toEqual({ status: 200, type: 'image/png' });
    await expectDocumented('GET', '/api/v1/store/media/{id}', image);
    const listing = await expectDocumented('POST', '/api/v1/store/listings', await request('POST', '/api/v1/store/listings', { token, body: { graphId: graph.id, name: 'Contract greeter', description: 'greets', categories: ['contract'], images: [media.mediaId] } }));
    expect(listing.status).toBe('PENDING');
    await expectDocumented('GET', '/api/v1/store/my/listings', await request('GET', '/api/v1/store/my/listings', { token }));
    await expectDocumented('GET', '/api/v1/store/my/listings/{id}', await request('GET', `/api/v1/store/my/listings/${listing.id}`, { token }));
    await expectDocumented('GET', '/api/v1/store/admin/queue', await request('GET', '/api/v1/store/admin/queue', { token }));
    await expectDocumented('POST', '/api/v1/store/listings/{id}/versions/{version}/review', await request('POST', `/api/v1/store/listings/${listing.id}/versions/1/review`, { token, body: { decision: 'APPROVE' } }));
    const draft = await expectDocumented('POST', '/api/v1/store/listings/{id}/versions', await request('POST', `/api/v1/store/listings/${listing.id}/versions`, { token, body: { name: 'Contract greeter', draft: true } }));
    await expectDocumented('PUT', '/api/v1/store/listings/{id}/versions/{version}', await request('PUT', `/api/v1/store/listings/${listing.id}/versions/${draft.latestVersion}`, { token, body: { name: 'Contract greeter 2' } }));
    await expectDocumented('POST', '/api/v1/store/listings/{id}/versions/{version}/submit', await request('POST', `/api/v1/store/listings/${listing.id}/versions/${draft.latestVersion}/submit`, { token }));
    await expectDocumented('PUT', '/api/v1/store/listings/{id}/featured', await request('PUT', `/api/v1/store/listings/${listing.id}/featured`, { token, body: { featured: true } }));
    await expectDocumented('POST', '/api/v1/store/listings/{id}/ratings', await request('POST', `/api/v1/store/listings/${listing.id}/ratings`, { token, body: { score: 4 } }));
    await expectDocumented('PUT', '/api/v1/store/listings/{id}/ratings/mine', await request('PUT', `/api/v1/store/listings/${listing.id}/ratings/mine`, { token, body: { score: 5, comment: 'fine' } }));
    await expectDocumented('GET', '/api/v1/store/listings', await request('GET', '/api/v1/store/listings?q=greeter&sort=rating'));
    await expectDocumented('GET', '/api/v1/store/featured', await request('GET', '/api/v1/store/featured'));
    await expectDocumented('GET', '/api/v1/store/categories', await request('GET', '/api/v1/store/categories'));
    await expectDocumented('GET', '/api/v1/store/listings/{id}', await request('GET', `/api/v1/store/listings/${listing.id}`));
    await expectDocumented('GET', '/api/v1/store/listings/{id}', await request('GET', '/api/v1/store/listings/nope'));
    await expectDocumented('GET', '/api/v1/store/listings/{id}/ratings', await request('GET', `/api/v1/store/listings/${listing.id}/ratings`));
    await expectDocumented('GET', '/api/v1/store/creators/{handle}', await request('GET', '/api/v1/store/creators/contractors'));

    // library
    const agent = await expectDocumented('POST', '/api/v1/library', await request('POST', '/api/v1/library', { token, body: { listingId: listing.id } }));
    expect(agent.listingId).toBe(listing.id);
    await expectDocumented('GET', '/api/v1/library', await request('GET', '/api/v1/library', { token }));
    await expectDocumented('GET', '/api/v1/library/{id}', await request('GET', `/api/v1/library/${agent.id}`, { token }));
    const withPreset = await expectDocumented('POST', '/api/v1/library/{id}/presets', await request('POST', `/api/v1/library/${agent.id}/presets`, { token, body: { name: 'world', inputs: { topic: 'world' } } }));
    const run = await expectDocumented('POST', '/api/v1/library/{id}/run', await request('POST', `/api/v1/library/${agent.id}/run`, { token, body: { presetId: withPreset.presets[0].id } }));
    expect((await waitForExecution(base, token, run.executionId)).status).toBe('COMPLETED');
    await expectDocumented('POST', '/api/v1/library/{id}/update', await request('POST', `/api/v1/library/${agent.id}/update`, { token }));
    await expectDocumented('DELETE', '/api/v1/library/{id}/presets/{presetId}', await request('DELETE', `/api/v1/library/${agent.id}/presets/${withPreset.presets[0].id}`, { token }));
  });

  it('documents quotas, usage and platform administration, and their real responses validate', async () => {
    const token = ((await (await request('POST', '/api/v1/auth/login', { body: ADMIN })).json()) as { accessToken: string }).accessToken;
    const me = await expectDocumented('GET', '/api/v1/me', await request('GET', '/api/v1/me', { token }));
    await expectDocumented('PATCH', '/api/v1/tenants/{id}/quotas', await request('PATCH', `/api/v1/tenants/${me.tenantId}/quotas`, { token, body: { executionsPerDay: 1000, storageBytes: null } }));
    await expectDocumented('PATCH', '/api/v1/tenants/{id}/quotas', await request('PATCH', `/api/v1/tenants/${me.tenantId}/quotas`, { token, body: { executionsPerDay: -1 } }));
    await expectDocumented('GET', '/api/v1/tenants/{id}/quotas', await request('GET', `/api/v1/tenants/${me.tenantId}/quotas`, { token }));
    await expectDocumented('GET', '/api/v1/tenants/{id}/usage', await request('GET', `/api/v1/tenants/${me.tenantId}/usage`, { token }));
    await expectDocumented('GET', '/api/v1/tenants/{id}/usage', await request('GET', '/api/v1/tenants/nope/usage', { token }));

    await expectDocumented('POST', '/api/v1/admin/read-models/rebuild', await request('POST', '/api/v1/admin/read-models/rebuild', { token, body: {} }));
    await expectDocumented('POST', '/api/v1/admin/read-models/rebuild', await request('POST', '/api/v1/admin/read-models/rebuild', { token, body: { service: 'store' } }));
    const graph = (await (await request('POST', '/api/v1/graphs', { token, body: greetingGraph() })).json()) as { id: string };
    const run = (await (await request('POST', `/api/v1/graphs/${graph.id}/execute`, { token, body: { inputs: { topic: 'replay' } } })).json()) as { executionId: string };
    await waitForExecution(base, token, run.executionId);
    const replay = await expectDocumented('POST', '/api/v1/admin/executions/{id}/replay', await request('POST', `/api/v1/admin/executions/${run.executionId}/replay`, { token }));
    expect(replay.matches).toBe(true);
    await expectDocumented('POST', '/api/v1/admin/services/{service}/drain', await request('POST', '/api/v1/admin/services/gateway/drain', { token }));
    await expectDocumented('GET', '/api/v1/admin/services/{service}/drain', await request('GET', '/api/v1/admin/services/gateway/drain', { token }));
    await expectDocumented('DELETE', '/api/v1/admin/services/{service}/drain', await request('DELETE', '/api/v1/admin/services/gateway/drain', { token }));
  });

  it('serves browsable docs without a CDN', async () => {
    const html = await (await fetch(`${base}/docs`)).text();
    expect(html).toContain('/openapi.json');
    expect(html).not.toMatch(/https?:\/\/(?!json-schema)/);
    const css = await fetch(`${base}/docs/assets/swagger-ui.css`);
    expect(css.status).toBe(200);
    // The WebSocket endpoint lives beside the API (it is described in docs/api.md, not in OpenAPI).
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`);
    const code = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)).on('error', () => resolve(-1)));
    expect(code).toBe(401);
  });
});
