import { createHash, randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { DaisError, type FileEntry } from '@dais/shared';
import { atPath, lstatAt, withParent } from './confined-walk';
import { entryOf } from './file-entry';
import { fileSystemError } from './file-errors';
import type { FolderOwner, SiteFolder } from './site-folder';
import { formatSitePath, parseSitePath } from './site-path';

const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** Large reads: fewer, bigger chunks cost less per byte on the way out. */
const READ_CHUNK_BYTES = 1024 * 1024;
/** Uploads land under this prefix beside their target, then replace it in one rename. */
export const UPLOAD_TEMP_PREFIX = '.dais-upload-';

/** A regular file opened for download: its description and its content, exactly `entry.size` bytes. */
export interface FileDownload {
  entry: FileEntry;
  stream: Readable;
}

/** Opens a confined regular file for streaming out (the stream closes the file when done). */
export async function openReadStream(folder: SiteFolder, path: string): Promise<FileDownload> {
  const handle = await folder.openFile(path, { write: false });
  const stats = await handle.stat();
  const entry = entryOf(parseSitePath(path).at(-1) ?? '/', stats);
  if (stats.size === 0) {
    await handle.close();
    return { entry, stream: Readable.from([]) };
  }
  // Bounded to the size announced now, so a file growing meanwhile never overruns Content-Length.
  return { entry, stream: handle.createReadStream({ start: 0, end: stats.size - 1, highWaterMark: READ_CHUNK_BYTES }) };
}

/** How {@link writeFromStream} stores an upload. */
export interface UploadOptions {
  /** The upload is refused (FILE_TOO_LARGE) as soon as it passes this many bytes. */
  maxBytes: number;
  /** Replace an existing file (never a folder); otherwise FILE_EXISTS. */
  overwrite: boolean;
  /** Hex SHA-256 the content must have (the manager signs it); a mismatch stores nothing. */
  sha256?: string;
}

/**
 * Stores an upload atomically: streamed into a new temporary file beside the target (created
 * with O_EXCL | O_NOFOLLOW, owned by the site's user), checked for size and digest, then renamed
 * over the target. A failed or refused upload leaves nothing behind and the old file untouched,
 * and the rest of its body is read and dropped (see {@link discardRest}).
 */
export async function writeFromStream(
  folder: SiteFolder,
  path: string,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: UploadOptions,
): Promise<FileEntry> {
  const names = parseSitePath(path);
  const shown = formatSitePath(names);
  const chunks = iteratorOf(source);
  try {
    return await withParent(folder.root, names, shown, async (parent, name) => {
      const before = await existingEntry(parent, name, shown);
      assertReplaceable(before, options.overwrite, shown);
      const { temp, handle } = await openUploadTemp(parent, folder.owner, before, shown);
      try {
        await copyChecked(chunks, handle, options, shown);
        await handle.close();
        await rename(atPath(parent, temp), atPath(parent, name));
        return entryOf(name, await lstatAt(parent, name, shown));
      } catch (error) {
        await handle.close().catch(() => undefined);
        await unlink(atPath(parent, temp)).catch(() => undefined);
        throw fileSystemError(error, shown, 'upload');
      }
    });
  } catch (error) {
    void discardRest(chunks);
    throw error;
  }
}

function iteratorOf(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncIterator<Uint8Array> | Iterator<Uint8Array> {
  return Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
}

/**
 * Reads and drops what is left of a refused body, so the manager, still sending, gets to read the
 * answer on a connection it can use again. (A for-await that stopped early would destroy the
 * request stream and leave the rest of the body unread on a kept-alive connection, where the
 * next request behind it would never be read.)
 */
export async function discardRest(chunks: AsyncIterator<Uint8Array> | Iterator<Uint8Array>): Promise<void> {
  try {
    for (let next = await chunks.next(); !next.done; next = await chunks.next());
  } catch {
    // The client gave up or the connection was closed: nothing left to drop.
  }
}

/** What is at `name` in `parent` now (the name itself, never a link's target), or null. */
export function existingEntry(parent: FileHandle, name: string, shown: string): Promise<Stats | null> {
  return lstatAt(parent, name, shown).catch(() => null);
}

/** An upload may replace a file or a link (never a folder), and only with `overwrite`. */
export function assertReplaceable(before: Stats | null, overwrite: boolean, shown: string): void {
  if (before?.isDirectory()) throw new DaisError('IS_A_DIRECTORY', `${JSON.stringify(shown)} is a folder.`);
  if (before && !overwrite) throw new DaisError('FILE_EXISTS', `${JSON.stringify(shown)} already exists.`);
}

/**
 * Creates an upload's temporary file in `parent` (O_EXCL | O_NOFOLLOW, owned by the site's user,
 * with the permission bits of the file it will replace); the caller closes and renames or unlinks it.
 */
export async function openUploadTemp(
  parent: FileHandle,
  owner: FolderOwner,
  before: Stats | null,
  shown: string,
): Promise<{ temp: string; handle: FileHandle }> {
  const temp = `${UPLOAD_TEMP_PREFIX}${randomBytes(8).toString('hex')}`;
  const handle = await open(atPath(parent, temp), CREATE_NEW, 0o644).catch((error: unknown) => {
    throw fileSystemError(error, shown, 'upload');
  });
  try {
    if (owner) await handle.chown(owner.uid, owner.gid);
    // An overwritten file keeps its permission bits (never setuid/setgid/sticky).
    if (before?.isFile()) await handle.chmod(before.mode & 0o777);
    return { temp, handle };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(atPath(parent, temp)).catch(() => undefined);
    throw fileSystemError(error, shown, 'upload');
  }
}

/** Writes all of `chunk` (a write may take fewer bytes than offered). */
export async function writeFully(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let written = 0;
  while (written < chunk.length) written += (await handle.write(chunk, written, chunk.length - written)).bytesWritten;
}

/** Iterated by hand: on a refusal the caller drops the rest of the body instead of destroying it. */
async function copyChecked(
  chunks: AsyncIterator<Uint8Array> | Iterator<Uint8Array>,
  handle: FileHandle,
  options: UploadOptions,
  shown: string,
): Promise<void> {
  const hash = createHash('sha256');
  let size = 0;
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
    const chunk = next.value;
    size += chunk.length;
    if (size > options.maxBytes) {
      throw new DaisError('FILE_TOO_LARGE', `${JSON.stringify(shown)}: uploads are limited to ${options.maxBytes} bytes.`, {
        limitBytes: options.maxBytes,
      });
    }
    hash.update(chunk);
    await writeFully(handle, chunk);
  }
  if (options.sha256 !== undefined && hash.digest('hex') !== options.sha256.toLowerCase()) {
    throw new DaisError('SIGNATURE_INVALID', 'The uploaded content does not match the signed SHA-256; nothing was stored.');
  }
}
