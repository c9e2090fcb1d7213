import { Cron } from 'croner';

export const MISSED_RUN_POLICIES = ['skip', 'run_once'] as const;
export type MissedRunPolicy = (typeof MISSED_RUN_POLICIES)[number];

export function previewRuns(cron: string, timezone: string, count: number, from: Date): string[] {
  const job = new Cron(cron, { timezone, paused: true });
  return job.nextRuns(count, from).map((d) => d.toISOString());
}

/** Validates cron + timezone (+ policy); every problem is refused with its reason. */
export function checkCron(cron: string, timezone: string): Record<string, string> {
  const errors: Record<string, string> = {};
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    errors.timezone = `unknown time zone '${timezone}'`;
  }
  try {
    new Cron(cron, { paused: true });
  } catch (err) {
    errors.cron = `invalid cron expression: ${(err as Error).message}`;
  }
  return errors;
}

/** Ticks in (after, until], oldest first; at most `max` (so a long downtime costs bounded work). */
export function ticksBetween(cron: string, timezone: string, after: Date, until: Date, max = 10_000): Date[] {
  const job = new Cron(cron, { timezone, paused: true });
  const out: Date[] = [];
  let cursor: Date | null = after;
  while (out.length < max) {
    cursor = job.nextRun(cursor);
    if (!cursor || cursor.getTime() > until.getTime()) break;
    out.push(cursor);
  }
  return out;
}

export type DueDecision = { kind: 'none' } | { kind: 'fire'; tick: string; missed: number } | { kind: 'skip'; lastTick: string; missed: number };

/**
 * What one schedule should do at `now` (pure). A tick is on time when at most `graceMs` old; older ticks were
 * missed (no scheduler was running). `skip` drops missed ticks (firing only an on-time one); `run_once` fires once
 * for however many were missed.
 */
export function decideDue(input: { cron: string; timezone: string; since: Date; now: Date; policy: MissedRunPolicy; graceMs: number }): DueDecision {
  const ticks = ticksBetween(input.cron, input.timezone, input.since, input.now);
  if (!ticks.length) return { kind: 'none' };
  const latest = ticks[ticks.length - 1];
  const onTime = input.now.getTime() - latest.getTime() <= input.graceMs;
  const missed = ticks.length - (onTime ? 1 : 0);
  if (onTime || input.policy === 'run_once') return { kind: 'fire', tick: latest.toISOString(), missed };
  return { kind: 'skip', lastTick: latest.toISOString(), missed };
}
