import fs from 'node:fs';
import path from 'node:path';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, exportJWK, decodeProtectedHeader, errors as joseErrors, type JWK } from 'jose';
import { DomainError } from '@agentry/kernel';

export interface AccessClaims {
  sub: string;
  tenant: string;
  roles: string[];
  /** Session (refresh-token family) the token was issued for; a revoked session's tokens stop working. */
  sid?: string;
  /** Set when the caller authenticated with an API key: the scopes it may use, and the key's id. */
  scopes?: string[];
  keyId?: string;
  /** Set for tokens of an external OIDC issuer: the user is managed there, not by local accounts. */
  external?: { issuer: string; email?: string };
}

const ISSUER = 'agentry';
const AUDIENCE = 'agentry-api';
const KEY_FILE = /^jwt-es256(-\d+)?\.pem$/;

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

function keyOf(pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const kid = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url')
    .slice(0, 16);
  return { kid, privateKey, publicKey };
}

const newPem = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/**
 * Asymmetric (ES256) access tokens with several keys told apart by `kid`: the newest signs, all verify, all are in
 * the JWKS. Keys come from AGENTRY_JWT_PRIVATE_KEY (one or more PEM blocks, the first signs; required in production)
 * or, outside production, from key files under the data folder (mode 0600), where `rotate()` adds a new one.
 */
export class TokenService {
  private keys: SigningKey[];
  /** Tokens already verified (ES256 verification is the costliest step of a request); bounded, expiry re-checked on hit. */
  private readonly verified = new Map<string, { claims: AccessClaims; exp: number }>();

  private constructor(
    keys: SigningKey[],
    private readonly ttlSeconds: number,
    private readonly keyDir?: string,
    private readonly keep = 3,
  ) {
    this.keys = keys;
  }

  static load(options: { privateKeyPem?: string; keyFile?: string; ttlSeconds: number; keep?: number }): TokenService {
    if (options.privateKeyPem) {
      const blocks = options.privateKeyPem.match(
        /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/g,
      ) ?? [options.privateKeyPem];
      return new TokenService(blocks.map(keyOf), options.ttlSeconds);
    }
    if (!options.keyFile) throw new DomainError('INTERNAL', 'no JWT signing key configured (AGENTRY_JWT_PRIVATE_KEY)');
    const dir = path.dirname(options.keyFile);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!fs.existsSync(options.keyFile)) fs.writeFileSync(options.keyFile, newPem(), { mode: 0o600 });
    // Newest first: rotated files are named jwt-es256-<ms>.pem and sort after the first jwt-es256.pem.
    const files = fs
      .readdirSync(dir)
      .filter((f) => KEY_FILE.test(f))
      .sort((a, b) => fileAge(b) - fileAge(a));
    return new TokenService(
      files.map((f) => keyOf(fs.readFileSync(path.join(dir, f), 'utf8'))),
      options.ttlSeconds,
      dir,
      options.keep,
    );
  }

  /** The kid new tokens are signed with. */
  get kid(): string {
    return this.keys[0].kid;
  }

  /**
   * Adds a new signing key; tokens signed with the previous keys stay valid until they expire. Only the newest
   * `keep` keys are kept (older files are deleted), so rotate at most every (keep-1) × token lifetime.
   */
  rotate(): { kid: string; keys: string[] } {
    if (!this.keyDir)
      throw new DomainError(
        'INVALID_TRANSITION',
        'keys come from AGENTRY_JWT_PRIVATE_KEY: rotate them there (list the new key first)',
      );
    const name = `jwt-es256-${Math.max(Date.now(), ...this.fileStamps()) + 1}.pem`;
    const pem = newPem();
    fs.writeFileSync(path.join(this.keyDir, name), pem, { mode: 0o600 });
    this.keys = [keyOf(pem), ...this.keys];
    const files = fs
      .readdirSync(this.keyDir)
      .filter((f) => KEY_FILE.test(f))
      .sort((a, b) => fileAge(b) - fileAge(a));
    for (const f of files.slice(this.keep)) fs.rmSync(path.join(this.keyDir, f), { force: true });
    this.keys = this.keys.slice(0, this.keep);
    this.verified.clear();
    return { kid: this.kid, keys: this.keys.map((k) => k.kid) };
  }

  private fileStamps(): number[] {
    return this.keyDir
      ? fs
          .readdirSync(this.keyDir)
          .filter((f) => KEY_FILE.test(f))
          .map(fileAge)
      : [];
  }

  async issue(claims: AccessClaims): Promise<{ accessToken: string; expiresIn: number }> {
    const key = this.keys[0];
    const accessToken = await new SignJWT({
      tenant: claims.tenant,
      roles: claims.roles,
      ...(claims.sid ? { sid: claims.sid } : {}),
    })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(key.privateKey);
    return { accessToken, expiresIn: this.ttlSeconds };
  }

  /** Only ES256 with one of our keys is accepted: `alg: none`, HS256 with the public key and foreign keys all fail. */
  async verify(token: string): Promise<AccessClaims> {
    const hit = this.verified.get(token);
    if (hit) {
      if (hit.exp * 1000 > Date.now()) return { ...hit.claims, roles: [...hit.claims.roles] };
      this.verified.delete(token);
      throw new DomainError('TOKEN_EXPIRED', 'the access token has expired; refresh it or sign in again');
    }
    try {
      const { kid } = decodeProtectedHeader(token);
      const key = this.keys.find((k) => k.kid === kid);
      if (!key) throw new DomainError('UNAUTHENTICATED', 'the access token is not valid');
      const { payload } = await jwtVerify(token, key.publicKey, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['ES256'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.tenant !== 'string')
        throw new DomainError('UNAUTHENTICATED', 'token lacks subject or tenant');
      const claims: AccessClaims = {
        sub: payload.sub,
        tenant: payload.tenant,
        roles: Array.isArray(payload.roles) ? payload.roles.map(String) : [],
        sid: typeof payload.sid === 'string' ? payload.sid : undefined,
      };
      if (typeof payload.exp === 'number') {
        if (this.verified.size >= 10_000) this.verified.clear();
        this.verified.set(token, { claims, exp: payload.exp });
      }
      return { ...claims, roles: [...claims.roles] };
    } catch (err) {
      if (err instanceof DomainError) throw err;
      if (err instanceof joseErrors.JWTExpired)
        throw new DomainError('TOKEN_EXPIRED', 'the access token has expired; refresh it or sign in again');
      throw new DomainError('UNAUTHENTICATED', 'the access token is not valid');
    }
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return {
      keys: await Promise.all(
        this.keys.map(async (k) => ({ ...(await exportJWK(k.publicKey)), kid: k.kid, alg: 'ES256', use: 'sig' })),
      ),
    };
  }
}

function fileAge(name: string): number {
  const m = name.match(/-(\d+)\.pem$/);
  return m ? Number(m[1]) : 0;
}
