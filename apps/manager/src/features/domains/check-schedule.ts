import type { DomainChecksConfig } from '../../config/domain-checks.config';

/** The timing settings the schedule needs. */
export type CheckTiming = Pick<DomainChecksConfig, 'checkIntervalMs' | 'maxCheckIntervalMs' | 'recheckIntervalMs' | 'releaseMs'>;

/**
 * How often the cluster-wide sweep looks for due checks: a tenth of the check interval, within
 * 0.25–5 s, so a due check waits little past its time (one small indexed query per tick).
 */
export function sweepEveryMs(timing: Pick<CheckTiming, 'checkIntervalMs'>): number {
  return Math.min(5_000, Math.max(250, Math.floor(timing.checkIntervalMs / 10)));
}

/** The earlier of two times, either of which may be absent. */
function earliest(a: Date, b: Date | null): Date {
  return b !== null && b.getTime() < a.getTime() ? b : a;
}

/**
 * When an unverified domain is looked at next. People publish the record soon after adding the
 * domain, so a young claim is checked every `checkIntervalMs`; after that the interval is a tenth
 * of the claim's age (backoff without counting failures), at most `maxCheckIntervalMs`, and never
 * after the moment the claim is released (which is decided by that last check).
 */
export function nextUnverifiedCheck(now: Date, releaseAt: Date, timing: CheckTiming): Date {
  const claimedAt = releaseAt.getTime() - timing.releaseMs;
  const age = Math.max(0, now.getTime() - claimedAt);
  const interval = Math.min(timing.maxCheckIntervalMs, Math.max(timing.checkIntervalMs, Math.floor(age / 10)));
  return earliest(new Date(now.getTime() + interval), releaseAt);
}

/**
 * When a domain verified by its record is looked at again: after `recheckIntervalMs`; sooner
 * (`maxCheckIntervalMs`) after a DNS outage, so a domain whose record went missing is not judged on
 * stale news; never after the moment it would lapse.
 */
export function nextVerifiedCheck(now: Date, lapseAt: Date | null, afterOutage: boolean, timing: CheckTiming): Date {
  const interval = afterOutage ? Math.min(timing.maxCheckIntervalMs, timing.recheckIntervalMs) : timing.recheckIntervalMs;
  return earliest(new Date(now.getTime() + interval), lapseAt);
}

/** A deadline (release, lapse) has come. */
export function isDue(deadline: Date | null, now: Date): boolean {
  return deadline !== null && deadline.getTime() <= now.getTime();
}
