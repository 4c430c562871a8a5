import { describe, expect, it } from 'vitest';
import { SlidingWindow } from './sliding-window';

describe('SlidingWindow', () => {
  it('frees a key when the event that keeps it at the limit leaves the window', () => {
    const window = new SlidingWindow(100, 2);
    window.record('k', 10);
    window.record('k', 20);
    window.record('k', 30);
    expect(window.count('k', 35)).toBe(2);
    // With 20 and 30 live and a limit of 2, one more is allowed once 20 leaves: at 120.
    expect(window.freeAt('k', 35)).toBe(120);
    expect(window.freeAt('k', 121)).toBeNull();
    expect(window.freeAt('other', 35)).toBeNull();
  });

  it('keeps only the newest `limit` events, whatever the caller floods it with', () => {
    const window = new SlidingWindow(1_000, 3);
    for (let time = 0; time < 10_000; time += 1) window.record('k', time % 500);
    expect(window.toSnapshot().events[0]?.[1]).toEqual([499, 499, 499]);
  });

  it('places an event from a clock that stepped back by its time, and still counts it', () => {
    const window = new SlidingWindow(100, 3);
    window.record('k', 50);
    window.record('k', 10);
    window.record('k', 30);
    expect(window.toSnapshot().events).toEqual([['k', [10, 30, 50]]]);
    expect(window.count('k', 5)).toBe(3);
  });

  it('prunes expired events and empty keys, and survives a snapshot round trip', () => {
    const window = new SlidingWindow(100, 5);
    window.record('old', 0);
    window.record('new', 150);
    window.saturate(400);
    window.prune(120);
    expect(window.toSnapshot()).toEqual({ saturatedUntil: 400, events: [['new', [150]]] });
    const copy = SlidingWindow.fromSnapshot(100, 5, window.toSnapshot());
    expect(copy.freeAt('anything', 200)).toBe(400);
    expect(copy.isSaturated(399)).toBe(true);
    copy.prune(400);
    expect(copy.toSnapshot()).toEqual({ events: [] });
  });
});
