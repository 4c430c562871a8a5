import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BACKUP_HEADER_PATH,
  BACKUP_MANIFEST_PATH,
  backupHeaderSchema,
  backupManifestSchema,
  DaisError,
  type BackupEntry,
  type BackupManifest,
} from '@dais/shared';
import { checkEntryHeader } from './archive-format';

/** Largest header or manifest the reader accepts (they are JSON read whole). */
const MAX_JSON_BYTES = 256 * 1024 * 1024;

/** One entry handed to {@link readArchive}'s visitor; `content` must be read or drained before the next. */
export interface ArchiveItem {
  entry: BackupEntry;
  content: Readable;
}

/**
 * Reads a whole archive without using any of it and returns its manifest, or refuses it: not
 * gzip/tar, not a Dais backup or another format version (BACKUP_ARCHIVE_UNSUPPORTED), or any entry
 * unsafe, unlisted, missing, altered or duplicated (BACKUP_ARCHIVE_INVALID). Memory stays flat:
 * files are hashed as they stream past.
 */
export async function verifyArchive(file: string): Promise<BackupManifest> {
  let manifest: BackupManifest | undefined;
  const seen = new Map<string, BackupEntry>();
  await walk(file, async (name, type, header, content) => {
    if (name === BACKUP_MANIFEST_PATH) {
      manifest = parseManifest(await readJson(content));
      return;
    }
    if (manifest) throw invalid(`${JSON.stringify(name)} comes after the manifest.`);
    if (seen.has(name)) throw invalid(`${JSON.stringify(name)} is in the archive twice.`);
    if (type === 'file') {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of content) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      seen.set(name, { type, path: name, size, sha256: hash.digest('hex'), mode: header.mode & 0o7777 });
    } else {
      content.resume();
      seen.set(
        name,
        type === 'directory' ? { type, path: name, mode: header.mode & 0o7777 } : { type, path: name, target: header.linkname ?? '' },
      );
    }
  });
  if (!manifest) throw invalid('it has no manifest (it was cut short or is not a finished backup).');
  compareWithManifest(manifest, seen);
  return manifest;
}

/** Reads an archive already verified, handing every entry but header and manifest to `visit` in archive order. */
export async function readArchive(file: string, visit: (item: ArchiveItem) => Promise<void>): Promise<void> {
  await walk(file, async (name, type, header, content) => {
    if (name === BACKUP_MANIFEST_PATH) {
      content.resume();
      return;
    }
    const entry: BackupEntry =
      type === 'file'
        ? { type, path: name, size: header.size ?? 0, sha256: '', mode: header.mode & 0o7777 }
        : type === 'directory'
          ? { type, path: name, mode: header.mode & 0o7777 }
          : { type, path: name, target: header.linkname ?? '' };
    await visit({ entry, content });
    content.resume();
  });
}

type Visitor = (
  name: string,
  type: BackupEntry['type'],
  header: { mode: number; size?: number; linkname?: string | null },
  content: Readable,
) => Promise<void>;

/** Streams the tar entries after checking the first is a Dais backup header of this version. */
async function walk(file: string, visit: Visitor): Promise<void> {
  const extract = tarExtract();
  const reading = pipeline(createReadStream(file), createGunzip(), extract);
  let first = true;
  try {
    for await (const entry of extract) {
      const name = entry.header.name.replace(/\/$/, '');
      if (first) {
        first = false;
        if (name !== BACKUP_HEADER_PATH || entry.header.type !== 'file') throw unsupported('it does not start with a Dais backup header.');
        checkHeader(await readJson(entry as unknown as Readable));
        continue;
      }
      const type = checkEntryHeader({ name, type: entry.header.type, linkname: entry.header.linkname });
      await visit(name, type, entry.header, entry as unknown as Readable);
    }
    await reading;
  } catch (error) {
    extract.destroy();
    const cause = await reading.then(
      () => null,
      (readError: unknown) => readError,
    );
    if (error instanceof DaisError) throw error;
    throw invalid(`it cannot be read as a gzip'd tar (${describe(cause ?? error)}).`);
  }
  if (first) throw unsupported('it is empty.');
}

function checkHeader(json: unknown): void {
  const candidate = json as { format?: unknown; version?: unknown } | null;
  if (candidate?.format !== BACKUP_FORMAT) throw unsupported('it is not a Dais backup.');
  if (candidate.version !== BACKUP_FORMAT_VERSION)
    throw unsupported(`it has format version ${String(candidate.version)}; this Dais reads version ${BACKUP_FORMAT_VERSION}.`);
  if (!backupHeaderSchema.safeParse(json).success) throw invalid('its header is malformed.');
}

function parseManifest(json: unknown): BackupManifest {
  const parsed = backupManifestSchema.safeParse(json);
  if (!parsed.success) throw invalid('its manifest is malformed.');
  if (parsed.data.version !== BACKUP_FORMAT_VERSION) throw unsupported('its manifest names another format version.');
  return parsed.data;
}

/** Every entry seen must be listed with the same content, and every listed entry seen. */
function compareWithManifest(manifest: BackupManifest, seen: Map<string, BackupEntry>): void {
  const listed = new Set<string>();
  for (const expected of manifest.entries) {
    if (listed.has(expected.path)) throw invalid(`its manifest lists ${JSON.stringify(expected.path)} twice.`);
    listed.add(expected.path);
    const actual = seen.get(expected.path);
    if (!actual) throw invalid(`${JSON.stringify(expected.path)} is listed in the manifest but missing.`);
    if (JSON.stringify(normalize(actual)) !== JSON.stringify(normalize(expected)))
      throw invalid(`${JSON.stringify(expected.path)} does not match its manifest entry (altered or damaged).`);
  }
  for (const name of seen.keys()) if (!listed.has(name)) throw invalid(`${JSON.stringify(name)} is not listed in the manifest.`);
}

function normalize(entry: BackupEntry): unknown {
  switch (entry.type) {
    case 'file':
      return [entry.type, entry.path, entry.size, entry.sha256, entry.mode];
    case 'directory':
      return [entry.type, entry.path, entry.mode];
    case 'symlink':
      return [entry.type, entry.path, entry.target];
  }
}

async function readJson(content: Readable): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of content) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BYTES) throw invalid('its header or manifest is too large.');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw invalid('its header or manifest is not JSON.');
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : 'unknown error';
}

function invalid(message: string): DaisError {
  return new DaisError('BACKUP_ARCHIVE_INVALID', `The archive is refused: ${message}`);
}

function unsupported(message: string): DaisError {
  return new DaisError('BACKUP_ARCHIVE_UNSUPPORTED', `The archive is refused: ${message}`);
}
