import { executionsQuotaDraft, quotaDedupeKey, thresholdsReached, utcDay } from './quota';

describe('quota thresholds', () => {
  it('reaches 80 % and 100 % of a positive limit; no limit means nothing to say', () => {
    expect(thresholdsReached(7, 10)).toEqual([]);
    expect(thresholdsReached(8, 10)).toEqual([80]);
    expect(thresholdsReached(10, 10)).toEqual([80, 100]);
    expect(thresholdsReached(12, 10)).toEqual([80, 100]);
    expect(thresholdsReached(4, 5)).toEqual([80]); // exactly 80 %
    expect(thresholdsReached(3, 4)).toEqual([]); // 75 %
    expect(thresholdsReached(5, undefined)).toEqual([]);
    expect(thresholdsReached(0, 0)).toEqual([]);
  });

  it('days are UTC', () => {
    expect(utcDay('2026-08-10T23:59:59.999Z')).toBe('2026-08-10');
    expect(utcDay('2026-08-11T01:30:00+02:00')).toBe('2026-08-10');
    expect(utcDay('not a time')).toBe('');
  });

  it('one dedupe key per tenant, day, quota and threshold; drafts of the quota_nearly_used type', () => {
    expect(quotaDedupeKey('t', '2026-08-10', 'executionsPerDay', 80)).toBe('quota:t:2026-08-10:executionsPerDay:80');
    const nearly = executionsQuotaDraft({ day: '2026-08-10', used: 8, limit: 10, threshold: 80 });
    expect(nearly).toMatchObject({ type: 'quota_nearly_used', data: { quota: 'executionsPerDay', used: 8, limit: 10, threshold: 80 } });
    expect(nearly.body).toContain('8 of its 10');
    expect(executionsQuotaDraft({ day: '2026-08-10', used: 10, limit: 10, threshold: 100 }).title).toBe('All 10 executions of today are used');
  });
});
