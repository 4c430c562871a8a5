import { constants } from 'node:fs';
import { open, readdir, readlink, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pack as tarPack, type Pack } from 'tar-stream';
import type { SiteFilesReport } from '@dais/shared';
import { atPath, lstatAt, openDirectory } from './confined-walk';
import { writeTarEntry } from './tar-entry';
import type { SiteFolder } from './site-folder';

const OPEN_DIRECTORY = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const OPEN_FILE = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
/** Files up to this size are read whole and read again until two reads agree with the file's state. */
const STABLE_READ_MAX_BYTES = 8 * 1024 * 1024;
const STABLE_READ_ATTEMPTS = 3;
const READ_CHUNK_BYTES = 256 * 1024;

/**
 * A site's whole folder as a tar stream for a backup: every folder, regular file and symbolic link
 * (never followed) under `files/`, then `report.json` naming files that kept changing while read
 * and special files left out. The walk is confined like the file API (one name at a time,
 * O_NOFOLLOW); the site keeps running, so each file is checked for changes around its read.
 */
export function packSiteFolder(folder: SiteFolder): Readable {
  const pack = tarPack();
  const report: SiteFilesReport = { changedFiles: [], skippedFiles: [] };
  const fill = async () => {
    const root = await openDirectory(folder.root, [], '/');
    try {
      await packDirectory(pack, root, '', report);
    } finally {
      await root.close();
    }
    const summary = Buffer.from(JSON.stringify(report));
    await writeTarEntry(pack, { name: 'report.json', type: 'file', mode: 0o644, size: summary.length }, [summary]);
    pack.finalize();
  };
  fill().catch((error: unknown) => pack.destroy(error instanceof Error ? error : new Error(String(error))));
  return Readable.from(pack);
}

async function packDirectory(pack: Pack, dir: FileHandle, prefix: string, report: SiteFilesReport): Promise<void> {
  for (const name of (await readdir(atPath(dir))).sort()) {
    const path = `${prefix}${name}`;
    const stats = await lstatAt(dir, name, `/${path}`).catch(() => null);
    if (!stats) continue; // Deleted since the listing: the site removed it while we walked.
    const mtime = stats.mtime;
    const mode = stats.mode & 0o7777;
    if (stats.isDirectory()) {
      const child = await open(atPath(dir, name), OPEN_DIRECTORY).catch(() => null);
      if (!child) continue;
      try {
        await writeTarEntry(pack, { name: `files/${path}/`, type: 'directory', mode, mtime }, []);
        await packDirectory(pack, child, `${path}/`, report);
      } finally {
        await child.close();
      }
    } else if (stats.isSymbolicLink()) {
      const target = await readlink(atPath(dir, name)).catch(() => null);
      if (target !== null) await writeTarEntry(pack, { name: `files/${path}`, type: 'symlink', linkname: target, mode, mtime }, []);
    } else if (stats.isFile()) {
      const handle = await open(atPath(dir, name), OPEN_FILE).catch(() => null);
      if (!handle) continue;
      try {
        if (!(await packFile(pack, handle, `files/${path}`))) report.changedFiles.push(`/${path}`);
      } finally {
        await handle.close();
      }
    } else {
      report.skippedFiles.push(`/${path}`);
    }
  }
}

/** Packs one open file; false when it changed while it was read (its copy may be torn). */
async function packFile(pack: Pack, handle: FileHandle, name: string): Promise<boolean> {
  let before = await handle.stat();
  if (!before.isFile()) return true;
  if (before.size <= STABLE_READ_MAX_BYTES) {
    // Small files (almost all of a site's): read whole, again if the file moved under the read.
    for (let attempt = 1; ; attempt++) {
      const content = await readExactly(handle, before.size);
      const after = await handle.stat();
      const stable = sameState(before, after);
      if (stable || attempt >= STABLE_READ_ATTEMPTS) {
        await writeTarEntry(pack, { name, type: 'file', mode: after.mode & 0o7777, mtime: before.mtime, size: content.length }, [content]);
        return stable;
      }
      before = after;
    }
  }
  // Large files are streamed once at the size they had when opened (cut or zero-padded to it).
  await writeTarEntry(
    pack,
    { name, type: 'file', mode: before.mode & 0o7777, mtime: before.mtime, size: before.size },
    chunksOf(handle, before.size),
  );
  return sameState(before, await handle.stat());
}

function sameState(a: { size: number; mtimeMs: number; ctimeMs: number }, b: { size: number; mtimeMs: number; ctimeMs: number }): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

async function readExactly(handle: FileHandle, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of chunksOf(handle, size)) chunks.push(chunk);
  return Buffer.concat(chunks, size);
}

/** Exactly `size` bytes from the start of the file: zeros past an early end (it shrank meanwhile). */
async function* chunksOf(handle: FileHandle, size: number): AsyncGenerator<Buffer> {
  let position = 0;
  while (position < size) {
    const buffer = Buffer.alloc(Math.min(READ_CHUNK_BYTES, size - position));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    position += buffer.length;
    yield buffer; // A short read leaves the rest of the buffer as zeros.
    if (bytesRead === 0) {
      while (position < size) {
        const padding = Buffer.alloc(Math.min(READ_CHUNK_BYTES, size - position));
        position += padding.length;
        yield padding;
      }
    }
  }
}
