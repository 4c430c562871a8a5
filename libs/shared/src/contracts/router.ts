import { z } from 'zod';
import { hostnameSchema } from '../naming/hostname';
import { MAX_CLIENT_BODY_MB, MAX_SITE_HOSTNAMES } from './orchestrator';
import { siteIdSchema } from './site-id';

/**
 * `PUT /v1/routes/:siteId` on the router: every hostname that must reach this site, which of them
 * get an ACME certificate (custom domains; never wildcards, HTTP-01 cannot prove them), and the
 * site's request-body limit at the edge.
 */
export const routeSpecSchema = z
  .strictObject({
    siteId: siteIdSchema,
    hostnames: z
      .array(hostnameSchema({ allowWildcard: true }))
      .min(1)
      .max(MAX_SITE_HOSTNAMES),
    certificateHostnames: z.array(hostnameSchema()).max(MAX_SITE_HOSTNAMES).default([]),
    clientMaxBodyMb: z.number().int().min(1).max(MAX_CLIENT_BODY_MB).optional(),
  })
  .refine((spec) => spec.certificateHostnames.every((hostname) => spec.hostnames.includes(hostname)), {
    message: 'every certificate hostname must be one of the routed hostnames',
    path: ['certificateHostnames'],
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

/**
 * Most sites one `PUT /v1/routes` may carry. With the route's 64 MiB body limit this leaves about
 * 670 bytes per site at the maximum (a typical spec is 100–250 bytes).
 */
export const MAX_ROUTED_SITES = 100_000;

/** Body limit of `PUT /v1/routes`: 100,000 sites' worth, and the control load balancer's own 64 MiB. */
export const ROUTE_STATE_BODY_LIMIT_BYTES = 64 * 2 ** 20;

/**
 * `PUT /v1/routes` on the router: the whole desired route state, replacing every route at once
 * (sites absent from `routes` stop being routed). Site ids must be unique and no hostname may be
 * routed by two sites; the router checks both and applies nothing if either fails.
 */
export const routeStateSchema = z.strictObject({
  routes: z.array(routeSpecSchema).max(MAX_ROUTED_SITES),
});

/** Parsed form of {@link routeStateSchema}. */
export type RouteState = z.output<typeof routeStateSchema>;

/** The router's answer to a whole route state: how many sites it now routes and what changed. */
export const routeStateAppliedSchema = z.strictObject({
  sites: z.number().int().nonnegative(),
  /** Sites routed now that were not before, no longer routed, and routed with another spec. */
  added: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
  changed: z.number().int().nonnegative(),
  nginxGeneration: z.number().int().nonnegative(),
  digest: z.string(),
});

/** Parsed form of {@link routeStateAppliedSchema}. */
export type RouteStateApplied = z.output<typeof routeStateAppliedSchema>;

/** Answer to `GET /v1/routes/summary`: enough to tell an empty or drifted router without downloading its routes. */
export const routeSummarySchema = z.strictObject({
  sites: z.number().int().nonnegative(),
  /** `routeStateDigest` of every route the router holds. */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
});

/** Parsed form of {@link routeSummarySchema}. */
export type RouteSummary = z.output<typeof routeSummarySchema>;

/**
 * Where one hostname's certificate stands at the router. `pending`: not issued yet (ordering,
 * waiting for a retry, or deferred by the rate budget: `message` says which and `retryAt` when);
 * `active`: served over HTTPS until `expiresAt` (a failed renewal keeps it `active` with the
 * failure in `message`); `error`: cannot be issued until something changes (`message` says what).
 */
export const certificateStateSchema = z.enum(['pending', 'active', 'error']);

/** Parsed form of {@link certificateStateSchema}. */
export type CertificateState = z.output<typeof certificateStateSchema>;

/** One hostname's certificate, as `GET /v1/certificates` on the router reports it. */
export const certificateStatusSchema = z.strictObject({
  siteId: siteIdSchema,
  hostname: z.string().max(253),
  state: certificateStateSchema,
  /** ISO time the served certificate expires; null before the first issuance. */
  expiresAt: z.iso.datetime().nullable(),
  /** Why it is pending or in error, or why the last renewal failed; null when all is well. */
  message: z.string().max(500).nullable(),
  /** ISO time of the next attempt, when one is scheduled. */
  retryAt: z.iso.datetime().nullable(),
  /** ISO time this status last changed. */
  updatedAt: z.iso.datetime(),
});

/** Parsed form of {@link certificateStatusSchema}. */
export type CertificateStatus = z.output<typeof certificateStatusSchema>;

/** Answer to `GET /v1/certificates`: every hostname the router holds or wants a certificate for. */
export const certificateListSchema = z.strictObject({ certificates: z.array(certificateStatusSchema) });

/** Parsed form of {@link certificateListSchema}. */
export type CertificateList = z.output<typeof certificateListSchema>;
