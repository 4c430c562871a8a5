/** How scheduled archives are named: sorting the names sorts them by time. */
export const SCHEDULED_PREFIX = 'dais-backup-';
const SCHEDULED_NAME = /^dais-backup-\d{8}T\d{6}Z\.tar\.gz$/;

/** The name of the archive a scheduled backup made at `now` writes. */
export function scheduledArchiveName(now: Date): string {
  return `${SCHEDULED_PREFIX}${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')}.tar.gz`;
}

/**
 * Which files of the backup folder to delete so the newest `keep` scheduled archives remain.
 * Only names scheduled backups make are considered: an admin's own files (or a partial archive
 * being written) are never deleted.
 */
export function archivesToPrune(names: readonly string[], keep: number): string[] {
  const archives = names.filter((name) => SCHEDULED_NAME.test(name)).sort();
  return archives.slice(0, Math.max(0, archives.length - keep));
}
