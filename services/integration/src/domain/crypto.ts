import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** AES-256-GCM under a key id: `{ kid, iv, tag, data }`, all base64url. */
export interface Sealed {
  kid: string;
  iv: string;
  tag: string;
  data: string;
}

export class SecretBox {
  readonly kid: string;
  private constructor(private readonly key: Buffer) {
    this.kid = createHash('sha256').update(key).digest('base64url').slice(0, 12);
  }

  /** Key material: 32 bytes as base64/base64url or 64 hex characters. */
  static fromKey(encoded: string): SecretBox {
    const key = /^[0-9a-f]{64}$/i.test(encoded) ? Buffer.from(encoded, 'hex') : Buffer.from(encoded, 'base64url');
    if (key.length !== 32) throw new Error('AGENTRY_ENCRYPTION_KEY must be 32 bytes (64 hex characters or base64)');
    return new SecretBox(key);
  }

  static generateKey(): string {
    return randomBytes(32).toString('base64url');
  }

  seal(plain: unknown, aad: string): Sealed {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad));
    const data = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final()]);
    return { kid: this.kid, iv: iv.toString('base64url'), tag: cipher.getAuthTag().toString('base64url'), data: data.toString('base64url') };
  }

  open(sealed: Sealed, aad: string): unknown {
    if (sealed.kid !== this.kid) throw new Error(`secret sealed under key ${sealed.kid}, current key is ${this.kid}`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(sealed.iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    return JSON.parse(Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64url')), decipher.final()]).toString('utf8'));
  }
}
