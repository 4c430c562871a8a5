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

/**
 * What the work in progress is about, written into every log line made while doing it (the
 * shared logger's mixin reads it). Each field is optional: a periodic pass has no site, a
 * request from the dashboard no calling component.
 */
export interface LogContext {
  /** Follows one change across components (sent on with every signed request). */
  correlationId?: string;
  siteId?: number;
  operationId?: number;
  /** The component that sent the signed request being handled. */
  caller?: string;
}

const current = new AsyncLocalStorage<Readonly<LogContext>>();

/** Runs `work` with `fields` added to (or replacing those of) the current log context, awaited or not. */
export function withLogContext<T>(fields: LogContext, work: () => T): T {
  return current.run({ ...current.getStore(), ...fields }, work);
}

/** The log context of the work in progress (empty outside any). */
export function currentLogContext(): Readonly<LogContext> {
  return current.getStore() ?? {};
}

/** Runs `work` with `id` as the correlation id of everything it does, awaited or not. */
export function withCorrelationId<T>(id: string, work: () => T): T {
  return withLogContext({ correlationId: id }, work);
}

/** The correlation id of the work in progress, if any. */
export function currentCorrelationId(): string | undefined {
  return current.getStore()?.correlationId;
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
