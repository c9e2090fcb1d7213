import { checkCron, decideDue, previewRuns, ticksBetween } from '../src';

describe('cron decisions (pure, explicit clock)', () => {
  const since = new Date('2026-01-01T00:00:00Z');
  const hourly = { cron: '0 * * * *', timezone: 'UTC', since, graceMs: 60_000 };

  it('fires an on-time tick, whatever the policy', () => {
    const now = new Date('2026-01-01T01:00:20Z');
    expect(decideDue({ ...hourly, now, policy: 'skip' })).toEqual({ kind: 'fire', tick: '2026-01-01T01:00:00.000Z', missed: 0 });
    expect(decideDue({ ...hourly, now, policy: 'run_once' })).toEqual({ kind: 'fire', tick: '2026-01-01T01:00:00.000Z', missed: 0 });
  });

  it('after downtime: skip drops the missed ticks, run_once fires once for all of them', () => {
    const now = new Date('2026-01-01T05:30:00Z'); // ticks 01:00..05:00 were missed
    expect(decideDue({ ...hourly, now, policy: 'skip' })).toEqual({ kind: 'skip', lastTick: '2026-01-01T05:00:00.000Z', missed: 5 });
    expect(decideDue({ ...hourly, now, policy: 'run_once' })).toEqual({ kind: 'fire', tick: '2026-01-01T05:00:00.000Z', missed: 5 });
    // skip still fires the latest tick when it is on time.
    expect(decideDue({ ...hourly, now: new Date('2026-01-01T05:00:10Z'), policy: 'skip' })).toEqual({ kind: 'fire', tick: '2026-01-01T05:00:00.000Z', missed: 4 });
  });

  it('nothing due before the first tick', () => {
    expect(decideDue({ ...hourly, now: new Date('2026-01-01T00:59:59Z'), policy: 'run_once' })).toEqual({ kind: 'none' });
  });

  it('previews runs in the schedule time zone and bounds tick enumeration', () => {
    expect(previewRuns('0 9 * * 1-5', 'America/New_York', 3, new Date('2026-01-02T00:00:00Z'))).toEqual(['2026-01-02T14:00:00.000Z', '2026-01-05T14:00:00.000Z', '2026-01-06T14:00:00.000Z']);
    expect(ticksBetween('* * * * * *', 'UTC', since, new Date('2026-01-02T00:00:00Z'), 50)).toHaveLength(50);
  });

  it('refuses bad expressions and zones with the reason', () => {
    expect(checkCron('0 25 * * *', 'UTC').cron).toMatch(/invalid cron expression/);
    expect(checkCron('0 * * * *', 'Nowhere/City').timezone).toBe("unknown time zone 'Nowhere/City'");
    expect(checkCron('0 * * * *', 'Asia/Tokyo')).toEqual({});
  });
});
