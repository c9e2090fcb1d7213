import { ApiError, CliError, NotSupportedError, UsageError, type Problem } from './errors';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  /** false for the login route: send no credentials. */
  authenticated?: boolean;
}

export interface Credentials {
  token?: string;
  apiKey?: string;
}

export interface ApiClientOptions {
  baseUrl: string;
  credentials: Credentials;
  fetch?: typeof fetch;
  /** Called once when the access token has expired; returns a fresh token, or undefined when it cannot. */
  refresh?: () => Promise<string | undefined>;
}

/** The gateway's REST API (/api/v1) over fetch: JSON in, JSON out, problem+json turned into ApiError. */
export class ApiClient {
  readonly baseUrl: string;
  private credentials: Credentials;
  private readonly fetchImpl: typeof fetch;
  private readonly refresh?: () => Promise<string | undefined>;

  constructor(options: ApiClientOptions) {
    this.baseUrl = normalizeUrl(options.baseUrl);
    this.credentials = options.credentials;
    this.fetchImpl = options.fetch ?? fetch;
    this.refresh = options.refresh;
  }

  get token(): string | undefined {
    return this.credentials.token;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, { query });
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, { body: body ?? {} });
  }
  put<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, { body: body ?? {} });
  }
  patch<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body: body ?? {} });
  }
  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    let res = await this.send(method, path, options);
    if (res.status === 401 && options.authenticated !== false && this.refresh && this.credentials.token) {
      const problem = await readProblem(res.clone());
      if (problem.code === 'TOKEN_EXPIRED') {
        const fresh = await this.refresh();
        if (fresh) {
          this.credentials = { ...this.credentials, token: fresh };
          res = await this.send(method, path, options);
        }
      }
    }
    if (!res.ok) {
      const problem = await readProblem(res);
      if (res.status === 404 && (problem.detail === 'no such API route' || !problem.code))
        throw new NotSupportedError(method, `/api/v1${path}`, this.baseUrl);
      throw new ApiError(method, `/api/v1${path}`, problem);
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(
        `the server answered ${method} ${path} with something that is not JSON (is ${this.baseUrl} an Agentry server?)`,
      );
    }
  }

  private async send(method: string, path: string, options: RequestOptions): Promise<Response> {
    const url = new URL(`${this.baseUrl}/api/v1${path}`);
    for (const [k, v] of Object.entries(options.query ?? {}))
      if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.authenticated !== false) {
      if (this.credentials.apiKey) headers['x-api-key'] = this.credentials.apiKey;
      else if (this.credentials.token) headers.authorization = `Bearer ${this.credentials.token}`;
      else throw new CliError('not signed in', 1, 'run `agentry login` (or set AGENTRY_API_KEY)');
    }
    try {
      return await this.fetchImpl(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new CliError(
        `cannot reach the Agentry server at ${this.baseUrl} (${why})`,
        1,
        'is it running? Point the CLI elsewhere with `agentry login --url <url>` or --url',
      );
    }
  }
}

async function readProblem(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (body && typeof body === 'object')
      return { ...body, status: typeof body.status === 'number' ? body.status : res.status };
  } catch {
    // not JSON: fall through
  }
  return {
    status: res.status,
    title: res.statusText,
    detail: text.trim().slice(0, 200) || `HTTP ${res.status} ${res.statusText}`,
  };
}

export function normalizeUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new UsageError(`'${raw}' is not a valid server URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`the server URL must be http(s), not ${url.protocol}`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
