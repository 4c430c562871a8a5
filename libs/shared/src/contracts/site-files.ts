import { z } from 'zod';
import { queryIntegerSchema } from './ids';
import { fileEntrySchema } from './terminal-channel';

/**
 * The site file API: the orchestrator's `/v1/sites/:siteId/files/…` (signed by the manager) and
 * the manager's `/api/sites/:id/files/…` (members and admins) take the same requests. Paths are
 * relative to the site folder (`/` names the folder itself); the orchestrator confines every one
 * of them (see docs/files.md), these schemas only bound their size.
 */
const sitePathSchema = z
  .string()
  .max(4_096, 'a path is at most 4096 characters')
  .regex(/^(?:[^\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/, 'a path must be valid Unicode (no unpaired surrogate)');

/** Query of list, stat, download and folder download: `?path=/public`. */
export const filePathQuerySchema = z.strictObject({ path: sitePathSchema.default('/') });
/** Parsed form of {@link filePathQuerySchema}. */
export type FilePathQuery = z.output<typeof filePathQuerySchema>;

const booleanFlag = z.enum(['true', 'false']).transform((value) => value === 'true');

/** Query of a raw upload to the manager: `PUT …/files/content?path=/public/a.png&overwrite=true`, body = the bytes. */
export const fileUploadQuerySchema = z.strictObject({
  path: sitePathSchema,
  overwrite: booleanFlag.default(true),
});
/** Parsed form of {@link fileUploadQuerySchema}. */
export type FileUploadQuery = z.output<typeof fileUploadQuerySchema>;

/**
 * Query of an upload to the orchestrator. The body is streamed, so the request is signed with an
 * empty body digest and the query (covered by the signature) carries the content's SHA-256 and size.
 */
export const orchestratorUploadQuerySchema = fileUploadQuerySchema.extend({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 is 64 lowercase hex digits'),
  size: queryIntegerSchema(0, Number.MAX_SAFE_INTEGER),
});
/** Parsed form of {@link orchestratorUploadQuerySchema}. */
export type OrchestratorUploadQuery = z.output<typeof orchestratorUploadQuerySchema>;

/** Most files one multipart upload may carry. */
export const FORM_UPLOAD_MAX_FILES = 100;
/** The form field every file part of a multipart upload is sent under (`curl -F file=@a.png`). */
export const FORM_UPLOAD_FILE_FIELD = 'file';

/** A multipart boundary as RFC 2046 allows it: 1 to 70 of its characters, not ending in a space. */
export const multipartBoundarySchema = z
  .string()
  .regex(/^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/, 'a multipart boundary is 1 to 70 RFC 2046 characters');

/**
 * The boundary of a `multipart/form-data` Content-Type header (quoted or not), or null when the
 * header is another type or its boundary is missing or not one RFC 2046 allows.
 */
export function formBoundaryOf(contentType: string | undefined): string | null {
  const [type, ...params] = (contentType ?? '').split(';');
  if (type?.trim().toLowerCase() !== 'multipart/form-data') return null;
  for (const param of params) {
    const equals = param.indexOf('=');
    if (equals < 0 || param.slice(0, equals).trim().toLowerCase() !== 'boundary') continue;
    const raw = param.slice(equals + 1).trim();
    const value = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
    return multipartBoundarySchema.safeParse(value).success ? value : null;
  }
  return null;
}

/**
 * Query of a multipart upload to the manager: `POST …/files/upload?path=/public&overwrite=true`,
 * body = `multipart/form-data` whose file parts (field {@link FORM_UPLOAD_FILE_FIELD}) land in
 * the folder `path` under their own file names.
 */
export const fileFormUploadQuerySchema = z.strictObject({
  path: sitePathSchema,
  overwrite: booleanFlag.default(true),
});
/** Parsed form of {@link fileFormUploadQuerySchema}. */
export type FileFormUploadQuery = z.output<typeof fileFormUploadQuerySchema>;

/**
 * Query of a multipart upload to the orchestrator: signed like a raw upload (the SHA-256 and
 * size of the whole body), plus the boundary, so the parts the orchestrator reads are the ones
 * the manager signed even if the (unsigned) Content-Type header were changed on the way.
 */
export const orchestratorFormUploadQuerySchema = fileFormUploadQuerySchema.extend({
  sha256: orchestratorUploadQuerySchema.shape.sha256,
  size: orchestratorUploadQuerySchema.shape.size,
  boundary: multipartBoundarySchema,
});
/** Parsed form of {@link orchestratorFormUploadQuerySchema}. */
export type OrchestratorFormUploadQuery = z.output<typeof orchestratorFormUploadQuerySchema>;

/** The answer to a multipart upload: the folder and the files stored in it, in the order sent. */
export const fileFormUploadResultSchema = z.object({ path: z.string(), entries: z.array(fileEntrySchema) });
/** Parsed form of {@link fileFormUploadResultSchema}. */
export type FileFormUploadResult = z.output<typeof fileFormUploadResultSchema>;

/** Writes a whole (text) file, as the dashboard's editor saves one. */
export const fileWriteSchema = z.strictObject({
  path: sitePathSchema,
  content: z.string().max(10_000_000, 'write at most 10 MB at once; upload larger files'),
  encoding: z.enum(['utf8', 'base64']).default('utf8'),
  overwrite: z.boolean().default(true),
});
/** Parsed form of {@link fileWriteSchema}. */
export type FileWrite = z.output<typeof fileWriteSchema>;

/** Makes one folder (its parent must exist). */
export const fileMkdirSchema = z.strictObject({ path: sitePathSchema });

/** Moves or renames an entry; replacing an existing entry needs `overwrite`. */
export const fileRenameSchema = z.strictObject({ from: sitePathSchema, to: sitePathSchema, overwrite: z.boolean().default(false) });
/** Parsed form of {@link fileRenameSchema}. */
export type FileRename = z.output<typeof fileRenameSchema>;

/** Deletes a file, link or empty folder; a folder with content only with `recursive` and `confirm` repeating the path. */
export const fileDeleteSchema = z
  .strictObject({ path: sitePathSchema, recursive: z.boolean().default(false), confirm: sitePathSchema.optional() })
  .refine((request) => !request.recursive || request.confirm === request.path, {
    message: 'a recursive delete needs "confirm" set to the same path',
    path: ['confirm'],
  });
/** Parsed form of {@link fileDeleteSchema}. */
export type FileDelete = z.output<typeof fileDeleteSchema>;

/** Sets permission bits: a number (`493`) or octal digits (`"755"`); setuid, setgid and sticky are refused. */
export const fileChmodSchema = z.strictObject({
  path: sitePathSchema,
  mode: z.union([
    z.number().int().min(0).max(0o7777),
    z
      .string()
      .regex(/^[0-7]{3,4}$/, 'mode is 3 or 4 octal digits')
      .transform((digits) => Number.parseInt(digits, 8)),
  ]),
});
/** Parsed form of {@link fileChmodSchema}. */
export type FileChmod = z.output<typeof fileChmodSchema>;

/** A folder's content. */
export const fileListSchema = z.object({ path: z.string(), entries: z.array(fileEntrySchema), truncated: z.boolean() });
/** Parsed form of {@link fileListSchema}. */
export type FileList = z.output<typeof fileListSchema>;

/** One entry, after stat or a change (`entry` absent when the change removed it). */
export const fileResultSchema = z.object({ path: z.string(), entry: fileEntrySchema.optional() });
/** Parsed form of {@link fileResultSchema}. */
export type FileResult = z.output<typeof fileResultSchema>;

/** The orchestrator's file limits, so the manager refuses an oversized upload before storing it. */
export const fileLimitsSchema = z.object({
  uploadMaxBytes: z.number().int().positive(),
  archiveMaxBytes: z.number().int().positive(),
  archiveMaxEntries: z.number().int().positive(),
});
/** Parsed form of {@link fileLimitsSchema}. */
export type FileLimits = z.output<typeof fileLimitsSchema>;
