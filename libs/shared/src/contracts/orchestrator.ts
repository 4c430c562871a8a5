import { z } from 'zod';
import { hostnameSchema } from '../naming/hostname';
import { siteNameSchema } from '../naming/site-name';
import { siteIdSchema } from './site-id';

/** Site kinds. Static sites are served by nginx from `public/`; dynamic ones arrive in a later issue. */
export const siteTypeSchema = z.enum(['static']);

/** Whether a site is served: `enabled`, `not_served` (503 page), `disabled` (503 page, owners locked out). */
export const availabilitySchema = z.enum(['enabled', 'not_served', 'disabled']);

/** Most hostnames one site may answer on (its own name plus custom domains). */
export const MAX_SITE_HOSTNAMES = 100;

/**
 * `PUT /v1/sites/:siteId` on the orchestrator: the full desired state of one site. Applying the
 * same spec twice is harmless; the orchestrator makes the site look exactly like this.
 */
export const siteSpecSchema = z.strictObject({
  id: siteIdSchema,
  name: siteNameSchema,
  type: siteTypeSchema,
  availability: availabilitySchema,
  hostnames: z.array(hostnameSchema()).min(1).max(MAX_SITE_HOSTNAMES),
});

/** Desired state of one site on an orchestrator. */
export type SiteSpec = z.output<typeof siteSpecSchema>;

/** The orchestrator's answer to a site spec: what is now live and in which nginx generation. */
export const siteAppliedSchema = z.strictObject({
  siteId: siteIdSchema,
  hostnames: z.array(z.string()),
  nginxGeneration: z.number().int().nonnegative(),
});

/** Parsed form of {@link siteAppliedSchema}. */
export type SiteApplied = z.output<typeof siteAppliedSchema>;

/** Answer to `DELETE /v1/sites/:siteId`: whether anything was there to remove. */
export const siteRemovedSchema = z.strictObject({
  siteId: siteIdSchema,
  removed: z.boolean(),
  nginxGeneration: z.number().int().nonnegative(),
});

/** Parsed form of {@link siteRemovedSchema}. */
export type SiteRemoved = z.output<typeof siteRemovedSchema>;

/** `GET /v1/health` on orchestrator and router. */
export const healthSchema = z.strictObject({
  component: z.string(),
  status: z.enum(['ok', 'degraded']),
  nginxGeneration: z.number().int().nonnegative(),
  sites: z.number().int().nonnegative(),
});

/** Parsed form of {@link healthSchema}. */
export type Health = z.output<typeof healthSchema>;
