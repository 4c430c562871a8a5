import { z } from 'zod';
import { databaseConnectionSchema, databaseEngineSchema } from './runtime';
import { siteIdSchema } from './site-id';

/** What every Dais backup archive calls its format; anything else is a foreign archive. */
export const BACKUP_FORMAT = 'dais-backup';

/** The archive layout this code writes and reads (docs/backup.md); other versions are refused. */
export const BACKUP_FORMAT_VERSION = 1;

/** The first entry of an archive: what it is, read before anything else so a foreign archive stops at once. */
export const BACKUP_HEADER_PATH = 'dais-backup.json';

/** The last entry: every other entry with its size and SHA-256, and what the installation held. */
export const BACKUP_MANIFEST_PATH = 'manifest.json';

/** The first entry of a backup archive. */
export const backupHeaderSchema = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  version: z.number().int().positive(),
  createdAt: z.iso.datetime(),
});

/** Parsed form of {@link backupHeaderSchema}. */
export type BackupHeader = z.output<typeof backupHeaderSchema>;

/** One entry of the archive as the manifest records it (files carry size and SHA-256). */
export const backupEntrySchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('file'),
    path: z.string().min(1).max(4096),
    size: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    mode: z.number().int().min(0).max(0o7777),
  }),
  z.strictObject({ type: z.literal('directory'), path: z.string().min(1).max(4096), mode: z.number().int().min(0).max(0o7777) }),
  z.strictObject({ type: z.literal('symlink'), path: z.string().min(1).max(4096), target: z.string().min(1).max(4096) }),
]);

/** Parsed form of {@link backupEntrySchema}. */
export type BackupEntry = z.output<typeof backupEntrySchema>;

/** One site as the backup saw it. */
export const backupSiteSchema = z.strictObject({
  id: siteIdSchema,
  name: z.string(),
  database: z.strictObject({ engine: databaseEngineSchema, name: z.string() }).nullable(),
  /** Files that kept changing while they were read: their copy may be torn (docs/backup.md, "Consistency"). */
  changedFiles: z.array(z.string()),
  /** Entries left out: special files (devices, FIFOs, sockets). */
  skippedFiles: z.array(z.string()),
});

/** Parsed form of {@link backupSiteSchema}. */
export type BackupSite = z.output<typeof backupSiteSchema>;

/** The last entry of a backup archive. */
export const backupManifestSchema = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  version: z.number().int().positive(),
  createdAt: z.iso.datetime(),
  /** Migrations applied to the platform database when it was dumped, oldest first. */
  migrations: z.array(z.string()),
  /** The source installation's DAIS_DATABASE_NAME_PREFIX (site database names start with it). */
  databaseNamePrefix: z.string(),
  sites: z.array(backupSiteSchema),
  entries: z.array(backupEntrySchema),
});

/** Parsed form of {@link backupManifestSchema}. */
export type BackupManifest = z.output<typeof backupManifestSchema>;

/**
 * `POST /v1/backup/databases/:siteId/dump` and `PUT …/restore` (manager → orchestrator): the site's
 * own connection, so a dump reads and a restore writes exactly what the site's user may.
 */
export const siteDatabaseBackupRequestSchema = z.strictObject({
  siteId: siteIdSchema,
  connection: databaseConnectionSchema,
});

/** Parsed form of {@link siteDatabaseBackupRequestSchema}. */
export type SiteDatabaseBackupRequest = z.output<typeof siteDatabaseBackupRequestSchema>;

/**
 * The query of `PUT /v1/backup/databases/:siteId/restore`. The body is the dump, signed with an
 * empty digest like file uploads; so the query (which is signed) carries the request as base64url
 * JSON ({@link siteDatabaseBackupRequestSchema}) and the dump's SHA-256 and size, checked before
 * the load commits.
 */
export const siteDatabaseRestoreQuerySchema = z.strictObject({
  request: z.string().regex(/^[A-Za-z0-9_-]{1,4096}$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 is 64 lowercase hex digits'),
  size: z
    .string()
    .regex(/^(0|[1-9][0-9]{0,15})$/, 'size is a decimal byte count')
    .transform(Number),
});

/** What the orchestrator reports at the end of a site's file archive (`report.json`, its last entry). */
export const siteFilesReportSchema = z.strictObject({
  changedFiles: z.array(z.string()),
  skippedFiles: z.array(z.string()),
});

/** Parsed form of {@link siteFilesReportSchema}. */
export type SiteFilesReport = z.output<typeof siteFilesReportSchema>;

/** What a restore of site files or router state wrote. */
export const backupRestoreResultSchema = z.strictObject({ entries: z.number().int().min(0) });

/** Parsed form of {@link backupRestoreResultSchema}. */
export type BackupRestoreResult = z.output<typeof backupRestoreResultSchema>;
