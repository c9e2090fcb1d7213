import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '@agentry/kernel';
import type { Accounts } from '../../app/accounts';
import type { ApiKeys } from '../../app/api-keys';
import type { OidcVerifier } from '../../app/oidc';
import type { Sessions } from '../../app/sessions';
import type { AccessClaims, TokenService } from '../../app/tokens';
import { MANAGER_ROLES, WRITER_ROLES, type Role, type Scope } from '../../domain/accounts/events';

export interface Authenticator {
  /** A bearer token or an API key, from HTTP headers, WebSocket query or gRPC metadata. */
  authenticate(credential: { bearer?: string; apiKey?: string }): Promise<AccessClaims>;
}

/**
 * One place decides who a credential is, for REST, WebSocket and gRPC alike: the token must verify, its session must
 * not be revoked and its user must still be a member of the tenant (with the role they have now, not when signed in).
 */
export function createAuthenticator(deps: {
  tokens: TokenService;
  accounts: Accounts;
  sessions: Sessions;
  apiKeys: ApiKeys;
  oidc?: OidcVerifier;
}): Authenticator {
  return {
    async authenticate({ bearer, apiKey }) {
      if (apiKey) {
        const key = deps.apiKeys.authenticate(apiKey);
        const role = deps.accounts.roleOf(key.userId, key.tenantId);
        if (!role) throw new DomainError('UNAUTHENTICATED', 'the API key is not valid');
        return { sub: key.userId, tenant: key.tenantId, roles: [role], scopes: key.scopes, keyId: key.id };
      }
      if (!bearer)
        throw new DomainError(
          'UNAUTHENTICATED',
          'send `Authorization: Bearer <token>` (from POST /api/v1/auth/login) or `X-API-Key: <key>`',
        );
      if (deps.oidc?.claims(bearer)) return deps.oidc.verify(bearer);
      const claims = await deps.tokens.verify(bearer);
      if (claims.sid && !deps.sessions.isLive(claims.sid))
        throw new DomainError('UNAUTHENTICATED', 'the session has ended; sign in again');
      if (!deps.accounts.getUser(claims.sub)) throw new DomainError('UNAUTHENTICATED', 'the account no longer exists');
      const role = deps.accounts.roleOf(claims.sub, claims.tenant);
      if (!role) throw new DomainError('UNAUTHENTICATED', 'the account is no longer a member of this tenant');
      return { ...claims, roles: [role] };
    },
  };
}

/** Express middleware: sets res.locals.auth or fails with 401. */
export function authenticateRequest(auth: Authenticator) {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.header('authorization');
    const apiKey = req.header('x-api-key');
    let bearer: string | undefined;
    if (header !== undefined) {
      const match = header.match(/^Bearer\s+([A-Za-z0-9._~+/=-]{1,8192})$/);
      if (!match) return next(new DomainError('UNAUTHENTICATED', 'send `Authorization: Bearer <token>`'));
      bearer = match[1];
    }
    if (apiKey !== undefined && (apiKey.length > 256 || !apiKey))
      return next(new DomainError('UNAUTHENTICATED', 'the API key is not valid'));
    auth.authenticate({ bearer, apiKey }).then((claims) => {
      res.locals.auth = claims;
      next();
    }, next);
  };
}

/**
 * What a caller may do: an API key needs the scope (a `:write` scope includes its `:read`); a role needs to be a
 * writer for `:write` scopes and a manager for `tenant:admin`. Viewers read only.
 */
export function authorize(res: Response, scope?: Scope, userOnly = false): void {
  const claims = res.locals.auth as AccessClaims | undefined;
  if (!claims) throw new DomainError('UNAUTHENTICATED', 'sign in first');
  if (claims.scopes && userOnly) throw new DomainError('PERMISSION_DENIED', 'this needs a user token, not an API key');
  if (claims.external && userOnly)
    throw new DomainError('PERMISSION_DENIED', 'accounts of the external identity provider are managed there');
  if (!scope) return;
  checkScope(claims, scope);
}

export function checkScope(claims: AccessClaims, scope: Scope): void {
  if (claims.scopes) {
    const [area, level] = scope.split(':');
    const ok =
      claims.scopes.includes(scope) ||
      (level === 'read' && claims.scopes.includes(`${area}:write`)) ||
      claims.scopes.includes('tenant:admin');
    if (!ok) throw new DomainError('PERMISSION_DENIED', `the API key lacks the ${scope} scope`);
  }
  const roles = claims.roles as Role[];
  if (scope === 'tenant:admin' && !roles.some((r) => MANAGER_ROLES.includes(r)))
    throw new DomainError('PERMISSION_DENIED', 'only owners and admins may do this');
  if (scope.endsWith(':write') && !roles.some((r) => WRITER_ROLES.includes(r)))
    throw new DomainError('PERMISSION_DENIED', 'viewers cannot change anything');
}

/** Scope a hand-mounted route needs, guessed from its path and method (for routes not declared through the registry). */
export function scopeFor(method: string, path: string): Scope | undefined {
  const area = path.match(
    /^\/v1\/(graphs|executions|blocks|credentials|schedules|store|library|notifications|files)\b/,
  )?.[1];
  if (!area) return undefined;
  if (/^\/v1\/graphs\/[^/]+\/execute$/.test(path)) return 'executions:write';
  const name = ({ library: 'store', blocks: 'blocks' } as Record<string, string>)[area] ?? area;
  const write = !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
  if (name === 'blocks') return 'blocks:read';
  return `${name}:${write ? 'write' : 'read'}` as Scope;
}
