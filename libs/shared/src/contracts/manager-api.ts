import { z } from 'zod';
import { siteNameSchema } from '../naming/site-name';
import { argvSchema, imageCatalogEntrySchema, imageNameSchema, packageNameSchema } from './images';
import { availabilitySchema, siteNginxOptionsSchema, siteTypeSchema } from './orchestrator';
import { databaseEngineSchema, resourceLimitsSchema, siteEnvSchema } from './runtime';
import { diskLimitMbSchema } from './site-disk';
import { domainViewSchema } from './site-management';

const description = z.string().max(500, 'must be at most 500 characters');
const packages = z.array(packageNameSchema).max(100, 'at most 100 packages');
const setupCommands = z.array(argvSchema).max(20, 'at most 20 setup commands');

/** `POST /api/sites`: what a user asks for when creating a site. Unknown fields are refused. */
export const createSiteRequestSchema = z
  .strictObject({
    name: siteNameSchema,
    type: siteTypeSchema.default('static'),
    description: description.default(''),
    /** Catalogue image a dynamic site runs (see GET /api/images). */
    image: imageNameSchema.optional(),
    packages: packages.default([]),
    setupCommands: setupCommands.default([]),
    env: siteEnvSchema.default({}),
  })
  .refine(
    (site) => site.type === 'dynamic' || (site.image === undefined && site.packages.length === 0 && site.setupCommands.length === 0),
    {
      message: 'image, packages and setupCommands are for dynamic sites',
      path: ['type'],
    },
  );

/** Parsed form of {@link createSiteRequestSchema}. */
export type CreateSiteRequest = z.output<typeof createSiteRequestSchema>;

/**
 * `PATCH /api/sites/:id`: change some of a site. Members may change the first group; only
 * admins may send `limits`, `availability`, `nginx` and `diskLimitMb` (others get 403 naming the field).
 * A new `name` moves the site to `<name>.<sites domain>` (the old hostname stops answering).
 */
export const updateSiteRequestSchema = z
  .strictObject({
    name: siteNameSchema.optional(),
    description: description.optional(),
    type: siteTypeSchema.optional(),
    image: imageNameSchema.optional(),
    packages: packages.optional(),
    setupCommands: setupCommands.optional(),
    env: siteEnvSchema.optional(),
    /** Replaces all secrets; values are never shown back. */
    secrets: siteEnvSchema.optional(),
    limits: resourceLimitsSchema.optional(),
    availability: availabilitySchema.optional(),
    nginx: siteNginxOptionsSchema.optional(),
    /** The site's own disk limit in MiB; null goes back to the admin default. */
    diskLimitMb: diskLimitMbSchema.nullable().optional(),
  })
  .refine((update) => Object.keys(update).length > 0, 'send at least one field to change');

/** Parsed form of {@link updateSiteRequestSchema}. */
export type UpdateSiteRequest = z.output<typeof updateSiteRequestSchema>;

/** Fields of {@link updateSiteRequestSchema} only admins may change. */
export const ADMIN_ONLY_SITE_FIELDS = ['limits', 'availability', 'nginx', 'diskLimitMb'] as const;

/** `POST /api/sites/:id/database`: give the site a database. */
export const createDatabaseRequestSchema = z.strictObject({
  engine: databaseEngineSchema,
  /** A specific registered host; by default the first host of that engine. */
  hostId: z.number().int().positive().optional(),
});

/** `POST /api/images` (admin): add an image to the catalogue. */
export const createImageRequestSchema = imageCatalogEntrySchema.extend({
  description: description.default(''),
});

/** `POST /api/database-hosts` (admin): register a database server sites may get databases on. */
export const createDatabaseHostRequestSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be lowercase letters, digits and -, starting with a letter'),
  engine: databaseEngineSchema,
  adminHost: z.string().min(1).max(253),
  adminPort: z.number().int().min(1).max(65_535),
  adminUser: z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'must be letters, digits and _'),
  adminPassword: z.string().max(256),
  /** Address site containers reach the server on (may differ from adminHost). */
  siteHost: z.string().min(1).max(253),
  sitePort: z.number().int().min(1).max(65_535),
});

/** A registered database server as admins see it (its admin password is never shown). */
export const databaseHostViewSchema = createDatabaseHostRequestSchema.omit({ adminPassword: true }).extend({ id: z.number().int() });

/** States of an operation as a whole. */
export const operationStateSchema = z.enum(['pending', 'running', 'succeeded', 'failed']);

/** States of one step of an operation. */
export const stepStateSchema = z.enum(['pending', 'running', 'retrying', 'succeeded', 'failed']);

/** Kinds of operation. */
export const operationKindSchema = z.enum([
  'create_site',
  'update_site',
  'repair_site',
  'restart_site',
  'delete_site',
  'create_database',
  'rotate_database_password',
  'delete_database',
]);

/** One ordered step of an operation, as the API and live events show it. */
export const operationStepViewSchema = z.object({
  position: z.number().int(),
  name: z.string(),
  title: z.string(),
  state: stepStateSchema,
  attempts: z.number().int(),
  message: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

/** An operation (a long task on one site), as the API and live events show it. */
export const operationViewSchema = z.object({
  id: z.number().int(),
  siteId: z.number().int().nullable(),
  siteName: z.string(),
  kind: operationKindSchema,
  state: operationStateSchema,
  error: z.string().nullable(),
  steps: z.array(operationStepViewSchema),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

/** Parsed form of {@link operationViewSchema}. */
export type OperationView = z.output<typeof operationViewSchema>;

/** Lifecycle of a site record in the manager. */
export const siteStateSchema = z.enum(['provisioning', 'active', 'failed', 'deleting']);

/** A site's database as its members see it (the password only through GET /api/sites/:id/database). */
export const siteDatabaseSummarySchema = z.object({
  engine: databaseEngineSchema,
  host: z.string(),
  name: z.string(),
  username: z.string(),
});

/** What runs a dynamic site, as the API shows it (secret values never included). */
export const siteRuntimeViewSchema = z.object({
  image: z.string(),
  builtImage: z.string().nullable(),
  packages: z.array(z.string()),
  setupCommands: z.array(z.array(z.string())),
  env: z.record(z.string(), z.string()),
  secretNames: z.array(z.string()),
  limits: resourceLimitsSchema,
  stopped: z.boolean(),
});

/** A site as the API shows it. */
export const siteViewSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  type: siteTypeSchema,
  description: z.string(),
  state: siteStateSchema,
  availability: availabilitySchema,
  url: z.string(),
  hostnames: z.array(z.string()),
  /** Custom domains with their routing status (the site's own hostname is not listed here). */
  domains: z.array(domainViewSchema),
  createdAt: z.string(),
  runtime: siteRuntimeViewSchema.nullable(),
  database: siteDatabaseSummarySchema.nullable(),
  nginx: siteNginxOptionsSchema,
  /** The site's disk limit in MiB, and whether it is the admin default (how much is used: the site's status). */
  disk: z.object({ limitMb: z.number().int(), isDefault: z.boolean() }),
  operation: operationViewSchema.nullable(),
});

/** Parsed form of {@link siteViewSchema}. */
export type SiteView = z.output<typeof siteViewSchema>;

/** `GET /api/sites`: a page of sites, newest first; pass `nextCursor` back as `cursor`. */
export const siteListViewSchema = z.object({ sites: z.array(siteViewSchema), nextCursor: z.number().int().nullable() });

/**
 * What adding, checking or verifying a custom domain answers: the domain, and the operation that
 * routes it when it was just verified (null when nothing is routed yet, or it already was).
 */
export const domainChangeViewSchema = z.object({ domain: domainViewSchema, operation: operationViewSchema.nullable() });

/** `GET /api/sites/:id/database`: everything a site's code needs to connect (members only). */
export const siteDatabaseConnectionViewSchema = z.object({
  engine: databaseEngineSchema,
  host: z.string(),
  port: z.number().int(),
  name: z.string(),
  username: z.string(),
  password: z.string(),
  url: z.string(),
});

/** An image in the catalogue, as the API shows it. */
export const imageViewSchema = imageCatalogEntrySchema.extend({ id: z.number().int(), description: z.string() });

/** Socket.IO event names the manager emits and accepts. */
export const SOCKET_EVENTS = {
  /** client → server: `{ siteId }`, join that site's room (membership checked). */
  subscribeSite: 'site:subscribe',
  /** client → server: `{ siteId }`, leave that site's room. */
  unsubscribeSite: 'site:unsubscribe',
  /** server → client: an {@link OperationView} whenever an operation or one of its steps changes. */
  operationUpdated: 'operation:updated',
  /** server → client: a {@link SiteView} whenever an operation of the site ends. */
  siteUpdated: 'site:updated',
  /** server → client: `{ reason }` just before the server disconnects a socket whose session or token ended. */
  sessionEnded: 'session:ended',
} as const;

/** Payload of the subscribe/unsubscribe messages. */
export const siteSubscriptionSchema = z.strictObject({ siteId: z.number().int().positive() });
