import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { DaisError } from '../errors/dais-error';
import { toErrorResponse } from '../errors/error-body';
import { loadTrustedCallers } from '../signing/key-files';
import { createLogger } from '../logging/logger';
import type { NonceStore } from '../signing/nonce-store';
import type { RouteRule } from '../signing/route-allowlist';
import { RequestVerifier } from '../signing/verify';
import { correlateRequests } from './correlate-requests';
import { lingerOnRefusedBody } from './linger-on-refusal';

declare module 'fastify' {
  interface FastifyRequest {
    /** The exact body bytes received, as covered by the request signature. */
    rawBody: Buffer | null;
    /** The verified id of the component that signed this request. */
    caller: string;
  }
}

/** Settings for {@link createServiceServer}. */
export interface ServiceServerOptions {
  /** Name used in logs. */
  component: string;
  verifier: RequestVerifier;
  bodyLimitBytes: number;
  logLevel?: string;
}

/**
 * A Fastify server for a component's signed control API: JSON only, every request (including
 * unknown routes) verified before anything else runs, every error answered in the shared format.
 */
export function createServiceServer(options: ServiceServerOptions): FastifyInstance {
  const log = createLogger({ component: options.component, level: options.logLevel ?? 'info' });
  // Seen as Fastify's logger type (a part of pino's), so the server has the usual FastifyInstance type.
  const loggerInstance: FastifyBaseLogger = log;
  const app = Fastify({
    loggerInstance,
    // No per-request child with Fastify's own request id: the correlation id comes from the log context.
    childLoggerFactory: (logger) => logger,
    bodyLimit: options.bodyLimitBytes,
    // Control calls are logged by what they change, not one line per request.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    frameworkErrors: sendFrameworkError,
  });
  correlateRequests(app, { log, callerOf: (request) => request.caller });
  lingerOnRefusedBody(app);
  app.decorateRequest('rawBody', null);
  app.decorateRequest('caller', '');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    try {
      done(null, body.length === 0 ? undefined : JSON.parse(body.toString('utf8')));
    } catch {
      done(new DaisError('VALIDATION_FAILED', 'The request body is not valid JSON.'), undefined);
    }
  });

  const verify = async (request: FastifyRequest): Promise<void> => {
    request.caller = await options.verifier.verify({
      method: request.method,
      path: request.url,
      headers: request.headers,
      body: request.rawBody ?? '',
    });
  };
  app.addHook('preValidation', verify);
  app.setNotFoundHandler(async (request) => {
    await verify(request);
    throw new DaisError('NOT_FOUND', `No route ${request.method} ${request.url.split('?', 1)[0] ?? ''}.`);
  });
  app.setErrorHandler((error: FastifyError | Error, request, reply) => sendError(error, request, reply));
  return app;
}

/**
 * Fastify's own refusals before routing (a malformed URL, a path parameter past its length limit)
 * in the shared error format; pass as the `frameworkErrors` option.
 */
export function sendFrameworkError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  void sendError(error, request, reply);
}

function sendError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body, unexpected } = toErrorResponse(fromFastifyError(error));
  // Named here, as the error hooks may run outside the request's context; `reference` is what the client was told to quote.
  const fields = { correlationId: request.correlationId || undefined, caller: request.caller || undefined };
  if (unexpected) request.log.error({ ...fields, err: unexpected.error, reference: unexpected.correlationId }, 'unexpected error');
  else if (status >= 500) request.log.warn({ ...fields, code: body.error.code }, body.error.message);
  return reply.status(status).send(body);
}

/** Maps Fastify's own errors (body too large, wrong media type, bad JSON…) onto coded errors; others pass through. */
export function fromFastifyError(error: unknown): unknown {
  if (error instanceof DaisError) return error;
  if ((error as { name?: unknown } | null)?.name === 'SyntaxError' && (error as { statusCode?: unknown }).statusCode === 400) {
    return new DaisError('VALIDATION_FAILED', 'The request body is not valid JSON.');
  }
  const code = (error as Partial<FastifyError> | null)?.code;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DaisError('PAYLOAD_TOO_LARGE', 'The request body is larger than this endpoint accepts.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new DaisError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
    case 'FST_ERR_BAD_URL':
      return new DaisError('VALIDATION_FAILED', 'The URL is not valid (bad percent-encoding?).');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new DaisError('URI_TOO_LONG', 'A part of the URL is longer than any valid value.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new DaisError('VALIDATION_FAILED', 'The request body is not valid JSON.');
    case undefined:
    default:
      return error;
  }
}

/** Identity and trust settings of a component's signed control API. */
export interface ComponentServerOptions {
  id: string;
  keysDir: string;
  /** Which callers this component accepts and where they may go (a row of `TRUSTED_ROUTES`). */
  trustedRoutes: Readonly<Partial<Record<string, readonly RouteRule[]>>>;
  /** Where accepted request nonces are remembered (one that outlives a restart: `FileNonceStore` where there is no Redis). */
  nonces: NonceStore;
  bodyLimitBytes: number;
  logLevel?: string;
}

/** A {@link createServiceServer} that trusts exactly the callers of its `TRUSTED_ROUTES` row, with keys from `keysDir`. */
export function createComponentServer(options: ComponentServerOptions): FastifyInstance {
  const verifier = new RequestVerifier({
    selfId: options.id,
    callers: loadTrustedCallers(options.keysDir, options.trustedRoutes),
    nonces: options.nonces,
  });
  return createServiceServer({
    component: options.id,
    verifier,
    bodyLimitBytes: options.bodyLimitBytes,
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
  });
}
