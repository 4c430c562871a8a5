const DAY_MS = 24 * 60 * 60 * 1000;

/** Bounds of {@link nextRetryAt}. */
export interface RetryBackoff {
  /** Delay after the first failure. */
  baseMs: number;
  /** No delay is longer than this, however many failures. */
  maxMs: number;
  /** A number in [0, 1); injected by tests, `Math.random` otherwise. */
  random?: () => number;
}

/**
 * When to try again after `failures` consecutive failures (1 = the first): the delay doubles per
 * failure up to `maxMs`, and a random part ("equal jitter": between half and all of it) keeps many
 * domains that failed together, e.g. after an ACME outage, from all retrying in the same second.
 * Never earlier than half of `baseMs`, never later than `maxMs`.
 */
export function nextRetryAt(failures: number, now: Date, backoff: RetryBackoff): Date {
  if (!Number.isFinite(backoff.baseMs) || !Number.isFinite(backoff.maxMs) || backoff.baseMs <= 0 || backoff.maxMs < backoff.baseMs) {
    throw new RangeError(`retry backoff needs 0 < baseMs <= maxMs (got ${backoff.baseMs}, ${backoff.maxMs})`);
  }
  const count = Number.isNaN(failures) ? 1 : Math.max(Math.floor(failures), 1);
  const exponent = Math.min(count - 1, 52);
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** exponent);
  const random = clampUnit((backoff.random ?? Math.random)());
  const delay = ceiling / 2 + (ceiling / 2) * random;
  return new Date(now.getTime() + Math.round(delay));
}

/**
 * True once a certificate expiring at `notAfter` is within `renewDays` of expiry at `now` (and
 * for one that has already expired). Renewing 30 days ahead leaves weeks of daily retries before
 * visitors would see an expired certificate.
 */
export function renewalDue(notAfter: Date, now: Date, renewDays: number): boolean {
  if (Number.isNaN(notAfter.getTime())) return true;
  return notAfter.getTime() - now.getTime() <= renewDays * DAY_MS;
}

/** When renewal of a certificate expiring at `notAfter` becomes due. */
export function renewalStartsAt(notAfter: Date, renewDays: number): Date {
  return new Date(notAfter.getTime() - renewDays * DAY_MS);
}

function clampUnit(value: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  return value >= 1 ? 1 - Number.EPSILON : value;
}
