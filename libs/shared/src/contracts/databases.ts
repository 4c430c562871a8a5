import { z } from 'zod';
import { databaseEngineSchema } from './runtime';
import { siteIdSchema } from './site-id';

/** A database server sites get their databases on, and how the orchestrator administers it. */
export const databaseHostSchema = z.strictObject({
  engine: databaseEngineSchema,
  /** Where the orchestrator connects as administrator. */
  adminHost: z.string().min(1).max(253),
  adminPort: z.number().int().min(1).max(65_535),
  adminUser: z.string().min(1).max(64),
  adminPassword: z.string().max(256),
});

/** Parsed form of {@link databaseHostSchema}. */
export type DatabaseHost = z.output<typeof databaseHostSchema>;

/**
 * Database and user names: lowercase letters, digits and `_`, starting with a letter, at most 32
 * characters (MySQL's user-name limit), so they are valid unquoted on both engines.
 */
export const databaseIdentifierSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be lowercase letters, digits and _, starting with a letter (at most 32)');

/** Generated passwords: long and from a safe alphabet (they also travel inside URLs). */
export const databasePasswordSchema = z.string().regex(/^[A-Za-z0-9_-]{24,128}$/, 'must be 24-128 characters of A-Z, a-z, 0-9, _ and -');

/**
 * `PUT /v1/databases/:siteId`: make this database and user exist, the user owning the database
 * with exactly this password (creating, or rotating the password). Idempotent.
 */
export const siteDatabaseSpecSchema = z.strictObject({
  siteId: siteIdSchema,
  host: databaseHostSchema,
  name: databaseIdentifierSchema,
  username: databaseIdentifierSchema,
  password: databasePasswordSchema,
});

/** Parsed form of {@link siteDatabaseSpecSchema}. */
export type SiteDatabaseSpec = z.output<typeof siteDatabaseSpecSchema>;

/** `DELETE /v1/databases/:siteId`: drop the database and its user. */
export const siteDatabaseDropSchema = siteDatabaseSpecSchema.omit({ password: true });

/** Parsed form of {@link siteDatabaseDropSchema}. */
export type SiteDatabaseDrop = z.output<typeof siteDatabaseDropSchema>;

/** The orchestrator's answer to a database spec or drop. */
export const siteDatabaseResultSchema = z.strictObject({
  siteId: siteIdSchema,
  engine: databaseEngineSchema,
  name: z.string(),
  username: z.string(),
  /** For a spec: whether the database was created now. For a drop: whether anything was there. */
  changed: z.boolean(),
});

/** Parsed form of {@link siteDatabaseResultSchema}. */
export type SiteDatabaseResult = z.output<typeof siteDatabaseResultSchema>;
