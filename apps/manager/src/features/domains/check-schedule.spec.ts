import { describe, expect, it } from 'vitest';
import { isDue, nextUnverifiedCheck, nextVerifiedCheck, sweepEveryMs } from './check-schedule';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const timing = { checkIntervalMs: 30_000, maxCheckIntervalMs: 15 * MINUTE, recheckIntervalMs: 6 * 60 * MINUTE, releaseMs: 7 * DAY };
const claimedAt = new Date('2026-12-01T00:00:00.000Z');
const releaseAt = new Date(claimedAt.getTime() + timing.releaseMs);
const at = (ms: number) => new Date(claimedAt.getTime() + ms);

describe('when domains are checked', () => {
  it('sweeps often enough that a due check waits at most a tenth of the interval, or 5 s', () => {
    expect(sweepEveryMs({ checkIntervalMs: 30_000 })).toBe(3_000);
    expect(sweepEveryMs({ checkIntervalMs: 5_000 })).toBe(500);
    expect(sweepEveryMs({ checkIntervalMs: 1_000 })).toBe(250);
    expect(sweepEveryMs({ checkIntervalMs: 10 * MINUTE })).toBe(5_000);
  });

  it('checks a young claim every interval, then every tenth of its age, at most every 15 minutes', () => {
    expect(nextUnverifiedCheck(at(0), releaseAt, timing)).toEqual(at(30_000));
    expect(nextUnverifiedCheck(at(4 * MINUTE), releaseAt, timing)).toEqual(at(4 * MINUTE + 30_000));
    expect(nextUnverifiedCheck(at(60 * MINUTE), releaseAt, timing)).toEqual(at(66 * MINUTE));
    expect(nextUnverifiedCheck(at(3 * DAY), releaseAt, timing)).toEqual(at(3 * DAY + 15 * MINUTE));
  });

  it('checks a claim one last time when it is due for release', () => {
    expect(nextUnverifiedCheck(at(7 * DAY - MINUTE), releaseAt, timing)).toEqual(releaseAt);
    expect(isDue(releaseAt, at(7 * DAY - 1))).toBe(false);
    expect(isDue(releaseAt, at(7 * DAY))).toBe(true);
    expect(isDue(null, at(100 * DAY))).toBe(false);
  });

  it('re-checks a verified domain less often, sooner after an outage, and when it would lapse', () => {
    expect(nextVerifiedCheck(at(0), null, false, timing)).toEqual(at(6 * 60 * MINUTE));
    expect(nextVerifiedCheck(at(0), null, true, timing)).toEqual(at(15 * MINUTE));
    expect(nextVerifiedCheck(at(0), at(MINUTE), false, timing)).toEqual(at(MINUTE));
  });
});
