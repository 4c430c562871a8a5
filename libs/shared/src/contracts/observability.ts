import { z } from 'zod';

/** `GET /health` (and `/healthz`): the process is up. */
export const healthViewSchema = z.object({ status: z.literal('ok'), role: z.enum(['all', 'api', 'worker']) });

/** One dependency's answer to the readiness probe: never an error's text (the probe is public). */
export const readinessCheckSchema = z.object({
  ok: z.boolean(),
  ms: z.number().int().min(0),
  error: z.enum(['timeout', 'error']).optional(),
});

/** `GET /ready`: 200 when every dependency answered, 503 naming the ones that did not. */
export const readinessViewSchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.object({ postgresql: readinessCheckSchema, redis: readinessCheckSchema }),
  /** The dependencies that did not answer, e.g. `["redis"]`. */
  failed: z.array(z.enum(['postgresql', 'redis'])),
});

/** Parsed form of {@link readinessViewSchema}. */
export type ReadinessView = z.output<typeof readinessViewSchema>;

/** Parsed form of {@link readinessCheckSchema}. */
export type ReadinessCheck = z.output<typeof readinessCheckSchema>;
