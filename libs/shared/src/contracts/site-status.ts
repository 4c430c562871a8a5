import { z } from 'zod';
import { siteDiskUsageSchema } from './site-disk';
import { siteIdSchema } from './site-id';

/**
 * What a site is doing right now: `static` (served from files), `running`, `starting`,
 * `crashed` (its process exited with an error and is not being restarted), `stopped` (by its
 * owner), `not_served` (availability), or `missing` (the orchestrator does not know it).
 */
export const siteRunStateSchema = z.enum(['static', 'running', 'starting', 'crashed', 'stopped', 'not_served', 'missing']);

/** `GET /v1/sites/:siteId/status` on the orchestrator. */
export const siteStatusSchema = z.strictObject({
  siteId: siteIdSchema,
  state: siteRunStateSchema,
  /** Exit code of the last run, for a crashed site. */
  exitCode: z.number().int().nullable(),
  /** A sentence for the owner (why it crashed, what is missing). */
  message: z.string().nullable(),
  restarts: z.number().int().nonnegative(),
  /** `ip:port` the site's nginx forwards to. */
  endpoints: z.array(z.string()),
  image: z.string().nullable(),
  startedAt: z.string().nullable(),
  /** Disk used and the limit, null when the host enforces no disk limit (or the site has no folder yet). */
  disk: siteDiskUsageSchema.nullable().default(null),
});

/** Parsed form of {@link siteStatusSchema}. */
export type SiteStatus = z.output<typeof siteStatusSchema>;
