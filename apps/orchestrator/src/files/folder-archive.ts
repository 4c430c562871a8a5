import { constants } from 'node:fs';
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { DaisError, isDaisError } from '@dais/shared';
import { atPath, lstatAt, openDirectory } from './confined-walk';
import type { SiteFolder } from './site-folder';
import { formatSitePath, parseSitePath } from './site-path';
import { ZIP_MAX_BYTES, ZIP_MAX_ENTRIES, ZipWriter } from './zip-writer';

const OPEN_DIRECTORY = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const MAX_DEPTH = 64;

/** How much one folder download may hold; past either cap it is refused before a byte is sent. */
export interface ArchiveLimits {
  maxEntries: number;
  maxBytes: number;
}

/** One entry the archive will hold, by its path inside the archive. */
interface PlannedEntry {
  archivePath: string;
  sitePath: string;
  directory: boolean;
  size: number;
  mtime: Date;
}

/** A planned folder download: what it holds and, separately, what it leaves out (links, hard-linked files, special files). */
export interface FolderArchive {
  entryCount: number;
  totalBytes: number;
  skipped: number;
  /** The zip's bytes; each file is opened again by the confined walk when its turn comes. */
  content: AsyncIterable<Buffer>;
}

/**
 * Plans a zip of a folder (refusing it with FILE_TOO_LARGE past the caps, before anything is
 * sent), then streams it. Only folders and regular files with one link go in; symbolic links
 * are left out, never followed. A file that changed into something else since planning is left
 * out, and a file that grew is cut at its planned size.
 */
export async function archiveFolder(folder: SiteFolder, path: string, limits: ArchiveLimits): Promise<FolderArchive> {
  const names = parseSitePath(path);
  const maxEntries = Math.min(limits.maxEntries, ZIP_MAX_ENTRIES);
  const maxBytes = Math.min(limits.maxBytes, ZIP_MAX_BYTES / 2);
  const plan: PlannedEntry[] = [];
  const totals = { bytes: 0, skipped: 0 };
  const root = await openDirectory(folder.root, names, formatSitePath(names));
  try {
    await planDirectory({ dir: root, archivePrefix: '', sitePrefix: formatSitePath(names), depth: 0, plan, totals, maxEntries, maxBytes });
  } finally {
    await root.close();
  }
  return { entryCount: plan.length, totalBytes: totals.bytes, skipped: totals.skipped, content: streamZip(folder, plan) };
}

interface PlanStep {
  dir: FileHandle;
  archivePrefix: string;
  sitePrefix: string;
  depth: number;
  plan: PlannedEntry[];
  totals: { bytes: number; skipped: number };
  maxEntries: number;
  maxBytes: number;
}

async function planDirectory(step: PlanStep): Promise<void> {
  if (step.depth > MAX_DEPTH) throw new DaisError('FILE_TOO_LARGE', `The folder is nested deeper than ${MAX_DEPTH} levels.`);
  for (const name of (await readdir(atPath(step.dir))).sort()) {
    const sitePath = `${step.sitePrefix === '/' ? '' : step.sitePrefix}/${name}`;
    const stats = await lstatAt(step.dir, name, sitePath).catch(() => null);
    if (!stats || !(stats.isDirectory() || (stats.isFile() && stats.nlink === 1))) {
      step.totals.skipped += 1;
      continue;
    }
    const archivePath = `${step.archivePrefix}${name}`;
    step.plan.push({ archivePath, sitePath, directory: stats.isDirectory(), size: stats.size, mtime: stats.mtime });
    if (stats.isFile()) step.totals.bytes += stats.size;
    if (step.plan.length > step.maxEntries) {
      throw new DaisError('FILE_TOO_LARGE', `The folder holds more than ${step.maxEntries} entries, the most one download may hold.`, {
        limitEntries: step.maxEntries,
      });
    }
    if (step.totals.bytes > step.maxBytes) {
      throw new DaisError('FILE_TOO_LARGE', `The folder holds more than ${step.maxBytes} bytes, the most one download may hold.`, {
        limitBytes: step.maxBytes,
      });
    }
    if (!stats.isDirectory()) continue;
    const child = await open(atPath(step.dir, name), OPEN_DIRECTORY).catch(() => null);
    if (!child) continue;
    try {
      await planDirectory({ ...step, dir: child, archivePrefix: `${archivePath}/`, sitePrefix: sitePath, depth: step.depth + 1 });
    } finally {
      await child.close();
    }
  }
}

async function* streamZip(folder: SiteFolder, plan: readonly PlannedEntry[]): AsyncGenerator<Buffer> {
  const zip = new ZipWriter();
  for (const entry of plan) {
    if (entry.directory) {
      yield* zip.directory(entry.archivePath, entry.mtime);
      continue;
    }
    const handle = await folder.openFile(entry.sitePath, { write: false }).catch((error: unknown) => {
      if (isDaisError(error)) return null;
      throw error;
    });
    if (!handle) continue;
    const content = entry.size === 0 ? Readable.from([]) : handle.createReadStream({ start: 0, end: entry.size - 1 });
    try {
      yield* zip.file(entry.archivePath, entry.mtime, content);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }
  yield* zip.finish();
}
