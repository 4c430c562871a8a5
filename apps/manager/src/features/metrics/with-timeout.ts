/** What {@link withTimeout} rejects with when time ran out. */
export class TimeoutExceeded extends Error {
  override readonly name = 'TimeoutExceeded';
}

/**
 * `work`, or a rejection once `ms` have passed: for probes of PostgreSQL and Redis, whose clients
 * would otherwise wait (and retry) much longer than a scrape or a load balancer does.
 */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new TimeoutExceeded(`no answer within ${ms} ms`)), ms);
  });
  // The losing promise may still settle later; its outcome is no longer wanted.
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
