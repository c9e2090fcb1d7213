import type { EventStore } from '@agentry/event-log';
import { DomainError, streamIdOf, type Clock, type EventEnvelope } from '@agentry/kernel';
import type { SessionEvent } from '../domain/accounts/events';
import { hashSecret, newSecret } from '../domain/accounts/secrets';
import { Projection } from './streams';

interface Session {
  id: string;
  userId: string;
  tenantId: string;
  tokenHash: string;
  expiresAt: string;
  revoked: boolean;
}

/**
 * Refresh tokens: opaque, rotated on every use, stored as hashes in `session-*` streams. Presenting a token that
 * was already rotated away means it leaked: the whole session is revoked (OAuth 2.0 BCP refresh-token reuse detection).
 */
export class Sessions {
  private readonly sessions = new Map<string, Session>();
  private readonly current = new Map<string, string>(); // tokenHash -> sessionId
  private readonly retired = new Map<string, string>(); // rotated tokenHash -> sessionId
  private readonly projection: Projection;

  constructor(private readonly deps: { events: EventStore; clock: Clock; newId: () => string; ttlSeconds: number }) {
    this.projection = new Projection(deps.events, ['session'], (e) => this.apply(e));
  }

  start(): Promise<void> {
    return this.projection.start();
  }

  /** Folds what other writers append to the log every `intervalMs` (0 = never); returns the stop function. */
  follow(intervalMs: number, onError?: (err: unknown) => void): () => void {
    return this.projection.follow(intervalMs, onError);
  }

  /** Drops this read model and folds it again from the event log; returns how many events it folded. */
  rebuild(): Promise<number> {
    return this.projection.rebuild(() => {
      this.sessions.clear();
      this.current.clear();
      this.retired.clear();
    });
  }

  async open(userId: string, tenantId: string): Promise<{ refreshToken: string; sessionId: string }> {
    const sessionId = this.deps.newId();
    const refreshToken = newSecret('agrt');
    await this.projection.append(tenantId, streamIdOf('session', sessionId), [
      {
        type: 'SessionStarted',
        data: {
          sessionId,
          userId,
          tenantId,
          tokenHash: hashSecret(refreshToken),
          expiresAt: this.expiry(),
          at: this.now(),
        },
      } satisfies SessionEvent,
    ]);
    return { refreshToken, sessionId };
  }

  /** Swaps a refresh token for a new one; the session (user, tenant) it belongs to is returned for the new access token. */
  async rotate(
    refreshToken: string,
  ): Promise<{ refreshToken: string; userId: string; tenantId: string; sessionId: string }> {
    const hash = hashSecret(refreshToken);
    const reused = this.retired.get(hash);
    if (reused) {
      const s = this.sessions.get(reused)!;
      if (!s.revoked) await this.revokeSession(s, 'reuse');
      throw new DomainError(
        'UNAUTHENTICATED',
        'the refresh token was already used; the session is revoked, sign in again',
      );
    }
    const session = this.live(hash);
    const next = newSecret('agrt');
    await this.projection.append(session.tenantId, streamIdOf('session', session.id), [
      {
        type: 'SessionRefreshed',
        data: { sessionId: session.id, tokenHash: hashSecret(next), expiresAt: this.expiry(), at: this.now() },
      } satisfies SessionEvent,
    ]);
    return { refreshToken: next, userId: session.userId, tenantId: session.tenantId, sessionId: session.id };
  }

  async revoke(refreshToken: string): Promise<void> {
    const hash = hashSecret(refreshToken);
    const id = this.current.get(hash) ?? this.retired.get(hash);
    const session = id ? this.sessions.get(id) : undefined;
    if (session && !session.revoked) await this.revokeSession(session, 'logout');
  }

  async revokeAllOf(userId: string, reason: 'password-changed' | 'member-removed', tenantId?: string): Promise<void> {
    for (const s of this.sessions.values())
      if (s.userId === userId && !s.revoked && (!tenantId || s.tenantId === tenantId))
        await this.revokeSession(s, reason);
  }

  /** Access tokens name their session; once it is revoked (logout, reuse, password change) they stop working. */
  isLive(sessionId: string): boolean {
    const s = this.sessions.get(sessionId);
    return !!s && !s.revoked;
  }

  private live(hash: string): Session {
    const id = this.current.get(hash);
    const session = id ? this.sessions.get(id) : undefined;
    if (!session || session.revoked || session.expiresAt <= this.now())
      throw new DomainError('UNAUTHENTICATED', 'the refresh token is not valid; sign in again');
    return session;
  }

  private revokeSession(s: Session, reason: 'logout' | 'reuse' | 'password-changed' | 'member-removed'): Promise<void> {
    return this.projection.append(s.tenantId, streamIdOf('session', s.id), [
      { type: 'SessionRevoked', data: { sessionId: s.id, reason, at: this.now() } } satisfies SessionEvent,
    ]);
  }

  private apply(envelope: EventEnvelope): void {
    const event = { type: envelope.type, data: envelope.data } as SessionEvent;
    switch (event.type) {
      case 'SessionStarted': {
        const d = event.data;
        this.sessions.set(d.sessionId, {
          id: d.sessionId,
          userId: d.userId,
          tenantId: d.tenantId,
          tokenHash: d.tokenHash,
          expiresAt: d.expiresAt,
          revoked: false,
        });
        this.current.set(d.tokenHash, d.sessionId);
        break;
      }
      case 'SessionRefreshed': {
        const s = this.sessions.get(event.data.sessionId);
        if (!s) break;
        this.current.delete(s.tokenHash);
        this.retired.set(s.tokenHash, s.id);
        s.tokenHash = event.data.tokenHash;
        s.expiresAt = event.data.expiresAt;
        this.current.set(s.tokenHash, s.id);
        break;
      }
      case 'SessionRevoked': {
        const s = this.sessions.get(event.data.sessionId);
        if (s) s.revoked = true;
        break;
      }
      default: {
        const unknown: never = event;
        void unknown;
      }
    }
  }

  private expiry(): string {
    return new Date(this.deps.clock.now().getTime() + this.deps.ttlSeconds * 1000).toISOString();
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}
