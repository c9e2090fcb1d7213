/** REST client: same-origin relative URLs, bearer token, problem+json errors. */
import type {
  BlockDefinition,
  CredentialMeta,
  Execution,
  ExecutionSummary,
  Graph,
  GraphLink,
  GraphNode,
  GraphSummary,
  GraphVersionSummary,
  Me,
  Page,
  Problem,
} from './types';

const TOKEN_KEY = 'agentry.token';

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`);
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string | undefined {
    return this.problem.code;
  }
}

let unauthorizedHandler: (() => void) | null = null;

export const auth = {
  get token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear(): void {
    sessionStorage.removeItem(TOKEN_KEY);
  },
  onUnauthorized(handler: () => void): void {
    unauthorizedHandler = handler;
  },
};

async function request<T>(method: string, path: string, body?: unknown, opts: { raw?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  const token = auth.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    let problem: Problem = { title: res.statusText || 'Request failed', status: res.status };
    try {
      const parsed = (await res.json()) as Partial<Problem>;
      problem = { ...problem, ...parsed, status: parsed.status ?? res.status };
    } catch {
      /* not JSON: keep the status line */
    }
    if (res.status === 401 && path !== '/auth/login') unauthorizedHandler?.();
    throw new ApiError(problem);
  }
  if (res.status === 204) return undefined as T;
  if (opts.raw) return (await res.text()) as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

function qs(params: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export interface GraphWrite {
  name: string;
  description: string;
  nodes: GraphNode[];
  links: GraphLink[];
}

export const api = {
  login: (email: string, password: string) =>
    request<{ accessToken: string; tokenType: string; expiresIn: number }>('POST', '/auth/login', { email, password }),
  me: () => request<Me>('GET', '/me'),
  blocks: () => request<{ items: BlockDefinition[] }>('GET', '/blocks'),
  listGraphs: (p: { q?: string; sort?: 'name' | 'updatedAt'; cursor?: string; limit?: number }) =>
    request<Page<GraphSummary>>('GET', `/graphs${qs(p)}`),
  getGraph: (id: string, version?: number) =>
    request<Graph>('GET', `/graphs/${encodeURIComponent(id)}${qs({ version })}`),
  graphVersions: (id: string) =>
    request<{ items: GraphVersionSummary[] }>('GET', `/graphs/${encodeURIComponent(id)}/versions`),
  createGraph: (g: GraphWrite) => request<Graph>('POST', '/graphs', g),
  updateGraph: (id: string, g: GraphWrite & { baseVersion: number }) =>
    request<Graph>('PUT', `/graphs/${encodeURIComponent(id)}`, g),
  deleteGraph: (id: string) => request<void>('DELETE', `/graphs/${encodeURIComponent(id)}`),
  importGraph: (doc: unknown) => request<Graph>('POST', '/graphs/import', doc),
  exportGraph: (id: string) =>
    request<string>('GET', `/graphs/${encodeURIComponent(id)}/export`, undefined, { raw: true }),
  execute: (id: string, inputs: Record<string, unknown>, version?: number) =>
    request<{ executionId: string }>('POST', `/graphs/${encodeURIComponent(id)}/execute`, { inputs, version }),
  listExecutions: (p: { graphId?: string; status?: string; cursor?: string; limit?: number }) =>
    request<Page<ExecutionSummary>>('GET', `/executions${qs(p)}`),
  getExecution: (id: string) => request<Execution>('GET', `/executions/${encodeURIComponent(id)}`),
  cancelExecution: (id: string) => request<void>('POST', `/executions/${encodeURIComponent(id)}/cancel`),
  listCredentials: () => request<{ items: CredentialMeta[] }>('GET', '/credentials'),
  createCredential: (body: { provider: string; type: 'api_key'; title: string; secret: { apiKey: string } }) =>
    request<CredentialMeta>('POST', '/credentials', body),
  startOAuth: (provider: string, body: { blockIds: string[]; title: string; scopes?: string[] }) =>
    request<{ authorizationUrl: string; state: string; expiresAt: string; scopes: string[] }>(
      'POST',
      `/oauth/${encodeURIComponent(provider)}/start`,
      body,
    ),
  review: (execId: string, nodeExecId: string, decision: 'approve' | 'reject', editedData?: unknown) =>
    request<unknown>('POST', `/executions/${encodeURIComponent(execId)}/reviews/${encodeURIComponent(nodeExecId)}`, {
      decision,
      ...(editedData === undefined ? {} : { editedData }),
    }),
};

/** A one-line human message for any error, including validation details. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    const p = err.problem;
    const base = p.detail || p.title;
    if (p.errors && typeof p.errors === 'object' && !Array.isArray(p.errors)) {
      const parts: string[] = [];
      for (const [node, fields] of Object.entries(p.errors as Record<string, unknown>)) {
        if (fields && typeof fields === 'object')
          for (const [f, m] of Object.entries(fields)) parts.push(`${node}.${f}: ${String(m)}`);
        else parts.push(`${node}: ${String(fields)}`);
      }
      if (parts.length)
        return `${base} — ${parts.slice(0, 6).join('; ')}${parts.length > 6 ? ` (+${parts.length - 6} more)` : ''}`;
    }
    if (Array.isArray(p.errors) && p.errors.length) {
      const missing = p.errors.map(String).filter((e) => !base.includes(e));
      return missing.length ? `${base} — ${missing.join(', ')}` : base;
    }
    return base;
  }
  return err instanceof Error ? err.message : String(err);
}
