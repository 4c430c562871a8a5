import { describe, expect, it } from 'vitest';
import { nextRetryAt, renewalDue, renewalStartsAt } from './retry-schedule';

const now = new Date('2026-12-01T10:00:00Z');
const delayOf = (date: Date): number => date.getTime() - now.getTime();
const backoff = { baseMs: 60_000, maxMs: 3_600_000 };

describe('nextRetryAt', () => {
  it('doubles the delay per failure, between half and all of it', () => {
    expect(delayOf(nextRetryAt(1, now, { ...backoff, random: () => 0 }))).toBe(30_000);
    expect(delayOf(nextRetryAt(1, now, { ...backoff, random: () => 0.999999 }))).toBe(60_000);
    expect(delayOf(nextRetryAt(2, now, { ...backoff, random: () => 0 }))).toBe(60_000);
    expect(delayOf(nextRetryAt(3, now, { ...backoff, random: () => 0.5 }))).toBe(180_000);
  });

  it('never waits longer than maxMs, even after thousands of failures', () => {
    for (const failures of [7, 30, 100, 5000, Number.MAX_SAFE_INTEGER]) {
      const delay = delayOf(nextRetryAt(failures, now, { ...backoff, random: () => 0.999999 }));
      expect(delay).toBeLessThanOrEqual(3_600_000);
      expect(delay).toBeGreaterThan(3_500_000);
    }
  });

  it('spreads retries of domains that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => delayOf(nextRetryAt(4, now, backoff))));
    expect(delays.size).toBeGreaterThan(40);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(240_000);
      expect(delay).toBeLessThanOrEqual(480_000);
    }
  });

  it('treats zero, negative and fractional failure counts as the first failure', () => {
    for (const failures of [0, -3, 0.5, Number.NaN]) {
      expect(delayOf(nextRetryAt(failures, now, { ...backoff, random: () => 0 }))).toBe(30_000);
    }
  });

  it('survives a random source that misbehaves', () => {
    expect(delayOf(nextRetryAt(1, now, { ...backoff, random: () => 7 }))).toBeLessThanOrEqual(60_000);
    expect(delayOf(nextRetryAt(1, now, { ...backoff, random: () => -1 }))).toBe(30_000);
    expect(delayOf(nextRetryAt(1, now, { ...backoff, random: () => Number.NaN }))).toBe(30_000);
  });

  it('refuses bounds that make no sense', () => {
    expect(() => nextRetryAt(1, now, { baseMs: 0, maxMs: 10 })).toThrow(RangeError);
    expect(() => nextRetryAt(1, now, { baseMs: 100, maxMs: 10 })).toThrow(RangeError);
    expect(() => nextRetryAt(1, now, { baseMs: Number.POSITIVE_INFINITY, maxMs: Number.POSITIVE_INFINITY })).toThrow(RangeError);
  });
});

describe('renewalDue', () => {
  const days = (n: number): Date => new Date(now.getTime() + n * 24 * 60 * 60 * 1000);

  it('is not due while more than renewDays remain', () => {
    expect(renewalDue(days(60), now, 30)).toBe(false);
    expect(renewalDue(days(30.01), now, 30)).toBe(false);
  });

  it('is due from renewDays before expiry on, and for an expired certificate', () => {
    expect(renewalDue(days(30), now, 30)).toBe(true);
    expect(renewalDue(days(1), now, 30)).toBe(true);
    expect(renewalDue(days(-5), now, 30)).toBe(true);
  });

  it('is due for an unreadable expiry date, so a broken certificate gets replaced', () => {
    expect(renewalDue(new Date('not a date'), now, 30)).toBe(true);
  });

  it('says when renewal starts', () => {
    expect(renewalStartsAt(new Date('2027-03-01T00:00:00Z'), 30).toISOString()).toBe('2027-01-30T00:00:00.000Z');
  });
});
