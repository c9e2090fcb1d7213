import fs from 'node:fs';
import path from 'node:path';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, exportJWK, errors as joseErrors, type JWK } from 'jose';
import { DomainError } from '@agentry/kernel';

export interface AccessClaims {
  sub: string;
  tenant: string;
  roles: string[];
}

const ISSUER = 'agentry';
const AUDIENCE = 'agentry-api';

/**
 * Asymmetric (ES256) access tokens. The private key comes from AGENTRY_JWT_PRIVATE_KEY (PEM, required in production)
 * or, outside production, from a key file generated on first start under the data folder (mode 0600).
 */
export class TokenService {
  private constructor(
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
    readonly kid: string,
    private readonly ttlSeconds: number,
  ) {}

  static load(options: { privateKeyPem?: string; keyFile?: string; ttlSeconds: number }): TokenService {
    let pem = options.privateKeyPem;
    if (!pem) {
      if (!options.keyFile) throw new DomainError('INTERNAL', 'no JWT signing key configured (AGENTRY_JWT_PRIVATE_KEY)');
      if (fs.existsSync(options.keyFile)) pem = fs.readFileSync(options.keyFile, 'utf8');
      else {
        const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
        fs.mkdirSync(path.dirname(options.keyFile), { recursive: true, mode: 0o700 });
        fs.writeFileSync(options.keyFile, pem, { mode: 0o600 });
      }
    }
    const privateKey = createPrivateKey(pem);
    const publicKey = createPublicKey(privateKey);
    const kid = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url').slice(0, 16);
    return new TokenService(privateKey, publicKey, kid, options.ttlSeconds);
  }

  async issue(claims: AccessClaims): Promise<{ accessToken: string; expiresIn: number }> {
    const accessToken = await new SignJWT({ tenant: claims.tenant, roles: claims.roles })
      .setProtectedHeader({ alg: 'ES256', kid: this.kid, typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.privateKey);
    return { accessToken, expiresIn: this.ttlSeconds };
  }

  /** Only ES256 with our key is accepted: `alg: none`, HS256 with the public key and foreign keys all fail. */
  async verify(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'] });
      if (typeof payload.sub !== 'string' || typeof payload.tenant !== 'string') throw new DomainError('UNAUTHENTICATED', 'token lacks subject or tenant');
      return { sub: payload.sub, tenant: payload.tenant, roles: Array.isArray(payload.roles) ? payload.roles.map(String) : [] };
    } catch (err) {
      if (err instanceof DomainError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new DomainError('TOKEN_EXPIRED', 'the access token has expired; sign in again');
      throw new DomainError('UNAUTHENTICATED', 'the access token is not valid');
    }
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const jwk = await exportJWK(this.publicKey);
    return { keys: [{ ...jwk, kid: this.kid, alg: 'ES256', use: 'sig' }] };
  }
}
