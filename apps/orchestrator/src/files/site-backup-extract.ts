import { readdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract, type Header } from 'tar-stream';
import { DaisError, isDaisError, type BackupRestoreResult } from '@dais/shared';
import type { SiteFolder } from './site-folder';
import { formatSitePath, parseSitePath } from './site-path';

/** Folders made by a restore get their mode from the archive at the end; until then Dais must be able to write in them. Modes lose setuid, setgid and sticky bits (the file API never sets them). */
const WRITABLE_DIRECTORY = 0o700;

/**
 * Replaces a site's files with those of a backup tar (`files/…` entries, as {@link packSiteFolder}
 * writes them). Everything goes through the confined {@link SiteFolder}: no entry can land
 * outside the site's folder, links are made last and only to targets inside it, and any entry
 * that is not a folder, regular file or symbolic link (hard links, devices, FIFOs) refuses the
 * whole restore. What the folder held before is removed first.
 */
export async function restoreSiteFolder(folder: SiteFolder, body: Readable): Promise<BackupRestoreResult> {
  await emptyFolder(folder);
  const extract = tarExtract();
  const links: { path: string; target: string }[] = [];
  const modes: { path: string; mode: number; mtime: Date }[] = [];
  let entries = 0;
  const reading = pipeline(body, extract);
  try {
    for await (const entry of extract) {
      const path = sitePathOf(entry.header);
      entries += 1;
      switch (entry.header.type) {
        case 'directory':
          await folder.mkdir(path).catch(ignoreExisting);
          modes.push({ path, mode: entry.header.mode & 0o777, mtime: entry.header.mtime });
          await folder.chmod(path, WRITABLE_DIRECTORY | (entry.header.mode & 0o777));
          entry.resume();
          break;
        case 'file':
          await writeFile(folder, path, entry);
          await folder.chmod(path, entry.header.mode & 0o777);
          await folder.utimes(path, entry.header.mtime.getTime() / 1000, entry.header.mtime.getTime() / 1000);
          break;
        case 'symlink':
          links.push({ path, target: entry.header.linkname });
          entry.resume();
          break;
        case 'link':
        case 'block-device':
        case 'character-device':
        case 'fifo':
        case 'contiguous-file':
          throw invalid(
            `${JSON.stringify(entry.header.name)} is a ${entry.header.type} entry; backups hold only folders, files and links.`,
          );
      }
    }
    await reading;
  } catch (error) {
    body.destroy();
    await reading.catch(() => undefined);
    throw error;
  }
  // Links last: a link's target must exist (and be inside the folder) when it is made.
  for (const link of links) await folder.symlink(link.path, link.target);
  // Deepest folders first, so setting a read-only mode never blocks what is still to be set.
  for (const { path, mode, mtime } of modes.reverse()) {
    await folder.chmod(path, mode);
    await folder.utimes(path, mtime.getTime() / 1000, mtime.getTime() / 1000);
  }
  return { entries };
}

function sitePathOf(header: Header): string {
  if (!header.name.startsWith('files/')) throw invalid(`${JSON.stringify(header.name)} is not under files/.`);
  const raw = header.name.slice('files/'.length);
  if (raw.startsWith('/') || raw.split('/').includes('..')) throw invalid(`${JSON.stringify(header.name)} leaves the site folder.`);
  const names = parseSitePath(raw);
  if (names.length === 0) throw invalid(`${JSON.stringify(header.name)} names the site folder itself.`);
  return formatSitePath(names);
}

async function writeFile(folder: SiteFolder, path: string, content: AsyncIterable<unknown>): Promise<void> {
  const handle = await folder.openFile(path, { create: true, write: true, truncate: true });
  try {
    let position = 0;
    for await (const chunk of content) {
      const bytes = chunk as Buffer;
      await handle.write(bytes, 0, bytes.length, position);
      position += bytes.length;
    }
  } catch (error) {
    throw folder.explain(error);
  } finally {
    await handle.close();
  }
}

/** Removes every entry of the folder (the platform's own top-level folders come back from the archive). */
async function emptyFolder(folder: SiteFolder): Promise<void> {
  for (const name of await readdir(folder.root)) await folder.remove(`/${name}`, { recursive: true });
}

function ignoreExisting(error: unknown): void {
  if (isDaisError(error, 'FILE_EXISTS')) return;
  throw error;
}

function invalid(message: string): DaisError {
  return new DaisError('BACKUP_ARCHIVE_INVALID', message);
}
