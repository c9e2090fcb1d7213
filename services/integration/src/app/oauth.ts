import { createHash, randomBytes } from 'node:crypto';
import type { EventStore } from '@agentry/event-log';
import { DomainError, streamIdOf, type Clock, type EventEnvelope } from '@agentry/kernel';
import type { Logger } from '@agentry/observability';
import { replayCategories } from '@agentry/runtime';
import type { SecretBox, Sealed } from '../domain/crypto';
import { BUILT_IN_PROVIDERS, type OAuthConfig, type ProviderClient, type ProviderSpec } from '../domain/providers';
import { missingScopes, parseScopes, scopesOfBlocks, unionScopes, type BlockLookup } from '../domain/scopes';
import type { CredentialMeta, Credentials, StoredCredential } from './credentials';

export interface ResolvedProvider extends ProviderSpec, ProviderClient {
  configured: boolean;
  tenantOwned: boolean;
}

interface TenantProvider {
  tenantId: string;
  spec: ProviderSpec;
  clientId: string;
  sealedSecret: Sealed;
}

type OAuthEvent =
  | { type: 'OAuthProviderRegistered'; data: { tenantId: string; spec: ProviderSpec; clientId: string; sealedSecret: Sealed; registeredAt: string } }
  | { type: 'OAuthFlowStarted'; data: { tenantId: string; userId: string; provider: string; scopes: string[]; redirectUri: string; title: string; sealedVerifier: Sealed; expiresAt: string } }
  | { type: 'OAuthFlowCompleted'; data: { credentialId: string; completedAt: string } }
  | { type: 'OAuthFlowFailed'; data: { reason: string; failedAt: string } };

/** The error a node shows when a connection must be redone by its owner (expired or revoked tokens). */
export function reconnectError(c: Pick<StoredCredential, 'id' | 'provider' | 'title'>, reason: string): DomainError {
  return new DomainError('INVALID_CREDENTIALS', `reconnect required: the ${c.provider} connection "${c.title}" is no longer valid (${reason}); reconnect it under Integrations`, {
    reconnect: true,
    credentialId: c.id,
    provider: c.provider,
    reason,
  });
}

/** What a block asks of the credential it is given (its credentials requirement). */
export interface CredentialNeed {
  scopes: string[];
  blockName: string;
}

/** The error a node shows when its OAuth2 connection was not granted a scope its block needs. */
export function missingScopesError(c: Pick<StoredCredential, 'id' | 'provider' | 'title'>, missing: string[], need: CredentialNeed): DomainError {
  const block = need.blockName || 'this block';
  return new DomainError(
    'INVALID_CREDENTIALS',
    `reconnect required: the ${c.provider} connection "${c.title}" was not granted ${missing.length > 1 ? 'the scopes' : 'the scope'} ${missing.join(', ')} that ${block} needs; reconnect it under Integrations and grant ${missing.length > 1 ? 'them' : 'it'}`,
    { reconnect: true, credentialId: c.id, provider: c.provider, reason: 'missing_scopes', missingScopes: missing, requiredScopes: unionScopes(need.scopes) },
  );
}

const b64url = (buf: Buffer) => buf.toString('base64url');
const flowStream = (state: string) => streamIdOf('oauthflow', b64url(createHash('sha256').update(state).digest()).slice(0, 32));

/**
 * OAuth2 authorization code with PKCE and state; token refresh ahead of expiry with one refresh in flight per
 * credential (and an expected-version append across replicas); revocation; the provider registry.
 */
export class OAuth {
  private readonly tenantProviders = new Map<string, TenantProvider>(); // `${tenantId}/${name}`
  private readonly refreshing = new Map<string, Promise<Record<string, unknown>>>();
  private readonly skewMs: number;
  private readonly stateTtlMs: number;

  constructor(
    private readonly deps: {
      events: EventStore;
      box: SecretBox;
      clock: Clock;
      credentials: Credentials;
      config: OAuthConfig;
      logger: Logger;
      fetch?: typeof fetch;
      /** Where startFlow finds the scopes of the blocks a connection is for. */
      blocks?: BlockLookup;
    },
  ) {
    this.skewMs = deps.config.refreshSkewMs ?? 60_000;
    this.stateTtlMs = deps.config.stateTtlMs ?? 600_000;
  }

  async start(): Promise<void> {
    await replayCategories(this.deps.events, ['oauthprovider'], (e) => this.apply(e));
  }

  listProviders(tenantId: string): ResolvedProvider[] {
    const own = [...this.tenantProviders.values()].filter((p) => p.tenantId === tenantId).map((p) => this.provider(tenantId, p.spec.name)!);
    const builtIn = BUILT_IN_PROVIDERS.filter((b) => !own.some((o) => o.name === b.name)).map((b) => this.provider(tenantId, b.name)!);
    return [...builtIn, ...own];
  }

  provider(tenantId: string, name: string): ResolvedProvider | undefined {
    const own = this.tenantProviders.get(`${tenantId}/${name}`);
    if (own) {
      const clientSecret = String(this.deps.box.open(own.sealedSecret, `oauthprovider/${tenantId}/${name}`) ?? '');
      return { ...own.spec, clientId: own.clientId, clientSecret, configured: true, tenantOwned: true };
    }
    const builtIn = BUILT_IN_PROVIDERS.find((p) => p.name === name);
    if (!builtIn) return undefined;
    const conf = this.deps.config.providers[name];
    return { ...builtIn, ...(conf ?? {}), clientId: conf?.clientId ?? '', clientSecret: conf?.clientSecret ?? '', configured: Boolean(conf?.clientId), tenantOwned: false };
  }

  async registerProvider(
    tenantId: string,
    input: { name: string; displayName: string; authorizeUrl: string; tokenUrl: string; revokeUrl: string; defaultScopes: string[]; pkce: boolean; clientId: string; clientSecret: string },
  ): Promise<ResolvedProvider> {
    const errors: Record<string, string> = {};
    if (!/^[a-z0-9_.-]{1,64}$/.test(input.name)) errors.name = 'lower-case letters, digits, _ . - (1–64)';
    for (const f of ['authorizeUrl', 'tokenUrl'] as const) if (!isHttpUrl(input[f])) errors[f] = 'an http(s) URL';
    if (input.revokeUrl && !isHttpUrl(input.revokeUrl)) errors.revokeUrl = 'an http(s) URL';
    if (!input.clientId) errors.clientId = 'required';
    if (Object.keys(errors).length) throw new DomainError('VALIDATION_FAILED', 'the provider is not valid', { errors });
    const spec: ProviderSpec = {
      name: input.name,
      displayName: input.displayName || input.name,
      authorizeUrl: input.authorizeUrl,
      tokenUrl: input.tokenUrl,
      revokeUrl: input.revokeUrl,
      defaultScopes: input.defaultScopes,
      pkce: input.pkce,
      tokenAuth: 'body',
      scopeSeparator: ' ',
      extraAuthorizeParams: {},
    };
    const data = { tenantId, spec, clientId: input.clientId, sealedSecret: this.deps.box.seal(input.clientSecret, `oauthprovider/${tenantId}/${input.name}`), registeredAt: this.now() };
    const result = await this.deps.events.append(streamIdOf('oauthprovider', `${tenantId}.${input.name}`), [{ type: 'OAuthProviderRegistered', data }], { expectedVersion: 'any', tenantId });
    for (const e of result.events) this.apply(e);
    return this.provider(tenantId, input.name)!;
  }

  /**
   * Step 1: the URL to send the browser to. The state is single-use and expires. It asks for the provider's default
   * scopes, the explicit `scopes` and those of the blocks in `blockIds`.
   */
  async startFlow(
    caller: { tenantId: string; userId: string },
    input: { provider: string; scopes: string[]; redirectUri: string; title: string; blockIds?: string[] },
  ): Promise<{ authorizationUrl: string; state: string; expiresAt: string; scopes: string[] }> {
    const p = this.provider(caller.tenantId, input.provider);
    if (!p) throw new DomainError('NOT_FOUND', `unknown OAuth provider '${input.provider}'`, { what: 'provider', id: input.provider });
    if (!p.configured) throw new DomainError('VALIDATION_FAILED', `OAuth provider '${p.name}' has no client id configured`, { errors: { provider: 'not configured' } });
    if (!isHttpUrl(input.redirectUri)) throw new DomainError('VALIDATION_FAILED', 'redirectUri must be an http(s) URL', { errors: { redirectUri: 'an http(s) URL' } });
    const ofBlocks = scopesOfBlocks(this.deps.blocks ?? { get: () => undefined }, p.name, input.blockIds ?? []);
    if (Object.keys(ofBlocks.errors).length) throw new DomainError('VALIDATION_FAILED', 'some blocks cannot use this connection', { errors: ofBlocks.errors });
    const state = b64url(randomBytes(32));
    const verifier = b64url(randomBytes(48));
    const scopes = unionScopes(p.defaultScopes, input.scopes, ofBlocks.scopes);
    const expiresAt = new Date(this.deps.clock.now().getTime() + this.stateTtlMs).toISOString();
    const data = { tenantId: caller.tenantId, userId: caller.userId, provider: p.name, scopes, redirectUri: input.redirectUri, title: input.title, sealedVerifier: this.deps.box.seal(verifier, `oauthflow/${state}`), expiresAt };
    await this.deps.events.append(flowStream(state), [{ type: 'OAuthFlowStarted', data }], { expectedVersion: 0, tenantId: caller.tenantId });
    const url = new URL(p.authorizeUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', p.clientId);
    url.searchParams.set('redirect_uri', input.redirectUri);
    if (scopes.length) url.searchParams.set('scope', scopes.join(p.scopeSeparator));
    url.searchParams.set('state', state);
    if (p.pkce) {
      url.searchParams.set('code_challenge', b64url(createHash('sha256').update(verifier).digest()));
      url.searchParams.set('code_challenge_method', 'S256');
    }
    for (const [k, v] of Object.entries(p.extraAuthorizeParams)) url.searchParams.set(k, v);
    return { authorizationUrl: url.toString(), state, expiresAt, scopes };
  }

  /** Step 2 (the provider's redirect): checks the state, exchanges the code, stores the tokens as a credential. */
  async completeFlow(input: { state: string; code: string; error: string }): Promise<{ credential: CredentialMeta; tenantId: string }> {
    const stream = flowStream(input.state || '-');
    const events = await this.deps.events.readStream(stream);
    const started = events[0] as (EventEnvelope & { data: Extract<OAuthEvent, { type: 'OAuthFlowStarted' }>['data'] }) | undefined;
    const invalid = (why: string) => new DomainError('VALIDATION_FAILED', `OAuth callback refused: ${why}`, { errors: { state: why } });
    if (!input.state || !started || started.type !== 'OAuthFlowStarted') throw invalid('unknown state');
    if (events.length > 1) throw invalid('this authorization was already used');
    const flow = started.data;
    const fail = async (reason: string) => {
      await this.deps.events.append(stream, [{ type: 'OAuthFlowFailed', data: { reason, failedAt: this.now() } }], { expectedVersion: 1, tenantId: flow.tenantId }).catch(() => undefined);
      return invalid(reason);
    };
    if (Date.parse(flow.expiresAt) < this.deps.clock.now().getTime()) throw await fail('the authorization expired; start again');
    if (input.error) throw await fail(`the provider answered ${input.error}`);
    if (!input.code) throw await fail('no code');
    const p = this.provider(flow.tenantId, flow.provider);
    if (!p) throw await fail(`provider ${flow.provider} is gone`);
    const verifier = String(this.deps.box.open(flow.sealedVerifier, `oauthflow/${input.state}`));
    const params: Record<string, string> = { grant_type: 'authorization_code', code: input.code, redirect_uri: flow.redirectUri };
    if (p.pkce) params.code_verifier = verifier;
    const tokens = await this.tokenRequest(p, params);
    if (!tokens.ok) throw await fail(`the token exchange failed (${tokens.error})`);
    // Claim the state before storing anything: a replayed callback loses here.
    await this.deps.events.append(stream, [{ type: 'OAuthFlowCompleted', data: { credentialId: '', completedAt: this.now() } }], { expectedVersion: 1, tenantId: flow.tenantId }).catch((err: unknown) => {
      throw err instanceof DomainError && err.code === 'VERSION_CONFLICT' ? invalid('this authorization was already used') : err;
    });
    // The granted scopes (RFC 6749 §5.1: the provider answers `scope` when it granted other than what was asked).
    const scopes = tokens.scope ? parseScopes(tokens.scope) : flow.scopes;
    const credential = await this.deps.credentials.create(flow.tenantId, { provider: p.name, type: 'oauth2', title: flow.title || `${p.displayName} account`, scopes, secret: tokens.secret });
    return { credential, tenantId: flow.tenantId };
  }

  /**
   * The secret of a credential, refreshing an OAuth2 token that expires within the skew (one refresh at a time).
   * With `need`, an OAuth2 credential must have been granted every scope the block needs.
   */
  async secretFor(tenantId: string, id: string, need?: CredentialNeed): Promise<{ meta: CredentialMeta; secret: Record<string, unknown> }> {
    const creds = this.deps.credentials;
    const c = await creds.getFresh(tenantId, id);
    if (c.status !== 'active') throw reconnectError(c, c.status === 'revoked' ? 'it was revoked' : (c.statusReason ?? 'the provider refused the token'));
    if (c.type !== 'oauth2') return { meta: creds.toMeta(c), secret: creds.open(c) };
    const missing = need ? missingScopes(need.scopes, c.scopes) : [];
    if (need && missing.length) throw missingScopesError(c, missing, need);
    let secret = creds.open(c);
    if (this.expiresSoon(secret)) {
      let pending = this.refreshing.get(id);
      if (!pending) {
        pending = this.refresh(c, secret).finally(() => this.refreshing.delete(id));
        this.refreshing.set(id, pending);
      }
      secret = await pending;
      // A refresh may report fewer scopes than before.
      const narrowed = need ? missingScopes(need.scopes, creds.get(tenantId, id).scopes) : [];
      if (need && narrowed.length) throw missingScopesError(c, narrowed, need);
    }
    return { meta: creds.toMeta(creds.get(tenantId, id)), secret };
  }

  async revoke(tenantId: string, id: string): Promise<CredentialMeta> {
    const creds = this.deps.credentials;
    const c = creds.get(tenantId, id);
    if (c.type === 'oauth2' && c.status !== 'revoked') {
      const p = this.provider(tenantId, c.provider);
      const secret = creds.open(c);
      const token = String(secret.refreshToken ?? secret.accessToken ?? '');
      if (p?.revokeUrl && token) {
        const res = await this.post(p, p.revokeUrl, { token, token_type_hint: secret.refreshToken ? 'refresh_token' : 'access_token' }).catch((err: unknown) => ({ status: 0, text: String(err) }));
        if (res.status < 200 || res.status >= 300) this.deps.logger.warn({ credentialId: id, provider: c.provider, status: res.status }, 'provider did not confirm the revocation; the credential is revoked here anyway');
      }
    }
    await creds.setStatus(c, 'revoked', 'revoked by the user');
    return creds.toMeta(creds.get(tenantId, id));
  }

  /** Re-encrypts the client secrets of tenant-added providers under the current key. */
  async resealAll(): Promise<number> {
    let count = 0;
    for (const p of this.tenantProviders.values()) {
      if (p.sealedSecret.kid === this.deps.box.kid) continue;
      const aad = `oauthprovider/${p.tenantId}/${p.spec.name}`;
      const data = { tenantId: p.tenantId, spec: p.spec, clientId: p.clientId, sealedSecret: this.deps.box.reseal(p.sealedSecret, aad), registeredAt: this.now() };
      const result = await this.deps.events.append(streamIdOf('oauthprovider', `${p.tenantId}.${p.spec.name}`), [{ type: 'OAuthProviderRegistered', data }], { expectedVersion: 'any', tenantId: p.tenantId });
      for (const e of result.events) this.apply(e);
      count++;
    }
    return count;
  }

  private expiresSoon(secret: Record<string, unknown>): boolean {
    if (typeof secret.expiresAt !== 'string' || !secret.expiresAt) return false;
    return Date.parse(secret.expiresAt) - this.deps.clock.now().getTime() <= this.skewMs;
  }

  private async refresh(c: StoredCredential, secret: Record<string, unknown>): Promise<Record<string, unknown>> {
    const creds = this.deps.credentials;
    const version = c.streamVersion;
    const p = this.provider(c.tenantId, c.provider);
    if (typeof secret.refreshToken !== 'string' || !secret.refreshToken || !p?.configured) {
      if (Date.parse(String(secret.expiresAt)) > this.deps.clock.now().getTime()) return secret; // still valid a little longer
      await creds.setStatus(c, 'reconnect_required', 'the access token expired and cannot be refreshed');
      throw reconnectError(c, 'the access token expired and cannot be refreshed');
    }
    const tokens = await this.tokenRequest(p, { grant_type: 'refresh_token', refresh_token: secret.refreshToken });
    if (!tokens.ok) {
      if (tokens.status >= 400 && tokens.status < 500) {
        await creds.setStatus(c, 'reconnect_required', `the provider refused the refresh (${tokens.error})`);
        throw reconnectError(c, `the provider refused the refresh (${tokens.error})`);
      }
      throw new DomainError('UNAVAILABLE', `${c.provider} token refresh failed (${tokens.error}); try again`, { credentialId: c.id });
    }
    const next: Record<string, unknown> = { ...tokens.secret, refreshToken: tokens.secret.refreshToken ?? secret.refreshToken };
    try {
      await creds.updateSecret(c, version, next, tokens.scope ? parseScopes(tokens.scope) : undefined);
      this.deps.logger.info({ credentialId: c.id, provider: c.provider, expiresAt: next.expiresAt }, 'oauth token refreshed');
      return next;
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== 'VERSION_CONFLICT') throw err;
      await creds.reload(c.id); // another replica refreshed first: use its token
      return creds.open(creds.get(c.tenantId, c.id));
    }
  }

  private async tokenRequest(
    p: ResolvedProvider,
    params: Record<string, string>,
  ): Promise<{ ok: true; secret: Record<string, unknown> & { refreshToken?: string }; scope: string } | { ok: false; status: number; error: string }> {
    let res: { status: number; text: string };
    try {
      res = await this.post(p, p.tokenUrl, params);
    } catch (err) {
      return { ok: false, status: 0, error: `network error: ${(err as Error).message}` };
    }
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(res.text) as Record<string, unknown>;
    } catch {
      body = Object.fromEntries(new URLSearchParams(res.text));
    }
    if (res.status < 200 || res.status >= 300 || typeof body.access_token !== 'string') {
      return { ok: false, status: res.status >= 200 && res.status < 300 ? 400 : res.status, error: typeof body.error === 'string' ? body.error : `HTTP ${res.status}` };
    }
    const expiresIn = Number(body.expires_in);
    const secret: Record<string, unknown> & { refreshToken?: string } = {
      accessToken: body.access_token,
      tokenType: typeof body.token_type === 'string' ? body.token_type : 'Bearer',
    };
    if (typeof body.refresh_token === 'string') secret.refreshToken = body.refresh_token;
    if (Number.isFinite(expiresIn) && expiresIn > 0) secret.expiresAt = new Date(this.deps.clock.now().getTime() + expiresIn * 1000).toISOString();
    return { ok: true, secret, scope: typeof body.scope === 'string' ? body.scope : '' };
  }

  private async post(p: ResolvedProvider, url: string, params: Record<string, string>): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    const form = new URLSearchParams(params);
    if (p.tokenAuth === 'basic') headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(p.clientId)}:${encodeURIComponent(p.clientSecret)}`).toString('base64')}`;
    else {
      form.set('client_id', p.clientId);
      if (p.clientSecret) form.set('client_secret', p.clientSecret);
    }
    const res = await (this.deps.fetch ?? fetch)(url, { method: 'POST', headers, body: form.toString(), signal: AbortSignal.timeout(15_000) });
    return { status: res.status, text: await res.text() };
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  private apply(envelope: EventEnvelope): void {
    const event = { type: envelope.type, data: envelope.data } as OAuthEvent;
    if (event.type === 'OAuthProviderRegistered') {
      const d = event.data;
      this.tenantProviders.set(`${d.tenantId}/${d.spec.name}`, { tenantId: d.tenantId, spec: d.spec, clientId: d.clientId, sealedSecret: d.sealedSecret });
    }
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
