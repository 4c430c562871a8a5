import { z } from 'zod';
import { hostnameSchema } from '../naming/hostname';
import { checkNginxSnippet } from '../nginx-snippet/nginx-snippet';
import { siteNameSchema } from '../naming/site-name';
import { siteRuntimeSchema } from './runtime';
import { DEFAULT_DISK_LIMIT_MB, diskLimitMbSchema } from './site-disk';
import { siteIdSchema } from './site-id';

/** Site kinds: `static` sites are files nginx serves from `public/`; `dynamic` sites run a container. */
export const siteTypeSchema = z.enum(['static', 'dynamic']);

/** Whether a site is served: `enabled`, `not_served` (503 page), `disabled` (503 page, owners locked out). */
export const availabilitySchema = z.enum(['enabled', 'not_served', 'disabled']);

/** Most hostnames one site may answer on (its own name plus custom domains). */
export const MAX_SITE_HOSTNAMES = 100;

/** Largest request-body limit a site may be given, in MB. */
export const MAX_CLIENT_BODY_MB = 1_024;

/**
 * A site's own nginx directives. A site with any of these gets its own `server` block; all other
 * sites are map entries. The snippet is admin-only, is checked directive by directive against what
 * snippets may use (see `checkNginxSnippet`), and must pass `nginx -t` on its own first.
 */
export const siteNginxOptionsSchema = z.strictObject({
  clientMaxBodyMb: z
    .number()
    .int()
    .min(1, 'clientMaxBodyMb must be at least 1')
    .max(MAX_CLIENT_BODY_MB, `clientMaxBodyMb must be at most ${MAX_CLIENT_BODY_MB}`)
    .optional(),
  snippet: z
    .string()
    .max(4_000, 'the snippet must be at most 4000 characters')
    .superRefine((snippet, ctx) => {
      const check = checkNginxSnippet(snippet);
      if (!check.ok) ctx.addIssue({ code: 'custom', message: check.message, params: { rule: check.rule, code: 'NGINX_SNIPPET_INVALID' } });
    })
    .optional(),
});

/** Parsed form of {@link siteNginxOptionsSchema}. */
export type SiteNginxOptions = z.output<typeof siteNginxOptionsSchema>;

/**
 * `PUT /v1/sites/:siteId` on the orchestrator: the full desired state of one site. Applying the
 * same spec twice is harmless; the orchestrator makes the site look exactly like this.
 */
export const siteSpecSchema = z
  .strictObject({
    id: siteIdSchema,
    name: siteNameSchema,
    type: siteTypeSchema,
    availability: availabilitySchema,
    hostnames: z
      .array(hostnameSchema({ allowWildcard: true }))
      .min(1)
      .max(MAX_SITE_HOSTNAMES),
    /** Required for dynamic sites, null for static ones. */
    runtime: siteRuntimeSchema.nullable().default(null),
    nginx: siteNginxOptionsSchema.default({}),
    /** The most the site's files may take, in MiB (enforced when the orchestrator has a disk driver). */
    diskLimitMb: diskLimitMbSchema.default(DEFAULT_DISK_LIMIT_MB),
  })
  .refine((spec) => (spec.type === 'dynamic') === (spec.runtime !== null), {
    message: 'a dynamic site needs a runtime (image and limits) and a static site has none',
    path: ['runtime'],
  });

/** Desired state of one site on an orchestrator. */
export type SiteSpec = z.output<typeof siteSpecSchema>;

/** The orchestrator's answer to a site spec: what is now live and in which nginx generation. */
export const siteAppliedSchema = z.strictObject({
  siteId: siteIdSchema,
  hostnames: z.array(z.string()),
  nginxGeneration: z.number().int().nonnegative(),
  /** What the orchestrator had to repair or could not do as asked, as sentences for the owner. */
  notes: z.array(z.string()).default([]),
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
