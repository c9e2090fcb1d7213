import { createHmac, timingSafeEqual } from 'node:crypto';

export interface UnsubscribeClaim {
  tenantId: string;
  userId: string;
  /** A notification type, or 'all'. */
  type: string;
}

/** `<payload>.<HMAC-SHA256(payload)>`, base64url: an email link that changes preferences without signing in. */
export function signUnsubscribe(key: string, claim: UnsubscribeClaim): string {
  const payload = Buffer.from(JSON.stringify({ t: claim.tenantId, u: claim.userId, k: claim.type })).toString('base64url');
  return `${payload}.${createHmac('sha256', key).update(payload).digest('base64url')}`;
}

export function verifyUnsubscribe(key: string, token: string): UnsubscribeClaim | undefined {
  const [payload, sig, extra] = token.split('.');
  if (!payload || !sig || extra !== undefined) return undefined;
  const want = Buffer.from(createHmac('sha256', key).update(payload).digest('base64url'));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
  try {
    const c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { t?: unknown; u?: unknown; k?: unknown };
    if (typeof c.t !== 'string' || typeof c.u !== 'string' || typeof c.k !== 'string') return undefined;
    return { tenantId: c.t, userId: c.u, type: c.k };
  } catch {
    return undefined;
  }
}
