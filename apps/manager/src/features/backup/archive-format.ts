import { DaisError, type BackupEntry } from '@dais/shared';

/** Where each part lives in an archive (docs/backup.md, "What is in the archive"). */
export const ARCHIVE_PATHS = {
  platformDatabase: 'platform/database.sql',
  managerState: 'platform/state/',
  router: 'router/',
  siteFiles: (siteId: number) => `sites/${siteId}/files/`,
  siteDatabase: (siteId: number) => `sites/${siteId}/database.sql`,
} as const;

/** The tar entry types an archive may hold; anything else (hard links, devices, FIFOs) makes it invalid. */
export type ArchiveEntryType = BackupEntry['type'];

/** What the reader knows of one entry from its tar header. */
export interface ArchiveEntryHeader {
  name: string;
  type: string;
  linkname?: string | null;
}

/**
 * Checks one entry's name and kind before anything of it is used: relative, no `.`/`..`/empty
 * segments, no backslash or control characters, under one of the known parts; only folders,
 * regular files, and symbolic links inside a site's files (relative, never climbing above that
 * site's `files/`). Returns the entry's type.
 */
export function checkEntryHeader(header: ArchiveEntryHeader): ArchiveEntryType {
  const name = header.name.replace(/\/$/, '');
  if (name.length === 0 || name.startsWith('/')) throw invalid(`${show(name)} is an absolute or empty path.`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(name)) throw invalid(`${show(name)} holds a control character or backslash.`);
  if (name.split('/').some((part) => part === '' || part === '.' || part === '..'))
    throw invalid(`${show(name)} has an empty, . or .. segment.`);
  if (!knownPart(name)) throw invalid(`${show(name)} is not part of a Dais backup.`);
  switch (header.type) {
    case 'file':
    case 'directory':
      return header.type;
    case 'symlink':
      checkLink(name, header.linkname ?? '');
      return 'symlink';
    default:
      throw invalid(`${show(name)} is a ${header.type} entry; archives hold only folders, files and symbolic links.`);
  }
}

function knownPart(name: string): boolean {
  return (
    name === 'dais-backup.json' ||
    name === 'manifest.json' ||
    name === ARCHIVE_PATHS.platformDatabase ||
    name.startsWith(ARCHIVE_PATHS.managerState) ||
    name.startsWith(ARCHIVE_PATHS.router) ||
    /^sites\/[1-9][0-9]{0,9}\/(database\.sql|files\/.+)$/.test(name)
  );
}

/** A link is allowed only among a site's files, relative, and resolving (lexically) inside that site's `files/`. */
function checkLink(name: string, target: string): void {
  const match = /^sites\/[1-9][0-9]{0,9}\/files\/(.+)$/.exec(name);
  if (!match?.[1]) throw invalid(`${show(name)} is a symbolic link outside a site's files.`);
  if (target === '' || target.startsWith('/')) throw invalid(`${show(name)} links to an absolute path ${show(target)}.`);
  const depth = match[1].split('/').length - 1; // folders between files/ and the link
  let level = depth;
  for (const part of target.split('/')) {
    if (part === '..') level -= 1;
    else if (part !== '' && part !== '.') level += 1;
    if (level < 0) throw invalid(`${show(name)} links to ${show(target)}, outside the site's folder.`);
  }
}

/** The site a `sites/<id>/…` entry belongs to, or null. */
export function siteIdOfEntry(name: string): number | null {
  const match = /^sites\/([1-9][0-9]{0,9})\//.exec(name);
  return match?.[1] ? Number(match[1]) : null;
}

function show(value: string): string {
  return JSON.stringify(value.slice(0, 200));
}

function invalid(message: string): DaisError {
  return new DaisError('BACKUP_ARCHIVE_INVALID', `The archive is refused: ${message}`);
}
