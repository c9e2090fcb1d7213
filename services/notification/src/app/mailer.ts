import { DomainError, streamIdOf, type Clock } from '@agentry/kernel';
import type { Logger } from '@agentry/observability';
import { renderMail, type MailItem } from '../domain/templates';
import { signUnsubscribe } from '../domain/unsubscribe';
import type { EmailRecord, Notification, Notifications } from './notifications';

/** What sends a message; nodemailer's SMTP transport in production. */
export interface MailTransport {
  sendMail(message: { from: string; to: string; subject: string; html: string; text: string; messageId: string; headers: Record<string, string> }): Promise<{ messageId?: string }>;
}

export interface EmailSettings {
  from: string;
  /** Base of links in emails (unsubscribe, open in Agentry). */
  publicUrl: string;
  /** HMAC key of unsubscribe links. */
  signingKey: string;
  /** Batched notifications wait this long for company (default 15 min). */
  batchWindowMs?: number;
  /** Daily digests go out at this UTC hour (default 8). */
  digestHourUtc?: number;
  maxAttempts?: number;
  /** First retry after this long, doubling each time (default 30 s, at most 1 h). */
  retryBaseMs?: number;
  /** A send started this long ago with no outcome is given up as uncertain, never resent (default 10 min). */
  sendTimeoutMs?: number;
}

const DAY = 86_400_000;

/** Transient = nothing was accepted: retry later. A 5xx answer is permanent. Anything else after DATA may have been accepted. */
function classify(err: unknown): 'retry' | 'abandoned' | 'uncertain' {
  const e = err as { responseCode?: number; code?: string; command?: string };
  if (typeof e.responseCode === 'number') return e.responseCode >= 500 ? 'abandoned' : 'retry';
  if (['ECONNECTION', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'EAUTH', 'EENVELOPE'].includes(e.code ?? '') && e.command !== 'DATA') return 'retry';
  return 'uncertain';
}

/**
 * Email delivery as an outbox of events: plan (immediate / batched / daily digest, daily cap, unsubscribe link),
 * then send each queued email. A send is claimed with an expected-version append (one sender across replicas),
 * recorded as sent or failed; failures that prove nothing was accepted are retried with backoff, anything
 * uncertain is never sent again.
 */
export class Mailer {
  constructor(private readonly deps: { notifications: Notifications; transport: MailTransport; settings: EmailSettings; clock: Clock; logger: Logger }) {}

  /** One pass: queue what is due, then send what is queued and due. Returns how many emails were sent. */
  async run(now = this.deps.clock.now()): Promise<number> {
    await this.plan(now);
    return this.send(now);
  }

  async plan(now: Date): Promise<void> {
    const n = this.deps.notifications;
    const pending = new Map<string, { immediate: Notification[]; batched: Notification[]; daily: Notification[] }>();
    for (const x of n.byId.values()) {
      if (x.emailMode === 'off' || n.emailed.has(x.id)) continue;
      const k = `${x.tenantId}/${x.userId}`;
      if (!pending.has(k)) pending.set(k, { immediate: [], batched: [], daily: [] });
      pending.get(k)![x.emailMode].push(x);
    }
    const s = this.deps.settings;
    for (const groups of pending.values()) {
      for (const x of groups.immediate) await this.queue(`n-${x.id}`, 'immediate', [x], now);
      const byAge = (a: Notification, b: Notification) => a.createdAt.localeCompare(b.createdAt);
      const batched = groups.batched.sort(byAge);
      if (batched.length && Date.parse(batched[0].createdAt) + (s.batchWindowMs ?? 900_000) <= now.getTime()) await this.queue(`b-${batched[0].id}`, 'batched', batched, now);
      const daily = groups.daily.sort(byAge);
      if (daily.length && nextDigestAt(daily[0].createdAt, s.digestHourUtc ?? 8) <= now.getTime()) await this.queue(`d-${daily[0].id}`, 'daily', daily, now);
    }
  }

  private async queue(id: string, kind: EmailRecord['kind'], items: Notification[], now: Date): Promise<void> {
    const n = this.deps.notifications;
    const { tenantId, userId } = items[0];
    const prefs = n.preferences(tenantId, userId);
    const to = n.emailAddressOf(tenantId, userId);
    const day = now.toISOString().slice(0, 10);
    const sentToday = [...n.emails.values()].filter((e) => e.tenantId === tenantId && e.userId === userId && e.queuedAt.slice(0, 10) === day).length;
    const notificationIds = items.map((i) => i.id);
    const reason = !to ? 'no email address known for the user' : sentToday >= prefs.dailyEmailCap ? `daily cap of ${prefs.dailyEmailCap} emails reached` : '';
    const stream = streamIdOf('email', id);
    try {
      if (reason) {
        await n.append(stream, 0, tenantId, [{ type: 'EmailSuppressed', data: { id, tenantId, userId, notificationIds, reason, at: now.toISOString() } }]);
        this.deps.logger.info({ emailId: id, userId, reason }, 'email suppressed');
        return;
      }
      const s = this.deps.settings;
      const unsubscribeType = kind === 'immediate' ? items[0].type : 'all';
      const unsubscribeUrl = `${s.publicUrl.replace(/\/+$/, '')}/api/v1/notifications/unsubscribe?token=${signUnsubscribe(s.signingKey, { tenantId, userId, type: unsubscribeType })}`;
      const mailItems: MailItem[] = items.map((i) => ({ title: i.title, body: i.body, createdAt: i.createdAt, link: linkOf(s.publicUrl, i) }));
      const rendered = renderMail(kind, mailItems, unsubscribeUrl, unsubscribeType === 'all' ? 'all Agentry emails' : `"${unsubscribeType.replace(/_/g, ' ')}" emails`);
      await n.append(stream, 0, tenantId, [{ type: 'EmailQueued', data: { id, tenantId, userId, kind, to, ...rendered, unsubscribeUrl, notificationIds, queuedAt: now.toISOString() } }]);
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== 'VERSION_CONFLICT') throw err; // another replica queued it
    }
  }

  async send(now: Date): Promise<number> {
    const n = this.deps.notifications;
    const s = this.deps.settings;
    let sent = 0;
    for (const e of [...n.emails.values()]) {
      if (e.status === 'sending' && e.startedAt && Date.parse(e.startedAt) + (s.sendTimeoutMs ?? 600_000) <= now.getTime()) {
        await this.record(e, { type: 'EmailSendFailed', data: { id: e.id, attempt: e.attempts, error: 'no outcome recorded for the last attempt', retryAt: '', outcome: 'uncertain' } }).catch(() => undefined);
        continue;
      }
      if ((e.status !== 'queued' && e.status !== 'retrying') || Date.parse(e.nextAttemptAt) > now.getTime()) continue;
      const attempt = e.attempts + 1;
      try {
        await n.append(streamIdOf('email', e.id), e.streamVersion, e.tenantId, [{ type: 'EmailSendStarted', data: { id: e.id, attempt, at: now.toISOString() } }]);
      } catch (err) {
        if (err instanceof DomainError && err.code === 'VERSION_CONFLICT') continue; // another replica is sending it
        throw err;
      }
      try {
        const messageId = `<${e.id}@agentry>`;
        await this.deps.transport.sendMail({
          from: s.from,
          to: e.to,
          subject: e.subject,
          html: e.html,
          text: e.text,
          messageId,
          headers: { 'List-Unsubscribe': `<${e.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        });
        await this.record(e, { type: 'EmailSent', data: { id: e.id, attempt, messageId, at: this.deps.clock.now().toISOString() } });
        sent++;
      } catch (err) {
        const outcome = attempt >= (s.maxAttempts ?? 6) && classify(err) === 'retry' ? 'abandoned' : classify(err);
        const delay = Math.min((s.retryBaseMs ?? 30_000) * 2 ** (attempt - 1), 3_600_000);
        const retryAt = outcome === 'retry' ? new Date(now.getTime() + delay).toISOString() : '';
        this.deps.logger.warn({ emailId: e.id, attempt, outcome, retryAt, error: (err as Error).message }, 'email send failed');
        await this.record(e, { type: 'EmailSendFailed', data: { id: e.id, attempt, error: (err as Error).message, retryAt, outcome } });
      }
    }
    return sent;
  }

  private record(e: EmailRecord, event: Parameters<Notifications['append']>[3][number]): Promise<void> {
    return this.deps.notifications.append(streamIdOf('email', e.id), e.streamVersion, e.tenantId, [event]);
  }
}

function linkOf(publicUrl: string, n: Notification): string | undefined {
  const base = publicUrl.replace(/\/+$/, '');
  if (typeof n.data.executionId === 'string' && n.data.executionId) return `${base}/executions/${n.data.executionId}`;
  return undefined;
}

/** The first digest time (hour:00 UTC) after a notification was created. */
export function nextDigestAt(createdAt: string, hourUtc: number): number {
  const t = Date.parse(createdAt);
  const sameDay = Date.UTC(new Date(t).getUTCFullYear(), new Date(t).getUTCMonth(), new Date(t).getUTCDate(), hourUtc);
  return sameDay > t ? sameDay : sameDay + DAY;
}
