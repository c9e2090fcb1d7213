import { ApiClient } from './client';
import { configPath, DEFAULT_URL, readConfig, writeConfig, type CliConfig } from './config';

/** Everything the CLI touches outside itself, so tests can run it in-process with fakes. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  stdinIsTTY: boolean;
  /** Asks on the terminal; `secret` hides what is typed. */
  prompt(question: string, secret: boolean): Promise<string>;
  readStdin(): Promise<string>;
}

export interface CliDeps {
  io: Io;
  env: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}

/** Options every command accepts (declared on the root program). */
export interface GlobalOptions {
  json?: boolean;
  url?: string;
  apiKey?: string;
}

/** One run of a command: its global options, the config file and an API client built from both. */
export class Session {
  readonly configFile: string;
  private cached?: CliConfig;
  private api?: ApiClient;

  constructor(
    readonly deps: CliDeps,
    readonly globals: GlobalOptions,
  ) {
    this.configFile = configPath(deps.env);
  }

  get io(): Io {
    return this.deps.io;
  }
  get json(): boolean {
    return Boolean(this.globals.json);
  }

  config(): CliConfig {
    this.cached ??= readConfig(this.configFile);
    return this.cached;
  }

  saveConfig(config: CliConfig): void {
    writeConfig(this.configFile, config);
    this.cached = config;
  }

  /** --url, then AGENTRY_URL, then the URL saved by `agentry login`, then localhost:8080. */
  serverUrl(): string {
    return this.globals.url || this.deps.env.AGENTRY_URL || this.config().url || DEFAULT_URL;
  }

  client(): ApiClient {
    if (this.api) return this.api;
    const config = this.config();
    const apiKey = this.globals.apiKey || this.deps.env.AGENTRY_API_KEY || undefined;
    const token = this.deps.env.AGENTRY_TOKEN || config.token;
    this.api = new ApiClient({
      baseUrl: this.serverUrl(),
      credentials: { apiKey, token },
      fetch: this.deps.fetch,
      refresh: config.refreshToken ? () => this.refresh() : undefined,
    });
    return this.api;
  }

  /** Trades the saved refresh token for a new access token, when the server offers refresh tokens. */
  private async refresh(): Promise<string | undefined> {
    const config = this.config();
    const anonymous = new ApiClient({ baseUrl: this.serverUrl(), credentials: {}, fetch: this.deps.fetch });
    try {
      const out = await anonymous.request<LoginResponse>('POST', '/auth/refresh', {
        body: { refreshToken: config.refreshToken },
        authenticated: false,
      });
      this.saveConfig({ ...config, ...tokenFields(out) });
      return out.accessToken;
    } catch {
      // No refresh route, or the refresh token was revoked: the caller reports the original 401.
      return undefined;
    }
  }

  /** Prints the JSON form with --json, the human form otherwise. */
  print(json: unknown, human: () => string): void {
    if (this.json) this.io.stdout(`${JSON.stringify(json, null, 2)}\n`);
    else {
      const text = human();
      if (text) this.io.stdout(text.endsWith('\n') ? text : `${text}\n`);
    }
  }

  /** A note for people (stderr), never mixed into what scripts read. */
  note(text: string): void {
    if (!this.json) this.io.stderr(`${text}\n`);
  }
}

export interface LoginResponse {
  accessToken: string;
  tokenType?: string;
  expiresIn?: number;
  refreshToken?: string;
}

export function tokenFields(
  out: LoginResponse,
  now = Date.now(),
): Pick<CliConfig, 'token' | 'refreshToken' | 'expiresAt'> {
  return {
    token: out.accessToken,
    ...(out.refreshToken ? { refreshToken: out.refreshToken } : {}),
    ...(typeof out.expiresIn === 'number' ? { expiresAt: new Date(now + out.expiresIn * 1000).toISOString() } : {}),
  };
}
