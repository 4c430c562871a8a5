import { useEffect, useState } from 'react';

/**
 * The current time, refreshed every `intervalMs` while `ticking` (a running operation's elapsed
 * time counts up); frozen otherwise, so a finished operation costs no re-renders.
 */
export function useTickingClock(ticking: boolean, intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return undefined;
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [ticking, intervalMs]);
  return now;
}

/** Milliseconds from `startedAt` to `finishedAt`, or to `now` while it is not finished; null before it started. */
export function elapsedMs(startedAt: string | null, finishedAt: string | null, now: number): number | null {
  if (!startedAt) return null;
  const end = finishedAt ? Date.parse(finishedAt) : now;
  return Math.max(0, end - Date.parse(startedAt));
}
