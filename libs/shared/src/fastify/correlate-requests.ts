import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CORRELATION_HEADER, correlationIdFrom, withLogContext } from '../logging/correlation';
import type { Logger } from '../logging/logger';

declare module 'fastify' {
  interface FastifyRequest {
    /** The id this request's log lines (and the signed requests it makes) carry. */
    correlationId: string;
  }
}

/** Settings for {@link correlateRequests}. */
export interface CorrelationOptions {
  /** Where the one `debug` line per answered request goes. */
  log: Logger;
  /** The calling component, once known (after signature verification), for the handler's log lines. */
  callerOf?: (request: FastifyRequest) => string | undefined;
}

/**
 * Runs every request under a correlation id: the one a peer sent in `x-dais-correlation-id` when it
 * is well-formed, else a new one, echoed in the answer's header. Everything the handler logs, and
 * every signed request it makes, carries the id (see withLogContext). Call before adding other hooks.
 */
export function correlateRequests(app: FastifyInstance, options: CorrelationOptions): void {
  app.decorateRequest('correlationId', '');
  const enter = (request: FastifyRequest, done: () => void, caller?: string): void => {
    withLogContext({ correlationId: request.correlationId, ...(caller === undefined ? {} : { caller }) }, done);
  };
  app.addHook('onRequest', (request, reply, done) => {
    request.correlationId = correlationIdFrom(request.headers[CORRELATION_HEADER]);
    void reply.header(CORRELATION_HEADER, request.correlationId);
    enter(request, () => done());
  });
  // Reading the body runs in the connection's context, not the request's: enter it again after.
  app.addHook('preValidation', (request, _reply, done) => enter(request, () => done()));
  app.addHook('preHandler', (request, _reply, done) => enter(request, () => done(), options.callerOf?.(request) || undefined));
  app.addHook('onResponse', (request, reply, done) => {
    // Past the handler the context is gone: the fields are given here.
    const caller = options.callerOf?.(request) || undefined;
    options.log.debug(
      {
        correlationId: request.correlationId,
        ...(caller === undefined ? {} : { caller }),
        method: request.method,
        path: request.url.split('?', 1)[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'answered',
    );
    done();
  });
}
