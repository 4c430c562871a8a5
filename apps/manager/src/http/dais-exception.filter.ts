import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { DaisError, toErrorResponse } from '@dais/shared';
import { fromFastifyError } from '@dais/shared/fastify';
import type { FastifyReply } from 'fastify';

/**
 * The manager's one HTTP exception filter: every error leaves in the shared `{ error: { code,
 * message } }` form with the status from the shared table. Unknown errors become a 500 with a
 * correlation id; the details go to the log, never to the browser.
 */
@Catch()
export class DaisExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const { status, body, unexpected } = toErrorResponse(toCoded(exception));
    if (unexpected)
      this.logger.error(
        `unexpected error ${unexpected.correlationId}`,
        unexpected.error instanceof Error ? unexpected.error.stack : String(unexpected.error),
      );
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    // A refusal that says how long to wait says it the standard way too.
    const retryAfter = body.error.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') void reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
    void reply.status(status).send(body);
  }
}

function toCoded(exception: unknown): unknown {
  if (exception instanceof DaisError) return exception;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) return new DaisError('NOT_FOUND', 'There is no such API route.');
    if (status === 413) return new DaisError('PAYLOAD_TOO_LARGE', 'The request body is larger than the API accepts.');
    if (status === 415) return new DaisError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
    if (status === 400) return new DaisError('VALIDATION_FAILED', exception.message);
    if (status === 401) return new DaisError('UNAUTHENTICATED', exception.message);
    if (status === 403) return new DaisError('FORBIDDEN', exception.message);
  }
  return fromFastifyError(exception);
}
