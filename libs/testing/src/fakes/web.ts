import { Router, type Request, type Response } from 'express';
import { bearerOf, listen, newApp, type FakeServer, type RecordedRequest } from './http';
import { dataforseo, e2b, firecrawl, googleMaps, ideogram, replicate, revid, wordpress, youtube } from './providers';

/**
 * One server for the third-party REST APIs the network blocks call, each under its own prefix, answering
 * with the shapes of the real APIs for the calls the blocks make. Tokens containing "invalid" are refused
 * the way each API refuses them. State (issues, records, events, mails) lives in memory per server.
 *
 *   /github /linear /notion /airtable /hubspot /reddit /twitter /sheets /calendar /gmail /slack/api
 *   /slack/hooks /discord/api (webhooks, v10 bot API) /telegram /jina/reader /jina/search
 *   /wikipedia/{lang}/api/rest_v1 /web, and (providers.ts) /firecrawl /dataforseo /maps /ideogram /replicate
 *   /revid /wordpress /e2b/api /e2b/sandbox/{id} /youtube
 */
export interface FakeWebServer extends FakeServer {
  /** Env variables pointing each provider at this server (set by startFakeServers). */
  env: Record<string, string>;
}

const invalid = (token: string | undefined): boolean => !token || token.includes('invalid');
const NOW = '2025-01-01T00:00:00.000Z';

function github(): Router {
  const r = Router();
  type Issue = {
    number: number;
    title: string;
    body: string | null;
    state: string;
    labels: string[];
    user: { login: string };
    pull?: { head: string; base: string };
  };
  const repos = new Map<string, Issue[]>([
    [
      'octo/demo',
      [
        {
          number: 1,
          title: 'First issue',
          body: 'It is broken',
          state: 'open',
          labels: [],
          user: { login: 'octocat' },
        },
      ],
    ],
  ]);
  const comments: Array<{ id: number; body: string }> = [];
  const ghUrl = (req: Request) => `${req.protocol}://${req.get('host')}/github`;
  r.use((req, res, next) => {
    if (invalid(bearerOf(req) ?? /^token\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1])) {
      return void res
        .status(401)
        .json({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    }
    next();
  });
  const issueJson = (req: Request, repo: string, i: Issue) => ({
    id: 1000 + i.number,
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    user: i.user,
    labels: i.labels.map((name) => ({ name })),
    url: `${ghUrl(req)}/repos/${repo}/issues/${i.number}`,
    html_url: `https://github.com/${repo}/${i.pull ? 'pull' : 'issues'}/${i.number}`,
    created_at: NOW,
    ...(i.pull ? { head: { ref: i.pull.head }, base: { ref: i.pull.base }, merged: false, draft: false } : {}),
  });
  const repoOf = (req: Request, res: Response): [string, Issue[]] | undefined => {
    const key = `${req.params.owner}/${req.params.repo}`;
    const list = repos.get(key);
    if (!list)
      res.status(404).json({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
    return list ? [key, list] : undefined;
  };
  r.get('/user/repos', (_req, res) =>
    res.json(
      [...repos.keys()].map((full, i) => ({
        id: i + 1,
        name: full.split('/')[1],
        full_name: full,
        private: false,
        html_url: `https://github.com/${full}`,
        description: 'Demo repo',
      })),
    ),
  );
  r.post('/repos/:owner/:repo/issues', (req, res) => {
    const found = repoOf(req, res);
    if (!found) return;
    const body = req.body as { title?: string; body?: string; labels?: string[] };
    if (!body?.title)
      return void res
        .status(422)
        .json({ message: 'Validation Failed', errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }] });
    const issue: Issue = {
      number: found[1].length + 1,
      title: body.title,
      body: body.body ?? null,
      state: 'open',
      labels: body.labels ?? [],
      user: { login: 'octocat' },
    };
    found[1].push(issue);
    res.status(201).json(issueJson(req, found[0], issue));
  });
  r.get('/repos/:owner/:repo/issues/:number', (req, res) => {
    const found = repoOf(req, res);
    const issue = found?.[1].find((i) => i.number === Number(req.params.number));
    if (!found) return;
    if (!issue)
      return void res
        .status(404)
        .json({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
    res.json(issueJson(req, found[0], issue));
  });
  r.post('/repos/:owner/:repo/issues/:number/comments', (req, res) => {
    const found = repoOf(req, res);
    if (!found) return;
    if (!found[1].some((i) => i.number === Number(req.params.number)))
      return void res.status(404).json({ message: 'Not Found' });
    const comment = { id: 5000 + comments.length, body: String((req.body as { body?: string })?.body ?? '') };
    comments.push(comment);
    res
      .status(201)
      .json({
        ...comment,
        html_url: `https://github.com/${found[0]}/issues/${req.params.number}#issuecomment-${comment.id}`,
        user: { login: 'octocat' },
      });
  });
  r.post('/repos/:owner/:repo/pulls', (req, res) => {
    const found = repoOf(req, res);
    if (!found) return;
    const body = req.body as { title?: string; body?: string; head?: string; base?: string };
    if (!body?.title || !body.head || !body.base)
      return void res
        .status(422)
        .json({ message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'missing_field' }] });
    const pr: Issue = {
      number: found[1].length + 1,
      title: body.title,
      body: body.body ?? null,
      state: 'open',
      labels: [],
      user: { login: 'octocat' },
      pull: { head: body.head, base: body.base },
    };
    found[1].push(pr);
    res.status(201).json(issueJson(req, found[0], pr));
  });
  r.get('/repos/:owner/:repo/pulls/:number', (req, res) => {
    const found = repoOf(req, res);
    const pr = found?.[1].find((i) => i.number === Number(req.params.number) && i.pull);
    if (!found) return;
    if (!pr) return void res.status(404).json({ message: 'Not Found' });
    res.json(issueJson(req, found[0], pr));
  });
  return r;
}

function linear(): Router {
  const r = Router();
  const issues = [
    {
      id: 'issue-1',
      identifier: 'ENG-1',
      title: 'Fix login bug',
      description: 'Users cannot log in',
      url: 'https://linear.app/acme/issue/ENG-1',
      state: { name: 'Todo' },
    },
  ];
  r.post('/graphql', (req, res) => {
    const auth = String(req.headers.authorization ?? '');
    if (invalid(auth)) {
      return void res
        .status(401)
        .json({
          errors: [
            {
              message: 'Authentication required, not authenticated',
              extensions: { type: 'authentication error', code: 'AUTHENTICATION_ERROR' },
            },
          ],
        });
    }
    const { query = '', variables = {} } = (req.body ?? {}) as { query?: string; variables?: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    if (query.includes('issueCreate')) {
      const input = variables.input ?? {};
      if (!input.teamId || !input.title)
        return void res.json({
          data: null,
          errors: [{ message: 'Argument Validation Error', extensions: { code: 'INVALID_INPUT' } }],
        });
      const n = issues.length + 1;
      const issue = {
        id: `issue-${n}`,
        identifier: `ENG-${n}`,
        title: input.title,
        description: input.description ?? '',
        url: `https://linear.app/acme/issue/ENG-${n}`,
        state: { name: 'Todo' },
      };
      issues.push(issue);
      return void res.json({ data: { issueCreate: { success: true, issue } } });
    }
    if (query.includes('searchIssues')) {
      const term = String(variables.term ?? '').toLowerCase();
      return void res.json({
        data: {
          searchIssues: {
            nodes: issues
              .filter((i) => `${i.title} ${i.description}`.toLowerCase().includes(term))
              .slice(0, variables.first ?? 10),
          },
        },
      });
    }
    res
      .status(400)
      .json({
        errors: [{ message: 'Cannot query field on type "Query"', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }],
      });
  });
  return r;
}

function notion(): Router {
  const r = Router();
  const pages: Array<{ id: string; parent: unknown; properties: Record<string, unknown> }> = [
    {
      id: 'page-1',
      parent: { database_id: 'db-1' },
      properties: {
        Name: {
          id: 'title',
          type: 'title',
          title: [{ plain_text: 'Existing task', text: { content: 'Existing task' } }],
        },
      },
    },
  ];
  r.use((req, res, next) => {
    if (invalid(bearerOf(req)))
      return void res
        .status(401)
        .json({ object: 'error', status: 401, code: 'unauthorized', message: 'API token is invalid.' });
    if (!req.headers['notion-version'])
      return void res
        .status(400)
        .json({
          object: 'error',
          status: 400,
          code: 'missing_version',
          message:
            'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.',
        });
    next();
  });
  const pageJson = (p: (typeof pages)[number]) => ({
    object: 'page',
    id: p.id,
    created_time: NOW,
    last_edited_time: NOW,
    parent: p.parent,
    properties: p.properties,
    url: `https://www.notion.so/${p.id}`,
  });
  r.post('/v1/pages', (req, res) => {
    const body = req.body as { parent?: unknown; properties?: Record<string, unknown>; children?: unknown[] };
    if (!body?.parent)
      return void res
        .status(400)
        .json({
          object: 'error',
          status: 400,
          code: 'validation_error',
          message: 'body failed validation: body.parent should be defined.',
        });
    const page = { id: `page-${pages.length + 1}`, parent: body.parent, properties: body.properties ?? {} };
    pages.push(page);
    res.json(pageJson(page));
  });
  r.post('/v1/databases/:id/query', (req, res) => {
    if (req.params.id === 'missing')
      return void res
        .status(404)
        .json({
          object: 'error',
          status: 404,
          code: 'object_not_found',
          message: `Could not find database with ID: ${req.params.id}.`,
        });
    const size = Number((req.body as { page_size?: number })?.page_size ?? 100);
    const results = pages
      .filter((p) => (p.parent as { database_id?: string }).database_id === req.params.id)
      .slice(0, size)
      .map(pageJson);
    res.json({ object: 'list', results, next_cursor: null, has_more: false, type: 'page_or_database' });
  });
  return r;
}

function airtable(): Router {
  const r = Router();
  const tables = new Map<string, Array<{ id: string; createdTime: string; fields: Record<string, unknown> }>>([
    ['appDemo/Tasks', [{ id: 'rec0001', createdTime: NOW, fields: { Name: 'Existing', Status: 'Todo' } }]],
  ]);
  r.use((req, res, next) => {
    if (invalid(bearerOf(req)))
      return void res
        .status(401)
        .json({ error: { type: 'AUTHENTICATION_REQUIRED', message: 'Authentication required' } });
    next();
  });
  const tableOf = (req: Request, res: Response) => {
    const key = `${req.params.base}/${decodeURIComponent(String(req.params.table))}`;
    const t = tables.get(key);
    if (!t)
      res
        .status(404)
        .json({
          error: {
            type: 'TABLE_NOT_FOUND',
            message: `Could not find table ${req.params.table} in application ${req.params.base}`,
          },
        });
    return t;
  };
  // Metadata API (registered before the record routes, whose /v0/:base/:table would match /v0/meta/bases).
  const bases: Array<{ id: string; name: string; workspaceId: string; tables: Array<Record<string, unknown>> }> = [
    {
      id: 'appDemo',
      name: 'Demo base',
      workspaceId: 'wspDemo',
      tables: [
        {
          id: 'tblTasks',
          name: 'Tasks',
          primaryFieldId: 'fldName',
          fields: [
            { id: 'fldName', name: 'Name', type: 'singleLineText' },
            { id: 'fldStatus', name: 'Status', type: 'singleSelect' },
          ],
        },
      ],
    },
  ];
  r.get('/v0/meta/bases', (_req, res) =>
    res.json({ bases: bases.map((b) => ({ id: b.id, name: b.name, permissionLevel: 'create' })) }),
  );
  r.get('/v0/meta/bases/:base/tables', (req, res) => {
    const base = bases.find((b) => b.id === req.params.base);
    if (!base) return void res.status(404).json({ error: { type: 'NOT_FOUND', message: 'Could not find base' } });
    res.json({ tables: base.tables });
  });
  r.post('/v0/meta/bases', (req, res) => {
    const body = (req.body ?? {}) as {
      name?: string;
      workspaceId?: string;
      tables?: Array<{ name?: string; description?: string; fields?: Array<Record<string, unknown>> }>;
    };
    if (!body.name || !body.workspaceId || !body.tables?.length || body.tables.some((t) => !t.name || !t.fields?.length))
      return void res.status(422).json({
        error: { type: 'INVALID_REQUEST_UNKNOWN', message: 'Invalid request: name, workspaceId and tables with fields are required' },
      });
    const n = String(bases.length).padStart(4, '0');
    let field = 0;
    const tables = body.tables.map((t, ti) => {
      const fields = (t.fields ?? []).map((f) => ({ id: `fldNew${String(++field).padStart(4, '0')}`, ...f }));
      return {
        id: `tblNew${String(ti + 1).padStart(4, '0')}`,
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        primaryFieldId: fields[0].id,
        fields,
      };
    });
    const base = { id: `appNew${n}`, name: body.name, workspaceId: body.workspaceId, tables };
    bases.push(base);
    res.json({ id: base.id, tables });
  });
  r.post('/v0/:base/:table', (req, res) => {
    const table = tableOf(req, res);
    if (!table) return;
    const records = (req.body as { records?: Array<{ fields?: Record<string, unknown> }> })?.records;
    if (!Array.isArray(records) || records.length === 0 || records.length > 10) {
      return void res
        .status(422)
        .json({ error: { type: 'INVALID_RECORDS', message: 'You must provide an array of up to 10 record objects' } });
    }
    const created = records.map((rec, i) => ({
      id: `rec${String(table.length + i + 1).padStart(4, '0')}`,
      createdTime: NOW,
      fields: rec.fields ?? {},
    }));
    table.push(...created);
    res.json({ records: created });
  });
  r.get('/v0/:base/:table', (req, res) => {
    const table = tableOf(req, res);
    if (!table) return;
    const max = Number(req.query.maxRecords ?? table.length);
    res.json({ records: table.slice(0, max) });
  });
  return r;
}

function hubspot(): Router {
  const r = Router();
  let next = 100;
  r.post('/crm/v3/objects/contacts', (req, res) => {
    if (invalid(bearerOf(req))) {
      return void res
        .status(401)
        .json({
          status: 'error',
          message: 'Authentication credentials not found.',
          category: 'INVALID_AUTHENTICATION',
          correlationId: 'fake',
        });
    }
    const properties = ((req.body ?? {}) as { properties?: Record<string, string> }).properties ?? {};
    if (properties.email === 'exists@example.com') {
      return void res
        .status(409)
        .json({
          status: 'error',
          message: 'Contact already exists. Existing ID: 1',
          category: 'CONFLICT',
          correlationId: 'fake',
        });
    }
    res
      .status(201)
      .json({
        id: String(next++),
        properties: { ...properties, createdate: NOW, hs_object_id: String(next - 1) },
        createdAt: NOW,
        updatedAt: NOW,
        archived: false,
      });
  });
  r.post('/crm/v3/objects/companies', (req, res) => {
    if (invalid(bearerOf(req))) {
      return void res.status(401).json({
        status: 'error',
        message: 'Authentication credentials not found.',
        category: 'INVALID_AUTHENTICATION',
        correlationId: 'fake',
      });
    }
    const properties = ((req.body ?? {}) as { properties?: Record<string, string> }).properties ?? {};
    if (properties.domain !== undefined && !properties.domain.includes('.')) {
      return void res.status(400).json({
        status: 'error',
        message: `Property values were not valid: ${properties.domain} is not a valid domain`,
        category: 'VALIDATION_ERROR',
        correlationId: 'fake',
      });
    }
    const id = String(next++);
    res.status(201).json({
      id,
      properties: { ...properties, createdate: NOW, hs_object_id: id },
      createdAt: NOW,
      updatedAt: NOW,
      archived: false,
    });
  });
  return r;
}

function reddit(): Router {
  const r = Router();
  r.get('/r/:subreddit/:sort', (req, res) => {
    if (invalid(bearerOf(req))) return void res.status(401).json({ message: 'Unauthorized', error: 401 });
    if (!req.headers['user-agent']) return void res.status(429).json({ message: 'Too Many Requests', error: 429 });
    const limit = Number(req.query.limit ?? 25);
    const children = Array.from({ length: Math.min(limit, 3) }, (_, i) => ({
      kind: 't3',
      data: {
        id: `post${i + 1}`,
        name: `t3_post${i + 1}`,
        title: `Post ${i + 1} in r/${req.params.subreddit}`,
        selftext: `Body of post ${i + 1}`,
        author: `user${i + 1}`,
        score: 10 - i,
        num_comments: i,
        url: `https://www.reddit.com/r/${req.params.subreddit}/comments/post${i + 1}/`,
        permalink: `/r/${req.params.subreddit}/comments/post${i + 1}/`,
        subreddit: req.params.subreddit,
        created_utc: 1_735_689_600 + i,
      },
    }));
    res.json({ kind: 'Listing', data: { after: null, before: null, dist: children.length, children } });
  });
  let nextComment = 1;
  r.post('/api/comment', (req, res) => {
    if (invalid(bearerOf(req))) return void res.status(401).json({ message: 'Unauthorized', error: 401 });
    if (!req.headers['user-agent']) return void res.status(429).json({ message: 'Too Many Requests', error: 429 });
    const body = (req.body ?? {}) as { thing_id?: string; text?: string; api_type?: string };
    // Reddit answers 200 with the failures listed in json.errors ([code, message, field]).
    const errors: string[][] = [];
    if (!body.text) errors.push(['NO_TEXT', 'we need something here', 'text']);
    if (!body.thing_id || !/^t[13]_/.test(body.thing_id) || body.thing_id.includes('missing'))
      errors.push(['THREAD_NOT_FOUND', 'that thread could not be found', 'parent']);
    if (errors.length) return void res.json({ json: { errors } });
    const id = `c0mm${nextComment++}`;
    res.json({
      json: {
        errors: [],
        data: {
          things: [
            {
              kind: 't1',
              data: {
                id,
                name: `t1_${id}`,
                parent_id: body.thing_id,
                body: body.text,
                author: 'agentry',
                created_utc: 1_735_689_600,
              },
            },
          ],
        },
      },
    });
  });
  return r;
}

function twitter(): Router {
  const r = Router();
  let next = 1_800_000_000_000_000_000n;
  r.post('/2/tweets', (req, res) => {
    if (invalid(bearerOf(req)))
      return void res
        .status(401)
        .json({ title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' });
    const text = String((req.body as { text?: string })?.text ?? '');
    if (!text || text.length > 280) {
      return void res
        .status(400)
        .json({
          errors: [{ message: 'Text must be 1 to 280 characters' }],
          title: 'Invalid Request',
          detail: 'One or more parameters to your request was invalid.',
          type: 'https://api.twitter.com/2/problems/invalid-request',
        });
    }
    const id = String(next++);
    res.status(201).json({ data: { id, text, edit_history_tweet_ids: [id] } });
  });
  r.get('/2/tweets/search/recent', (req, res) => {
    if (invalid(bearerOf(req)))
      return void res
        .status(401)
        .json({ title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' });
    const query = String(req.query.query ?? '');
    const max = Number(req.query.max_results ?? 10);
    if (!query || !(max >= 10 && max <= 100)) {
      return void res.status(400).json({
        errors: [
          {
            message: !query
              ? 'The `query` query parameter can not be empty'
              : 'The `max_results` query parameter value is not between 10 and 100',
          },
        ],
        title: 'Invalid Request',
        detail: 'One or more parameters to your request was invalid.',
        type: 'https://api.twitter.com/2/problems/invalid-request',
      });
    }
    if (query.includes('nothing')) return void res.json({ meta: { result_count: 0 } });
    const data = [1, 2].map((i) => ({
      id: `170000000000000000${i}`,
      text: `Tweet ${i} about ${query}`,
      author_id: `${i}00`,
      created_at: NOW,
      edit_history_tweet_ids: [`170000000000000000${i}`],
    }));
    res.json({
      data,
      meta: { newest_id: data[0].id, oldest_id: data[data.length - 1].id, result_count: data.length },
    });
  });
  return r;
}

function googleAuth(req: Request, res: Response): boolean {
  if (!invalid(bearerOf(req))) return true;
  res
    .status(401)
    .json({
      error: {
        code: 401,
        message: 'Request had invalid authentication credentials. Expected OAuth 2 access token.',
        status: 'UNAUTHENTICATED',
      },
    });
  return false;
}

function sheets(): Router {
  const r = Router();
  const data = new Map<string, string[][]>([
    [
      'sheet-1',
      [
        ['Name', 'Email'],
        ['Ada', 'ada@example.com'],
      ],
    ],
  ]);
  const sheet = (req: Request, res: Response, id: string) => {
    const rows = data.get(id);
    if (!rows)
      res.status(404).json({ error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' } });
    return rows;
  };
  r.get(/^\/v4\/spreadsheets\/([^/]+)\/values\/([^/:]+(?::[A-Z]+\d*)?)$/, (req, res) => {
    if (!googleAuth(req, res)) return;
    const [id, range] = [
      (req.params as Record<string, string>)[0],
      decodeURIComponent((req.params as Record<string, string>)[1]),
    ];
    const rows = sheet(req, res, id);
    if (rows)
      res.json({ range: range.includes('!') ? range : `Sheet1!${range}`, majorDimension: 'ROWS', values: rows });
  });
  r.post(/^\/v4\/spreadsheets\/([^/]+)\/values\/(.+):append$/, (req, res) => {
    if (!googleAuth(req, res)) return;
    const [id, range] = [
      (req.params as Record<string, string>)[0],
      decodeURIComponent((req.params as Record<string, string>)[1]),
    ];
    const rows = sheet(req, res, id);
    if (!rows) return;
    if (!req.query.valueInputOption)
      return void res
        .status(400)
        .json({
          error: { code: 400, message: "'valueInputOption' is required but not specified", status: 'INVALID_ARGUMENT' },
        });
    const values = ((req.body as { values?: string[][] })?.values ?? []).map((row) => row.map(String));
    const start = rows.length + 1;
    rows.push(...values);
    const cells = values.reduce((n, row) => n + row.length, 0);
    const sheetName = range.split('!')[0] || 'Sheet1';
    res.json({
      spreadsheetId: id,
      tableRange: `${sheetName}!A1:B${start - 1}`,
      updates: {
        spreadsheetId: id,
        updatedRange: `${sheetName}!A${start}:B${rows.length}`,
        updatedRows: values.length,
        updatedColumns: Math.max(0, ...values.map((v) => v.length)),
        updatedCells: cells,
      },
    });
  });
  return r;
}

function calendar(): Router {
  const r = Router();
  const events: Array<Record<string, unknown>> = [
    {
      id: 'evt1',
      status: 'confirmed',
      summary: 'Team sync',
      description: 'Weekly sync',
      location: 'Room 1',
      htmlLink: 'https://calendar.google.com/event?eid=evt1',
      start: { dateTime: '2025-06-04T09:00:00Z' },
      end: { dateTime: '2025-06-04T09:30:00Z' },
      organizer: { email: 'boss@example.com' },
      attendees: [{ email: 'ada@example.com', responseStatus: 'accepted' }],
    },
    {
      id: 'evt2',
      status: 'confirmed',
      summary: 'Declined meeting',
      start: { dateTime: '2025-06-04T11:00:00Z' },
      end: { dateTime: '2025-06-04T12:00:00Z' },
      attendees: [{ email: 'me@example.com', self: true, responseStatus: 'declined' }],
    },
  ];
  r.get('/calendars/:calendarId/events', (req, res) => {
    if (!googleAuth(req, res)) return;
    const min = req.query.timeMin ? Date.parse(String(req.query.timeMin)) : -Infinity;
    const max = req.query.timeMax ? Date.parse(String(req.query.timeMax)) : Infinity;
    const items = events.filter((e) => {
      const t = Date.parse(String((e.start as { dateTime?: string }).dateTime));
      return t >= min && t < max;
    });
    res.json({
      kind: 'calendar#events',
      summary: req.params.calendarId,
      items: items.slice(0, Number(req.query.maxResults ?? 250)),
    });
  });
  r.post('/calendars/:calendarId/events', (req, res) => {
    if (!googleAuth(req, res)) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!body.start || !body.end)
      return void res
        .status(400)
        .json({ error: { code: 400, message: 'Missing end time.', status: 'INVALID_ARGUMENT' } });
    const event = {
      ...body,
      id: `evt${events.length + 1}`,
      status: 'confirmed',
      htmlLink: `https://calendar.google.com/event?eid=evt${events.length + 1}`,
    };
    events.push(event);
    res.json(event);
  });
  return r;
}

function gmail(): Router {
  const r = Router();
  const b64url = (s: string) => Buffer.from(s).toString('base64url');
  const inbox = [
    {
      id: 'm1',
      threadId: 't1',
      from: 'Ada <ada@example.com>',
      to: 'me@example.com',
      subject: 'Hello',
      date: 'Wed, 1 Jan 2025 10:00:00 +0000',
      body: 'Hi there!',
      labels: ['INBOX', 'UNREAD'],
    },
    {
      id: 'm2',
      threadId: 't2',
      from: 'bob@example.com',
      to: 'me@example.com',
      subject: 'Report',
      date: 'Wed, 1 Jan 2025 11:00:00 +0000',
      body: 'See attached.',
      labels: ['INBOX'],
      attachment: { id: 'att1', filename: 'report.txt', mimeType: 'text/plain', data: 'Quarterly numbers' },
    },
  ] as Array<{
    id: string;
    threadId: string;
    from: string;
    to: string;
    subject: string;
    date: string;
    body: string;
    labels: string[];
    attachment?: { id: string; filename: string; mimeType: string; data: string };
  }>;
  const labels: Array<{ id: string; name: string; type: string }> = [
    { id: 'INBOX', name: 'INBOX', type: 'system' },
    { id: 'UNREAD', name: 'UNREAD', type: 'system' },
  ];
  let userLabels = 0;
  const sent: Array<{ id: string; raw: string }> = [];
  r.use((req, res, next) => (googleAuth(req, res) ? next() : undefined));
  r.get('/gmail/v1/users/me/messages', (req, res) => {
    const q = String(req.query.q ?? '');
    const list = inbox
      .filter((m) => !q.includes('is:unread') || m.labels.includes('UNREAD'))
      .slice(0, Number(req.query.maxResults ?? 100));
    res.json({ messages: list.map((m) => ({ id: m.id, threadId: m.threadId })), resultSizeEstimate: list.length });
  });
  r.get('/gmail/v1/users/me/messages/:id', (req, res) => {
    const m = inbox.find((x) => x.id === req.params.id);
    if (!m)
      return void res
        .status(404)
        .json({ error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' } });
    res.json({
      id: m.id,
      threadId: m.threadId,
      labelIds: m.labels,
      snippet: m.body.slice(0, 100),
      sizeEstimate: m.body.length + 200,
      payload: {
        mimeType: 'multipart/alternative',
        headers: [
          { name: 'From', value: m.from },
          { name: 'To', value: m.to },
          { name: 'Subject', value: m.subject },
          { name: 'Date', value: m.date },
          { name: 'Message-ID', value: `<${m.id}@mail.example.com>` },
        ],
        parts: [
          { mimeType: 'text/plain', body: { size: m.body.length, data: b64url(m.body) } },
          { mimeType: 'text/html', body: { size: m.body.length + 7, data: b64url(`<p>${m.body}</p>`) } },
          ...(m.attachment
            ? [
                {
                  mimeType: m.attachment.mimeType,
                  filename: m.attachment.filename,
                  body: { size: m.attachment.data.length, attachmentId: m.attachment.id },
                },
              ]
            : []),
        ],
      },
    });
  });
  r.post('/gmail/v1/users/me/messages/send', (req, res) => {
    const raw = (req.body as { raw?: string })?.raw;
    if (!raw)
      return void res
        .status(400)
        .json({
          error: {
            code: 400,
            message: "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
            status: 'INVALID_ARGUMENT',
          },
        });
    const id = `sent${sent.length + 1}`;
    sent.push({ id, raw });
    const threadId = (req.body as { threadId?: string }).threadId;
    res.json({ id, threadId: threadId ?? id, labelIds: ['SENT'] });
  });
  const notFound = (res: Response) =>
    res.status(404).json({ error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' } });
  r.get('/gmail/v1/users/me/messages/:id/attachments/:attachmentId', (req, res) => {
    const att = inbox.find((x) => x.id === req.params.id)?.attachment;
    if (!att || att.id !== req.params.attachmentId) return void notFound(res);
    res.json({ attachmentId: att.id, size: att.data.length, data: b64url(att.data) });
  });
  r.get('/gmail/v1/users/me/labels', (_req, res) => res.json({ labels }));
  r.post('/gmail/v1/users/me/labels', (req, res) => {
    const name = (req.body as { name?: string })?.name;
    if (!name)
      return void res.status(400).json({ error: { code: 400, message: 'Invalid label name', status: 'INVALID_ARGUMENT' } });
    if (labels.some((l) => l.name === name))
      return void res
        .status(409)
        .json({ error: { code: 409, message: 'Label name exists or conflicts', status: 'ABORTED' } });
    const label = { id: `Label_${++userLabels}`, name, type: 'user' };
    labels.push(label);
    res.json({ ...label, labelListVisibility: 'labelShow', messageListVisibility: 'show' });
  });
  r.post('/gmail/v1/users/me/messages/:id/modify', (req, res) => {
    const m = inbox.find((x) => x.id === req.params.id);
    if (!m) return void notFound(res);
    const body = (req.body ?? {}) as { addLabelIds?: string[]; removeLabelIds?: string[] };
    const unknown = [...(body.addLabelIds ?? [])].find((id) => !labels.some((l) => l.id === id));
    if (unknown)
      return void res
        .status(400)
        .json({ error: { code: 400, message: `Invalid label: ${unknown}`, status: 'INVALID_ARGUMENT' } });
    m.labels = [...new Set([...m.labels, ...(body.addLabelIds ?? [])])].filter(
      (l) => !(body.removeLabelIds ?? []).includes(l),
    );
    res.json({ id: m.id, threadId: m.threadId, labelIds: m.labels });
  });
  return r;
}

function slack(): Router {
  const r = Router();
  r.post('/api/chat.postMessage', (req, res) => {
    const token = bearerOf(req);
    if (invalid(token)) return void res.json({ ok: false, error: 'invalid_auth' });
    const body = (req.body ?? {}) as { channel?: string; text?: string; blocks?: unknown[] };
    if (!body.channel || body.channel === 'missing') return void res.json({ ok: false, error: 'channel_not_found' });
    if (!body.text && !body.blocks) return void res.json({ ok: false, error: 'no_text' });
    const ts = '1735689600.000100';
    res.json({
      ok: true,
      channel: body.channel.startsWith('#') ? 'C0123456' : body.channel,
      ts,
      message: { type: 'message', text: body.text, ts, bot_id: 'B0123' },
    });
  });
  r.post(/^\/hooks\/services\/(.+)$/, (req, res) => {
    const path = (req.params as Record<string, string>)[0];
    if (path.includes('invalid')) return void res.status(404).type('text/plain').send('no_service');
    const body = (req.body ?? {}) as { text?: string; blocks?: unknown[] };
    if (!body.text && !body.blocks) return void res.status(400).type('text/plain').send('no_text');
    res.type('text/plain').send('ok');
  });
  return r;
}

function discord(): Router {
  const r = Router();
  let next = 1_200_000_000_000_000_000n;
  r.post('/api/webhooks/:id/:token', (req, res) => {
    if (req.params.token.includes('invalid'))
      return void res.status(401).json({ message: 'Invalid Webhook Token', code: 50027 });
    const body = (req.body ?? {}) as { content?: string; embeds?: unknown[]; username?: string };
    if (!body.content && !body.embeds?.length)
      return void res.status(400).json({ message: 'Cannot send an empty message', code: 50006 });
    if ((body.content ?? '').length > 2000)
      return void res
        .status(400)
        .json({
          message: 'Invalid Form Body',
          code: 50035,
          errors: {
            content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] },
          },
        });
    if (req.query.wait !== 'true') return void res.status(204).end();
    res.json({
      id: String(next++),
      type: 0,
      channel_id: '111',
      content: body.content ?? '',
      embeds: body.embeds ?? [],
      author: { username: body.username ?? 'Webhook', bot: true },
      timestamp: NOW,
    });
  });
  r.post('/api/v10/channels/:channelId/messages', (req, res) => {
    const token = /^Bot\s+(.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (invalid(token)) return void res.status(401).json({ message: '401: Unauthorized', code: 0 });
    if (req.params.channelId === 'missing' || !/^\d+$/.test(req.params.channelId))
      return void res.status(404).json({ message: 'Unknown Channel', code: 10003 });
    const body = (req.body ?? {}) as { content?: string; embeds?: unknown[] };
    if (!body.content && !body.embeds?.length)
      return void res.status(400).json({ message: 'Cannot send an empty message', code: 50006 });
    res.json({
      id: String(next++),
      type: 0,
      channel_id: req.params.channelId,
      content: body.content ?? '',
      embeds: body.embeds ?? [],
      author: { id: '999', username: 'AgentryBot', bot: true },
      timestamp: NOW,
    });
  });
  return r;
}

function telegram(): Router {
  const r = Router();
  let next = 1;
  r.post(/^\/bot([^/]+)\/sendMessage$/, (req, res) => {
    const token = (req.params as Record<string, string>)[0];
    if (invalid(token)) return void res.status(401).json({ ok: false, error_code: 401, description: 'Unauthorized' });
    const body = (req.body ?? {}) as { chat_id?: string | number; text?: string; parse_mode?: string };
    if (!body.chat_id || body.chat_id === 'missing')
      return void res.status(400).json({ ok: false, error_code: 400, description: 'Bad Request: chat not found' });
    if (!body.text)
      return void res
        .status(400)
        .json({ ok: false, error_code: 400, description: 'Bad Request: message text is empty' });
    res.json({
      ok: true,
      result: {
        message_id: next++,
        date: 1_735_689_600,
        chat: { id: Number(body.chat_id) || body.chat_id, type: 'private' },
        text: body.text,
      },
    });
  });
  return r;
}

function jina(kind: 'reader' | 'search'): Router {
  const r = Router();
  r.get(/.*/, (req, res) => {
    if (invalid(bearerOf(req)))
      return void res
        .status(401)
        .json({
          code: 401,
          name: 'AuthenticationRequiredError',
          status: 40103,
          message: 'Invalid API key, please get a new one from https://jina.ai',
          readableMessage: 'AuthenticationRequiredError: Invalid API key',
        });
    const rest = decodeURIComponent(req.originalUrl.replace(/^\/jina\/(reader|search)\/?/, '').replace(/\?.*$/, ''));
    res.type('text/plain');
    if (kind === 'reader') {
      if (!/^https?:\/\//.test(rest)) return void res.status(400).json({ code: 400, message: `Invalid URL: ${rest}` });
      return void res.send(
        `Title: Example page\n\nURL Source: ${rest}\n\nMarkdown Content:\n# Example page\n\nThis is the content of ${rest}.`,
      );
    }
    const query = rest || String(req.query.q ?? '');
    res.send(
      [1, 2]
        .map(
          (i) =>
            `[${i}] Title: Result ${i} for ${query}\n[${i}] URL Source: https://example.com/${i}\n[${i}] Description: About ${query}\n[${i}] Markdown Content:\nContent ${i} about ${query}.`,
        )
        .join('\n\n'),
    );
  });
  return r;
}

function wikipedia(): Router {
  const r = Router();
  r.get('/:lang/api/rest_v1/page/summary/:title', (req, res) => {
    const title = decodeURIComponent(req.params.title).replace(/_/g, ' ');
    if (title.toLowerCase().startsWith('nonexistent')) {
      return void res
        .status(404)
        .json({
          type: 'https://mediawiki.org/wiki/HyperSwitch/errors/not_found',
          title: 'Not found.',
          method: 'get',
          detail: 'Page or revision not found.',
          uri: req.originalUrl,
        });
    }
    res.json({
      type: 'standard',
      title,
      displaytitle: title,
      lang: req.params.lang,
      description: `Fake article about ${title}`,
      extract: `${title} is a subject of this fake ${req.params.lang} Wikipedia summary.`,
      content_urls: {
        desktop: {
          page: `https://${req.params.lang}.wikipedia.org/wiki/${encodeURIComponent(title.replace(/ /g, '_'))}`,
        },
      },
    });
  });
  return r;
}

export const FAKE_RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Fake feed</title><link>https://example.com</link><description>Test feed</description>
<item><title>Newer post</title><link>https://example.com/2</link><description>Second &amp; newest</description><pubDate>Thu, 02 Jan 2025 10:00:00 GMT</pubDate><guid>post-2</guid><author>ada@example.com</author><category>news</category></item>
<item><title>Older post</title><link>https://example.com/1</link><description><![CDATA[<p>First</p>]]></description><pubDate>Wed, 01 Jan 2025 10:00:00 GMT</pubDate><guid>post-1</guid></item>
</channel></rss>`;

export const FAKE_ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Fake atom</title><id>urn:fake</id><updated>2025-01-02T10:00:00Z</updated>
<entry><title>Atom entry</title><link href="https://example.com/a1"/><id>urn:a1</id><updated>2025-01-02T10:00:00Z</updated><summary>Atom summary</summary><author><name>Ada</name></author></entry>
</feed>`;

export const FAKE_PAGE = `<!doctype html><html><head><title>Fake page</title><style>body{}</style><script>var tracking = 1;</script></head>
<body><nav><a href="/home">Home</a></nav><main><h1>Welcome</h1><p>Hello <b>world</b>, see <a href="/docs">the docs</a>.</p><ul><li>One</li><li>Two</li></ul></main><footer>© fake</footer></body></html>`;

function web(): Router {
  const r = Router();
  r.get('/feed.xml', (_req, res) => res.type('application/rss+xml').send(FAKE_RSS));
  r.get('/atom.xml', (_req, res) => res.type('application/atom+xml').send(FAKE_ATOM));
  r.get('/page.html', (_req, res) => res.type('text/html').send(FAKE_PAGE));
  r.get('/text', (_req, res) => res.type('text/plain').send('plain text'));
  r.all('/echo', (req, res) => {
    const recorded = (req as Request & { recorded: RecordedRequest }).recorded;
    res.json({
      method: req.method,
      query: req.query,
      headers: recorded.headers,
      contentType: req.headers['content-type'] ?? null,
      body: req.body ?? null,
    });
  });
  r.all('/status/:code', (req, res) => {
    const code = Number(req.params.code);
    res.status(code).json({ error: `status ${code}`, message: `Fake failure ${code}` });
  });
  r.get('/redirect', (req, res) => res.redirect(302, String(req.query.to ?? '/web/text')));
  r.post('/hooks/:name', (req, res) => res.json({ received: true, name: req.params.name }));
  r.get('/slow', () => {
    // Never answers; the client's timeout or the server's close ends it.
  });
  return r;
}

export async function startFakeWeb(): Promise<FakeWebServer> {
  const requests: RecordedRequest[] = [];
  const app = newApp(requests);
  app.use('/github', github());
  app.use('/linear', linear());
  app.use('/notion', notion());
  app.use('/airtable', airtable());
  app.use('/hubspot', hubspot());
  app.use('/reddit', reddit());
  app.use('/twitter', twitter());
  app.use('/sheets', sheets());
  app.use('/calendar', calendar());
  app.use('/gmail', gmail());
  app.use('/slack', slack());
  app.use('/discord', discord());
  app.use('/telegram', telegram());
  app.use('/jina/reader', jina('reader'));
  app.use('/jina/search', jina('search'));
  app.use('/wikipedia', wikipedia());
  app.use('/web', web());
  app.use('/firecrawl', firecrawl());
  app.use('/dataforseo', dataforseo());
  app.use('/maps', googleMaps());
  app.use('/ideogram', ideogram());
  app.use('/replicate', replicate());
  app.use('/revid', revid());
  app.use('/wordpress', wordpress());
  app.use('/e2b', e2b());
  app.use('/youtube', youtube());
  app.use((req, res) => res.status(404).json({ message: `fake web server: no route for ${req.method} ${req.path}` }));
  const { url, close } = await listen(app);
  return {
    name: 'web',
    url,
    requests,
    env: {
      AGENTRY_FAKE_WEB_URL: url,
      AGENTRY_GITHUB_API_URL: `${url}/github`,
      AGENTRY_LINEAR_API_URL: `${url}/linear`,
      AGENTRY_NOTION_API_URL: `${url}/notion`,
      AGENTRY_AIRTABLE_API_URL: `${url}/airtable`,
      AGENTRY_HUBSPOT_API_URL: `${url}/hubspot`,
      AGENTRY_REDDIT_API_URL: `${url}/reddit`,
      AGENTRY_TWITTER_API_URL: `${url}/twitter`,
      AGENTRY_GOOGLE_SHEETS_API_URL: `${url}/sheets`,
      AGENTRY_GOOGLE_CALENDAR_API_URL: `${url}/calendar`,
      AGENTRY_GMAIL_API_URL: `${url}/gmail`,
      AGENTRY_SLACK_API_URL: `${url}/slack/api`,
      AGENTRY_TELEGRAM_API_URL: `${url}/telegram`,
      AGENTRY_DISCORD_API_URL: `${url}/discord/api/v10`,
      AGENTRY_JINA_READER_URL: `${url}/jina/reader`,
      AGENTRY_JINA_SEARCH_URL: `${url}/jina/search`,
      AGENTRY_WIKIPEDIA_API_URL: `${url}/wikipedia/{lang}/api/rest_v1`,
      AGENTRY_FIRECRAWL_API_URL: `${url}/firecrawl`,
      AGENTRY_DATAFORSEO_API_URL: `${url}/dataforseo`,
      AGENTRY_GOOGLE_MAPS_API_URL: `${url}/maps`,
      AGENTRY_IDEOGRAM_API_URL: `${url}/ideogram`,
      AGENTRY_REPLICATE_API_URL: `${url}/replicate`,
      AGENTRY_REVID_API_URL: `${url}/revid`,
      AGENTRY_WORDPRESS_API_URL: `${url}/wordpress`,
      AGENTRY_E2B_API_URL: `${url}/e2b/api`,
      AGENTRY_E2B_SANDBOX_URL: `${url}/e2b/sandbox/{sandbox}`,
      AGENTRY_YOUTUBE_URL: `${url}/youtube`,
      // Long-running jobs (crawls, predictions, renders) are polled every few ms against the fakes.
      AGENTRY_PROVIDER_POLL_INTERVAL_MS: '5',
    },
    reset: () => {
      requests.length = 0;
    },
    close,
  };
}
