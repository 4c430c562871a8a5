import { z } from 'zod';
import { hostnameSchema } from '../naming/hostname';
import { MAX_SITE_HOSTNAMES } from './orchestrator';
import { siteIdSchema } from './site-id';

/** `PUT /v1/routes/:siteId` on the router: every hostname that must reach this site. */
export const routeSpecSchema = z.strictObject({
  siteId: siteIdSchema,
  hostnames: z
    .array(hostnameSchema({ allowWildcard: true }))
    .min(1)
    .max(MAX_SITE_HOSTNAMES),
});

/** Desired routes of one site at the edge. */
export type RouteSpec = z.output<typeof routeSpecSchema>;

/** The router's answer to a route spec. */
export const routesAppliedSchema = z.strictObject({
  siteId: siteIdSchema,
  hostnames: z.array(z.string()),
  nginxGeneration: z.number().int().nonnegative(),
});

/** Parsed form of {@link routesAppliedSchema}. */
export type RoutesApplied = z.output<typeof routesAppliedSchema>;

/** Answer to `DELETE /v1/routes/:siteId`. */
export const routesRemovedSchema = z.strictObject({
  siteId: siteIdSchema,
  removed: z.boolean(),
  nginxGeneration: z.number().int().nonnegative(),
});

/** Parsed form of {@link routesRemovedSchema}. */
export type RoutesRemoved = z.output<typeof routesRemovedSchema>;
