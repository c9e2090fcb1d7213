import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** AES-256-GCM under a key id: `{ kid, iv, tag, data }`, all base64url. */
export interface Sealed {
  kid: string;
  iv: string;
  tag: string;
  data: string;
}

/**
 * Seals with the current key; opens with the current key or any retired key still held (so a key rotation can
 * re-encrypt what was sealed under the previous key, and the service keeps working while it does).
 */
export class SecretBox {
  readonly kid: string;
  private readonly retired = new Map<string, Buffer>();

  private constructor(private readonly key: Buffer) {
    this.kid = kidOf(key);
  }

  /** Key material: 32 bytes as base64/base64url or 64 hex characters. */
  static fromKey(encoded: string, retiredKeys: string[] = []): SecretBox {
    const box = new SecretBox(decodeKey(encoded));
    for (const k of retiredKeys) {
      const raw = decodeKey(k);
      if (kidOf(raw) !== box.kid) box.retired.set(kidOf(raw), raw);
    }
    return box;
  }

  static generateKey(): string {
    return randomBytes(32).toString('base64url');
  }

  /** Key ids this box can open. */
  get kids(): string[] {
    return [this.kid, ...this.retired.keys()];
  }

  seal(plain: unknown, aad: string): Sealed {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad));
    const data = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final()]);
    return { kid: this.kid, iv: iv.toString('base64url'), tag: cipher.getAuthTag().toString('base64url'), data: data.toString('base64url') };
  }

  open(sealed: Sealed, aad: string): unknown {
    const key = sealed.kid === this.kid ? this.key : this.retired.get(sealed.kid);
    if (!key) throw new Error(`secret sealed under key ${sealed.kid}, which this service does not hold (current key is ${this.kid})`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    return JSON.parse(Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64url')), decipher.final()]).toString('utf8'));
  }

  /** The same plaintext sealed under the current key (no-op when it already is). */
  reseal(sealed: Sealed, aad: string): Sealed {
    return sealed.kid === this.kid ? sealed : this.seal(this.open(sealed, aad), aad);
  }
}

function decodeKey(encoded: string): Buffer {
  const trimmed = encoded.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64url');
  if (key.length !== 32) throw new Error('AGENTRY_ENCRYPTION_KEY must be 32 bytes (64 hex characters or base64)');
  return key;
}

function kidOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 12);
}
