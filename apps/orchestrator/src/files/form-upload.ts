import { createHash } from 'node:crypto';
import { rename, unlink, type FileHandle } from 'node:fs/promises';
import { DaisError, FORM_UPLOAD_FILE_FIELD, type FileEntry } from '@dais/shared';
import { atPath, lstatAt, withDirectory } from './confined-walk';
import { entryOf } from './file-entry';
import { fileSystemError } from './file-errors';
import { assertReplaceable, discardRest, existingEntry, openUploadTemp, writeFully } from './file-transfer';
import { createFormParser, type FilePart, type FormParser } from './multipart-parser';
import type { SiteFolder } from './site-folder';
import { formatSitePath, parseSitePath } from './site-path';
import { checkUploadName } from './upload-name';

/** How {@link storeFormUpload} stores a multipart upload. */
export interface FormUploadOptions {
  /** The folder (site path) the files land in, under their own names. */
  folder: string;
  /** Replace existing files (never folders); otherwise FILE_EXISTS. */
  overwrite: boolean;
  /** The boundary the body was signed with. */
  boundary: string;
  /** Exact length and hex SHA-256 of the whole body, as signed by the manager. */
  size: number;
  sha256: string;
  maxFiles: number;
  maxFileBytes: number;
}

/** A file part written to its temporary file, waiting for the body to be verified. */
interface StagedFile {
  name: string;
  temp: string;
  shown: string;
}

/**
 * Stores every file of a `multipart/form-data` body in one folder, all or nothing: each part is
 * streamed into a temporary file beside its target (as a raw upload is), the whole body is
 * checked against the signed size and SHA-256, every target is checked again, and only then are
 * the files renamed into place, in body order. A refused part name, a cap, a digest mismatch or a
 * broken body removes every temporary file and replaces nothing. (Each rename is atomic; if one
 * of them failed, for a folder made at that very name meanwhile, the files renamed before it stay.)
 */
export async function storeFormUpload(
  folder: SiteFolder,
  body: AsyncIterable<Uint8Array>,
  options: FormUploadOptions,
): Promise<{ path: string; entries: FileEntry[] }> {
  const names = parseSitePath(options.folder);
  const shown = formatSitePath(names);
  return withDirectory(folder.root, names, shown, async (dir) => {
    const staged: StagedFile[] = [];
    const stage = async (part: FilePart): Promise<void> => {
      if (part.field !== FORM_UPLOAD_FILE_FIELD) {
        throw new DaisError(
          'VALIDATION_FAILED',
          `Send files in the form field "${FORM_UPLOAD_FILE_FIELD}", not ${JSON.stringify(part.field)}.`,
        );
      }
      const name = checkUploadName(part.filename);
      const target = formatSitePath([...names, name]);
      if (staged.some((file) => file.name === name)) throw new DaisError('VALIDATION_FAILED', `${JSON.stringify(target)} is sent twice.`);
      const before = await existingEntry(dir, name, target);
      assertReplaceable(before, options.overwrite, target);
      const { temp, handle } = await openUploadTemp(dir, folder.owner, before, target);
      staged.push({ name, temp, shown: target });
      await copyPart(part.content, handle);
    };
    const parser = createFormParser({
      boundary: options.boundary,
      maxFiles: options.maxFiles,
      maxFileBytes: options.maxFileBytes,
      onFile: stage,
    });
    const chunks = body[Symbol.asyncIterator]();
    try {
      await feedVerified(chunks, parser, options);
      if (staged.length === 0)
        throw new DaisError('VALIDATION_FAILED', `The form holds no file (send them in the field "${FORM_UPLOAD_FILE_FIELD}").`);
      return { path: shown, entries: await commit(dir, staged, options.overwrite) };
    } catch (error) {
      void discardRest(chunks);
      parser.abort(error);
      await parser.settled();
      await Promise.all(staged.map((file) => unlink(atPath(dir, file.temp)).catch(() => undefined)));
      throw fileSystemError(error, shown, 'upload into');
    }
  });
}

/** Feeds the body to the parser while hashing it; refuses a body that is not the one signed. */
async function feedVerified(chunks: AsyncIterator<Uint8Array>, parser: FormParser, signed: FormUploadOptions): Promise<void> {
  const hash = createHash('sha256');
  let size = 0;
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
    size += next.value.length;
    if (size > signed.size) throw notSigned();
    hash.update(next.value);
    await parser.write(next.value);
  }
  // Checked before the parser's end: a tampered body is a signature failure, whatever it parses to.
  if (size !== signed.size || hash.digest('hex') !== signed.sha256) throw notSigned();
  await parser.end();
}

async function copyPart(content: AsyncIterable<Uint8Array>, handle: FileHandle): Promise<void> {
  try {
    for await (const chunk of content) await writeFully(handle, chunk);
  } finally {
    await handle.close();
  }
}

/** Checks every target again (one may have appeared meanwhile), then renames each file into place. */
async function commit(dir: FileHandle, staged: readonly StagedFile[], overwrite: boolean): Promise<FileEntry[]> {
  for (const file of staged) assertReplaceable(await existingEntry(dir, file.name, file.shown), overwrite, file.shown);
  for (const file of staged) {
    await rename(atPath(dir, file.temp), atPath(dir, file.name)).catch((error: unknown) => {
      throw fileSystemError(error, file.shown, 'upload');
    });
  }
  return Promise.all(staged.map(async (file) => entryOf(file.name, await lstatAt(dir, file.name, file.shown))));
}

function notSigned(): DaisError {
  return new DaisError('SIGNATURE_INVALID', 'The uploaded body does not match the signed size and SHA-256; nothing was stored.');
}
