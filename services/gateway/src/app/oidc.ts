import { createRemoteJWKSet, decodeJwt, jwtVerify, errors as joseErrors, type JWTVerifyGetKey } from 'jose';
import { DomainError } from '@agentry/kernel';
import { ROLES, type Role } from '../domain/accounts/events';
import type { AccessClaims } from './tokens';

export interface OidcOptions {
  issuer: string;
  audience?: string;
  jwksUrl?: string;
  tenantClaim: string;
  rolesClaim: string;
  defaultTenant?: string;
}

/** Reads a possibly nested claim (`https://example.com/tenant` or `org.tenant`). */
function claim(payload: Record<string, unknown>, name: string): unknown {
  if (name in payload) return payload[name];
  return name
    .split('.')
    .reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), payload);
}

/**
 * External OIDC mode: tokens whose `iss` is the configured issuer are verified against its JWKS (asymmetric
 * algorithms only) and mapped to a tenant and roles from their claims. Unknown roles are ignored; no role means viewer.
 */
export class OidcVerifier {
  private keys?: JWTVerifyGetKey;

  constructor(private readonly options: OidcOptions) {}

  /** True when the (unverified) token names this issuer: only then is it verified here. */
  claims(token: string): boolean {
    try {
      return decodeJwt(token).iss === this.options.issuer;
    } catch {
      return false;
    }
  }

  private async jwks(): Promise<JWTVerifyGetKey> {
    if (this.keys) return this.keys;
    let url = this.options.jwksUrl;
    if (!url) {
      const res = await fetch(`${this.options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`).catch(
        () => undefined,
      );
      const discovery = res?.ok ? ((await res.json()) as { jwks_uri?: string }) : undefined;
      if (!discovery?.jwks_uri) throw new DomainError('UNAVAILABLE', 'the identity provider cannot be reached');
      url = discovery.jwks_uri;
    }
    this.keys = createRemoteJWKSet(new URL(url), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    return this.keys;
  }

  async verify(token: string): Promise<AccessClaims> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, await this.jwks(), {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'],
      }));
    } catch (err) {
      if (err instanceof DomainError) throw err;
      if (err instanceof joseErrors.JWTExpired)
        throw new DomainError('TOKEN_EXPIRED', 'the identity provider token has expired');
      throw new DomainError('UNAUTHENTICATED', 'the identity provider token is not valid');
    }
    const tenant = claim(payload, this.options.tenantClaim) ?? this.options.defaultTenant;
    if (typeof payload.sub !== 'string' || typeof tenant !== 'string' || !tenant)
      throw new DomainError(
        'UNAUTHENTICATED',
        `the token carries no subject or tenant claim (${this.options.tenantClaim})`,
      );
    const raw = claim(payload, this.options.rolesClaim);
    const roles = (Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,]+/) : [])
      .map(String)
      .filter((r): r is Role => (ROLES as readonly string[]).includes(r));
    return {
      sub: payload.sub,
      tenant,
      roles: roles.length ? roles : ['viewer'],
      external: { issuer: this.options.issuer, email: typeof payload.email === 'string' ? payload.email : undefined },
    };
  }
}
