import { describe, expect, it } from 'vitest';
import { FailureThrottle } from './failure-throttle';

describe('FailureThrottle', () => {
  const make = (now = { t: 0 }) => ({
    now,
    throttle: new FailureThrottle({ baseDelayMs: 100, maxDelayMs: 1000, windowMs: 60_000, maxEntries: 3, now: () => now.t }),
  });

  it('lets the first attempt through, then doubles the delay per failure up to the ceiling', () => {
    const { throttle } = make();
    expect(throttle.delayFor('198.51.100.1', 'alice')).toBe(0);
    expect([1, 2, 3, 4, 5].map(() => throttle.recordFailure('198.51.100.1', 'alice'))).toEqual([100, 200, 400, 800, 1000]);
  });

  it('slows a user name guessed from many addresses, and an address guessing many names', () => {
    const { throttle } = make();
    for (let i = 0; i < 3; i += 1) throttle.recordFailure(`203.0.113.${i}`, 'alice');
    expect(throttle.delayFor('203.0.113.99', 'alice')).toBe(400);
    const other = make().throttle;
    for (const name of ['a', 'b', 'c']) other.recordFailure('198.51.100.1', name);
    expect(other.delayFor('198.51.100.1', 'zed')).toBe(400);
  });

  it('forgets failures after the window, and a name after a success', () => {
    const { throttle, now } = make();
    throttle.recordFailure('198.51.100.1', 'alice');
    throttle.recordSuccess('alice');
    expect(throttle.delayFor('198.51.100.2', 'alice')).toBe(0);
    expect(throttle.delayFor('198.51.100.1', 'bob')).toBe(100);
    now.t = 61_000;
    expect(throttle.delayFor('198.51.100.1', 'bob')).toBe(0);
  });

  it('remembers a bounded number of keys', () => {
    const { throttle } = make();
    for (const address of ['a', 'b', 'c', 'd']) throttle.recordFailure(address, `user-${address}`);
    expect(throttle.delayFor('a', 'nobody')).toBe(0);
    expect(throttle.delayFor('d', 'nobody')).toBe(100);
  });
});
