/** An OAuth2 authorization-code provider (built in, configured, or added by a tenant). */
export interface ProviderSpec {
  name: string;
  displayName: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** RFC 7009 revocation endpoint; empty when the provider has none we can call with a token alone. */
  revokeUrl: string;
  defaultScopes: string[];
  pkce: boolean;
  /** How the client authenticates at the token endpoint. */
  tokenAuth: 'body' | 'basic';
  scopeSeparator: string;
  extraAuthorizeParams: Record<string, string>;
}

export interface ProviderClient {
  clientId: string;
  clientSecret: string;
}

const spec = (s: Partial<ProviderSpec> & Pick<ProviderSpec, 'name' | 'displayName' | 'authorizeUrl' | 'tokenUrl'>): ProviderSpec => ({
  revokeUrl: '',
  defaultScopes: [],
  pkce: true,
  tokenAuth: 'body',
  scopeSeparator: ' ',
  extraAuthorizeParams: {},
  ...s,
});

/** The built-in registry. Client ids and secrets come from configuration (see oauthConfigFromEnv). */
export const BUILT_IN_PROVIDERS: ProviderSpec[] = [
  spec({ name: 'github', displayName: 'GitHub', authorizeUrl: 'https://github.com/login/oauth/authorize', tokenUrl: 'https://github.com/login/oauth/access_token', defaultScopes: ['repo', 'read:user'] }),
  spec({
    name: 'google',
    displayName: 'Google',
    authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: 'https://oauth2.googleapis.com/token',
    revokeUrl: 'https://oauth2.googleapis.com/revoke',
    defaultScopes: ['openid', 'email'],
    extraAuthorizeParams: { access_type: 'offline', prompt: 'consent' },
  }),
  spec({
    name: 'microsoft',
    displayName: 'Microsoft',
    authorizeUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    tokenUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    defaultScopes: ['offline_access', 'User.Read'],
  }),
  spec({
    name: 'notion',
    displayName: 'Notion',
    authorizeUrl: 'https://api.notion.com/v1/oauth/authorize',
    tokenUrl: 'https://api.notion.com/v1/oauth/token',
    pkce: false,
    tokenAuth: 'basic',
    extraAuthorizeParams: { owner: 'user' },
  }),
  spec({ name: 'linear', displayName: 'Linear', authorizeUrl: 'https://linear.app/oauth/authorize', tokenUrl: 'https://api.linear.app/oauth/token', revokeUrl: 'https://api.linear.app/oauth/revoke', defaultScopes: ['read'], scopeSeparator: ',' }),
  spec({
    name: 'discord',
    displayName: 'Discord',
    authorizeUrl: 'https://discord.com/oauth2/authorize',
    tokenUrl: 'https://discord.com/api/oauth2/token',
    revokeUrl: 'https://discord.com/api/oauth2/token/revoke',
    defaultScopes: ['identify'],
  }),
  spec({
    name: 'twitter',
    displayName: 'Twitter / X',
    authorizeUrl: 'https://twitter.com/i/oauth2/authorize',
    tokenUrl: 'https://api.x.com/2/oauth2/token',
    revokeUrl: 'https://api.x.com/2/oauth2/revoke',
    defaultScopes: ['tweet.read', 'users.read', 'offline.access'],
    tokenAuth: 'basic',
  }),
  spec({
    name: 'reddit',
    displayName: 'Reddit',
    authorizeUrl: 'https://www.reddit.com/api/v1/authorize',
    tokenUrl: 'https://www.reddit.com/api/v1/access_token',
    revokeUrl: 'https://www.reddit.com/api/v1/revoke_token',
    defaultScopes: ['identity'],
    tokenAuth: 'basic',
    pkce: false,
    extraAuthorizeParams: { duration: 'permanent' },
  }),
  spec({ name: 'hubspot', displayName: 'HubSpot', authorizeUrl: 'https://app.hubspot.com/oauth/authorize', tokenUrl: 'https://api.hubapi.com/oauth/v1/token', defaultScopes: ['crm.objects.contacts.read'], pkce: false }),
  spec({ name: 'airtable', displayName: 'Airtable', authorizeUrl: 'https://airtable.com/oauth2/v1/authorize', tokenUrl: 'https://airtable.com/oauth2/v1/token', defaultScopes: ['data.records:read'], tokenAuth: 'basic' }),
  spec({
    name: 'slack',
    displayName: 'Slack',
    authorizeUrl: 'https://slack.com/oauth/v2/authorize',
    tokenUrl: 'https://slack.com/api/oauth.v2.access',
    revokeUrl: 'https://slack.com/api/auth.revoke',
    defaultScopes: ['chat:write'],
    scopeSeparator: ',',
    pkce: false,
  }),
];

export interface OAuthConfig {
  /** Per provider name: client credentials and optional endpoint overrides (e.g. GitHub Enterprise). */
  providers: Record<string, ProviderClient & Partial<Pick<ProviderSpec, 'authorizeUrl' | 'tokenUrl' | 'revokeUrl'>>>;
  /** Refresh a token this long before it expires (default 60 s). */
  refreshSkewMs?: number;
  /** How long a started flow (state) stays valid (default 10 min). */
  stateTtlMs?: number;
}

/**
 * Reads `AGENTRY_OAUTH_<PROVIDER>_CLIENT_ID` / `_CLIENT_SECRET` (and optional `_AUTHORIZE_URL`, `_TOKEN_URL`,
 * `_REVOKE_URL`) for every built-in provider. A provider without a client id is listed but cannot connect.
 */
export function oauthConfigFromEnv(env: NodeJS.ProcessEnv): OAuthConfig {
  const providers: OAuthConfig['providers'] = {};
  for (const p of BUILT_IN_PROVIDERS) {
    const key = `AGENTRY_OAUTH_${p.name.toUpperCase()}_`;
    const clientId = env[`${key}CLIENT_ID`];
    if (!clientId) continue;
    const entry: OAuthConfig['providers'][string] = { clientId, clientSecret: env[`${key}CLIENT_SECRET`] ?? '' };
    if (env[`${key}AUTHORIZE_URL`]) entry.authorizeUrl = env[`${key}AUTHORIZE_URL`];
    if (env[`${key}TOKEN_URL`]) entry.tokenUrl = env[`${key}TOKEN_URL`];
    if (env[`${key}REVOKE_URL`]) entry.revokeUrl = env[`${key}REVOKE_URL`];
    providers[p.name] = entry;
  }
  return { providers };
}
