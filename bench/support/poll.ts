import { getWithHost, type PlainResponse } from '../../test/support/http';

/** What to wait for through an nginx port. */
export interface AnswerWanted {
  port: number;
  host: string;
  path?: string;
  /** True once the answer is the one we wait for. */
  check(answer: PlainResponse): boolean;
  timeoutMs: number;
  /** Pause between requests (default 5 ms, like bench/site-to-first-200.ts). */
  intervalMs?: number;
  /** Stops polling early (the action it watches failed). */
  signal?: AbortSignal;
  /**
   * Send a request every interval even while earlier ones are still waiting (up to 500 at once).
   * Needed where one request can stall: a SYN to a container whose network is not ready yet is
   * dropped and retried by TCP only after 1 s, which would hide the moment the site answers.
   */
  overlapping?: boolean;
  /** Told how long each answered request took (overlapping mode), to spot stalled ones. */
  onAnswer?(tookMs: number): void;
}

const MAX_IN_FLIGHT = 500;

/**
 * Polls with a fresh connection each time (an old worker's keep-alive socket cannot answer) until
 * the answer is the wanted one; resolves with `performance.now()` at that answer. Connection
 * errors during a reload count as "not yet".
 */
export async function whenAnswered(wanted: AnswerWanted): Promise<number> {
  if (wanted.overlapping) return whenAnsweredOverlapping(wanted);
  const deadline = performance.now() + wanted.timeoutMs;
  let last = 'no answer';
  while (performance.now() < deadline && !wanted.signal?.aborted) {
    const answer = await getWithHost(wanted.port, wanted.host, wanted.path ?? '/').catch((error: unknown) => {
      last = error instanceof Error ? error.message : String(error);
      return null;
    });
    if (answer && wanted.check(answer)) return performance.now();
    if (answer) last = `${answer.status} ${answer.body.slice(0, 80)}`;
    await new Promise((resolve) => setTimeout(resolve, wanted.intervalMs ?? 5));
  }
  throw new Error(`${wanted.host}${wanted.path ?? '/'} never gave the wanted answer within ${wanted.timeoutMs} ms (last: ${last})`);
}

/**
 * Overlapping polling; resolves with the time of the first wanted answer, but only once every
 * request still in flight has finished, so `onAnswer` has seen them all (stalled ones included).
 */
function whenAnsweredOverlapping(wanted: AnswerWanted): Promise<number> {
  const deadline = performance.now() + wanted.timeoutMs;
  let last = 'no answer';
  let inFlight = 0;
  let answeredAt: number | null = null;
  let failure: Error | null = null;
  return new Promise((resolve, reject) => {
    const finishIfDrained = () => {
      if (inFlight > 0) return;
      if (answeredAt !== null) resolve(answeredAt);
      else if (failure) reject(failure);
    };
    const tick = () => {
      if (answeredAt !== null || failure) return;
      if (wanted.signal?.aborted || performance.now() >= deadline) {
        failure = new Error(
          `${wanted.host}${wanted.path ?? '/'} never gave the wanted answer within ${wanted.timeoutMs} ms (last: ${last})`,
        );
        finishIfDrained();
        return;
      }
      if (inFlight < MAX_IN_FLIGHT) {
        inFlight++;
        const sent = performance.now();
        void getWithHost(wanted.port, wanted.host, wanted.path ?? '/')
          .then(
            (answer) => {
              wanted.onAnswer?.(performance.now() - sent);
              if (answeredAt === null && !failure && wanted.check(answer)) answeredAt = performance.now();
              last = `${answer.status} ${answer.body.slice(0, 80)}`;
            },
            (error: unknown) => {
              last = error instanceof Error ? error.message : String(error);
            },
          )
          .finally(() => {
            inFlight--;
            finishIfDrained();
          });
      }
      setTimeout(tick, wanted.intervalMs ?? 5);
    };
    tick();
  });
}

/** One timed change: when its effect was first visible, and when the call that made it returned. */
export interface LiveTiming<T> {
  liveMs: number;
  returnedMs: number;
  result: T;
}

/**
 * Times an action until a visit shows its effect. The poller starts together with the action, so
 * `liveMs` is the moment the change is live, not the moment the action returned.
 */
export async function timeUntilLive<T>(action: () => Promise<T>, wanted: Omit<AnswerWanted, 'signal'>): Promise<LiveTiming<T>> {
  const stop = new AbortController();
  const started = performance.now();
  const acting = action().then(
    (result) => ({ result, at: performance.now() }),
    (error: unknown) => {
      stop.abort();
      throw error;
    },
  );
  const [done, liveAt] = await Promise.all([acting, whenAnswered({ ...wanted, signal: stop.signal })]);
  return { liveMs: liveAt - started, returnedMs: done.at - started, result: done.result };
}
