import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DaisError, parseInput, siteIdParamsSchema, siteImageBuildSchema, toErrorResponse, type ImageBuildEvent } from '@dais/shared';
import type { ImageBuilder } from '../docker/image-builder';

/**
 * `POST /v1/sites/:siteId/image`: builds the site's own image and answers with newline-delimited
 * JSON as the build happens (log lines, then one `done` or `error`).
 *
 * Everything that can be refused up front (the contract, a path/body mismatch, packages on an image
 * that cannot install any) is refused before the stream starts, as the usual JSON error. Once
 * streaming, a failure is the final `error` line. A client that goes away stops receiving lines,
 * but the build runs to its end: a retry then finds the image built instead of starting over.
 */
export function registerImageRoutes(app: FastifyInstance, builder: ImageBuilder): void {
  app.post('/v1/sites/:siteId/image', async (request, reply) => {
    const { siteId } = parseInput(siteIdParamsSchema, request.params, 'path');
    const input = parseInput(siteImageBuildSchema, request.body, 'image build');
    if (input.siteId !== siteId) throw new DaisError('VALIDATION_FAILED', `Body siteId ${input.siteId} does not match path id ${siteId}.`);
    const prepared = builder.prepare(input);

    const body = new PassThrough();
    const send = (event: ImageBuildEvent): void => {
      // Fastify destroys the body when the client disconnects; later lines have nowhere to go.
      if (!body.destroyed && !body.writableEnded) body.write(`${JSON.stringify(event)}\n`);
    };
    void builder
      .build(prepared, { log: (line) => send({ type: 'log', line }), queued: (ahead) => send({ type: 'queued', ahead }) })
      .then(
        (result) => {
          request.log.info({ siteId, image: result.image, cached: result.cached }, 'site image ready');
          send({ type: 'done', image: result.image, cached: result.cached });
        },
        (error: unknown) => send(errorEvent(error, request, siteId)),
      )
      .finally(() => {
        if (!body.destroyed) body.end();
      });
    return reply.type('application/x-ndjson').send(body);
  });
}

/** The final line of a failed build, with the same code and message the JSON error would have. */
function errorEvent(error: unknown, request: FastifyRequest, siteId: number): ImageBuildEvent {
  const { status, body, unexpected } = toErrorResponse(error);
  if (unexpected) request.log.error({ err: unexpected.error, reference: unexpected.correlationId, siteId }, 'site image build crashed');
  else if (status >= 500) request.log.warn({ siteId, code: body.error.code }, body.error.message);
  else request.log.info({ siteId, code: body.error.code }, body.error.message);
  return { type: 'error', code: body.error.code, message: body.error.message };
}
