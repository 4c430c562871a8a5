import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * The header that carries one operation's correlation id from component to component: a signed
 * request made while handling a request (or a queued operation) sends the id it was handling, and
 * the receiver logs under the same id, so one change can be followed through manager, orchestrator
 * and router logs (docs/operations.md).
 */
export const CORRELATION_HEADER = 'x-dais-correlation-id';

/** Ids a peer may send: short and plain, since they are written into every log line. */
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,100}$/;

const current = new AsyncLocalStorage<string>();

/** Runs `work` with `id` as the correlation id of everything it does, awaited or not. */
export function withCorrelationId<T>(id: string, work: () => T): T {
  return current.run(id, work);
}

/** The correlation id of the work in progress, if any. */
export function currentCorrelationId(): string | undefined {
  return current.getStore();
}

/** The id a request arrived with when it is well-formed, else a new one (a peer cannot inject log text). */
export function correlationIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && CORRELATION_ID.test(value) ? value : randomUUID();
}

/** The header to add to an outgoing request: empty when nothing is being correlated. */
export function correlationHeaders(): Record<string, string> {
  const id = currentCorrelationId();
  return id === undefined ? {} : { [CORRELATION_HEADER]: id };
}
