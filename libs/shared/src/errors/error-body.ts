import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DaisError } from './dais-error';

/** The JSON body every component answers an error with. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
    correlationId: z.string().optional(),
  }),
});

/** Parsed form of {@link errorBodySchema}. */
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** What an error handler needs to answer: the status, the body, and whether to log it as a fault. */
export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  /** Set for unexpected errors: log the original with this id; the client only sees the id. */
  unexpected?: { correlationId: string; error: unknown };
}

/**
 * Turns anything thrown into the response a client may see. Coded errors keep their message;
 * anything else becomes a 500 with a correlation id and no internals.
 */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof DaisError) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error.details) body.error.details = error.details;
    return { status: error.status, body };
  }
  const correlationId = randomUUID();
  return {
    status: 500,
    body: {
      error: {
        code: 'INTERNAL',
        message: `Something went wrong on our side. Quote ${correlationId} when reporting it.`,
        correlationId,
      },
    },
    unexpected: { correlationId, error },
  };
}
