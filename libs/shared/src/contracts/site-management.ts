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

/**
 * Where a custom domain stands: `unverified` until its owner proves control (not routed, no
 * certificate), then `pending` until the site's routes include it, `active`, or `error` when routing it failed.
 */
export const domainStatusSchema = z.enum(['unverified', 'pending', 'active', 'error']);

/** How control of a domain was proven: its DNS record, an admin by hand, or it was routed before proofs existed. */
export const domainProofSchema = z.enum(['dns', 'admin', 'migrated']);

/** Parsed form of {@link domainProofSchema}. */
export type DomainProof = z.output<typeof domainProofSchema>;

/**
 * Why the last look at a domain's record did not prove control: the name does not exist
 * (NXDOMAIN), it has no TXT record, none holds the token, the DNS did not answer in time or
 * failed, another site proved control first, the record's name is too long for DNS, or the
 * hostname has become one of the platform's own.
 */
export const domainCheckProblemSchema = z.enum([
  'no-domain',
  'no-record',
  'wrong-value',
  'timeout',
  'dns-failed',
  'claimed-elsewhere',
  'name-too-long',
  'reserved',
]);

/** Parsed form of {@link domainCheckProblemSchema}. */
export type DomainCheckProblem = z.output<typeof domainCheckProblemSchema>;

/** The DNS record whose presence proves control of a domain, exactly as the owner publishes it. */
export const domainProofRecordSchema = z.object({ type: z.literal('TXT'), name: z.string(), value: z.string() });

/** A custom domain's proof of control and its checks. */
export const domainVerificationViewSchema = z.object({
  /** The record to publish (and keep: verified domains are re-checked); null when its name would be too long for DNS. */
  record: domainProofRecordSchema.nullable(),
  /** When control was proven (ISO time); null while unverified. */
  verifiedAt: z.string().nullable(),
  method: domainProofSchema.nullable(),
  /** The admin who verified it by hand. */
  verifiedBy: z.string().nullable(),
  /** The last look at the record, and the next one the platform makes by itself (null: none planned). */
  checkedAt: z.string().nullable(),
  nextCheckAt: z.string().nullable(),
  /** Why the last look did not prove control (null when it did, or before the first look). */
  problem: domainCheckProblemSchema.nullable(),
  /** The same in words, with what to do. */
  message: z.string().nullable(),
  /** Unverified: when the claim is released (the domain removed) unless control is proven first. */
  releaseAt: z.string().nullable(),
  /** Verified, but the record has gone: when the domain becomes unverified (and unrouted) unless it is back. */
  lapseAt: z.string().nullable(),
});

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
  verification: domainVerificationViewSchema,
  /** Its certificate; null when it gets none (wildcards, or the router does not issue certificates). */
  certificate: domainCertificateViewSchema.nullable(),
  createdAt: z.string(),
});

/** Parsed form of {@link domainViewSchema}. */
export type DomainView = z.output<typeof domainViewSchema>;
