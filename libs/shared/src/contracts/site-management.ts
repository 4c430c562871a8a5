import { z } from 'zod';
import { hostnameSchema } from '../naming/hostname';
import { emailSchema, usernameSchema } from './accounts';
import { certificateStateSchema } from './router';

/** `DELETE /api/sites/:id`: the site's name typed again, so a site is never deleted by a slip. */
export const deleteSiteRequestSchema = z.strictObject({
  confirm: z.string({ error: 'type the site name to confirm' }).max(100, 'must be at most 100 characters'),
});

/**
 * `POST /api/sites/:id/members`: add an existing user to a site, named by the exact e-mail address of
 * their account (admins may also name them by username). Exactly one of the two.
 */
export const addMemberRequestSchema = z
  .strictObject({ email: emailSchema.optional(), username: usernameSchema.optional() })
  .refine((request) => (request.email === undefined) !== (request.username === undefined), {
    message: "name the person by their account's e-mail address",
    path: ['email'],
  });

/** A member of a site, as the API shows it. */
export const siteMemberViewSchema = z.object({
  userId: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  addedAt: z.string(),
});

/** Parsed form of {@link siteMemberViewSchema}. */
export type SiteMemberView = z.output<typeof siteMemberViewSchema>;

/**
 * `POST /api/sites/:id/domains`: a custom hostname for the site. Stored lowercase in ASCII (IDN →
 * punycode); a leading `*.` is for admins only, and the platform's sites domain is reserved.
 */
export const addDomainRequestSchema = z.strictObject({ hostname: hostnameSchema({ allowWildcard: true }) });

/** Where a custom domain stands: `pending` until the site's routes include it, `error` when that failed. */
export const domainStatusSchema = z.enum(['pending', 'active', 'error']);

/** A custom domain's HTTPS certificate, as the manager last heard from the router (see `certificateStatusSchema`). */
export const domainCertificateViewSchema = z.object({
  state: certificateStateSchema,
  /** When the served certificate expires (ISO time); null before the first one is issued. */
  expiresAt: z.string().nullable(),
  /** Why it is pending (e.g. deferred by the rate budget) or in error, or why a renewal failed. */
  message: z.string().nullable(),
  /** When the router tries again (ISO time), if it will. */
  retryAt: z.string().nullable(),
});

/** A custom domain of a site, as the API shows it. */
export const domainViewSchema = z.object({
  id: z.number().int(),
  hostname: z.string(),
  status: domainStatusSchema,
  /** Why the domain is in `error` (the failed step's message); null otherwise. */
  statusMessage: z.string().nullable(),
  /** Its certificate; null when it gets none (wildcards, or the router does not issue certificates). */
  certificate: domainCertificateViewSchema.nullable(),
  createdAt: z.string(),
});

/** Parsed form of {@link domainViewSchema}. */
export type DomainView = z.output<typeof domainViewSchema>;
