import { constants, type Stats } from 'node:fs';
import { lchown, lstat, mkdir, open, readdir, readlink, symlink, type FileHandle } from 'node:fs/promises';
import { atPath } from './confined-walk';
import { writeFully } from './file-transfer';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = constants;
const OPEN_DIRECTORY = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK;
/** Deeper than any real site; bounds the descriptors a crafted chain of folders could hold open. */
const MAX_DEPTH = 256;
const CHUNK_BYTES = 1024 * 1024;

/** What {@link copyTree} left out: entries that are neither folders, files nor links (FIFOs, sockets, devices). */
export interface CopyReport {
  skipped: number;
}

/**
 * Copies everything in the folder `from` into the (empty) folder `to`, as root, keeping owners,
 * permission bits (without setuid/setgid/sticky) and modification times. Walks by descriptors
 * like the file API: every name is opened from its parent's descriptor with O_NOFOLLOW and
 * checked to be what lstat saw, so a folder swapped for a link while the copy runs fails the
 * copy instead of copying what the link leads to. Links are copied as links (their text),
 * hard-linked files as separate files, special files not at all.
 */
export async function copyTree(from: string, to: string): Promise<CopyReport> {
  const source = await open(from, OPEN_DIRECTORY);
  const target = await open(to, OPEN_DIRECTORY).catch(async (error: unknown) => {
    await source.close();
    throw error;
  });
  try {
    const report = { skipped: 0 };
    await copyEntries(source, target, 0, report);
    await copyAttributes(await source.stat(), target);
    return report;
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
}

async function copyEntries(source: FileHandle, target: FileHandle, depth: number, report: CopyReport): Promise<void> {
  if (depth > MAX_DEPTH) throw new Error(`folders are nested deeper than ${MAX_DEPTH}`);
  for (const name of await readdir(atPath(source))) {
    const stats = await lstat(atPath(source, name));
    if (stats.isDirectory()) await copyFolder(source, target, name, stats, { depth, report });
    else if (stats.isFile()) await copyFile(source, target, name, stats);
    else if (stats.isSymbolicLink()) {
      await symlink(await readlink(atPath(source, name)), atPath(target, name));
      await lchown(atPath(target, name), stats.uid, stats.gid);
    } else report.skipped += 1;
  }
}

async function copyFolder(
  source: FileHandle,
  target: FileHandle,
  name: string,
  stats: Stats,
  walk: { depth: number; report: CopyReport },
): Promise<void> {
  await mkdir(atPath(target, name), { mode: 0o700 });
  const from = await open(atPath(source, name), OPEN_DIRECTORY);
  try {
    assertSame(stats, await from.stat(), name);
    const to = await open(atPath(target, name), OPEN_DIRECTORY);
    try {
      await copyEntries(from, to, walk.depth + 1, walk.report);
      await copyAttributes(stats, to);
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
}

async function copyFile(source: FileHandle, target: FileHandle, name: string, stats: Stats): Promise<void> {
  const from = await open(atPath(source, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  try {
    assertSame(stats, await from.stat(), name);
    const to = await open(atPath(target, name), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      for (let read = await from.read(buffer, 0, CHUNK_BYTES); read.bytesRead > 0; read = await from.read(buffer, 0, CHUNK_BYTES)) {
        await writeFully(to, buffer.subarray(0, read.bytesRead));
      }
      await copyAttributes(stats, to);
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
}

/** The entry opened must be the one inspected (same inode), else it was swapped meanwhile. */
function assertSame(inspected: Stats, opened: Stats, name: string): void {
  if (opened.ino !== inspected.ino || opened.dev !== inspected.dev || opened.isDirectory() !== inspected.isDirectory()) {
    throw new Error(`${JSON.stringify(name)} changed while it was copied`);
  }
}

async function copyAttributes(stats: Stats, handle: FileHandle): Promise<void> {
  await handle.chown(stats.uid, stats.gid);
  await handle.chmod(stats.mode & 0o777);
  await handle.utimes(stats.atime, stats.mtime);
}
