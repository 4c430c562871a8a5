import type { Stats } from 'node:fs';
import type { FileEntry } from '@dais/shared';

/** What the file API says of one entry: `mode` holds the permission bits only (type is `type`). */
export function entryOf(name: string, stats: Stats): FileEntry {
  return {
    name,
    type: stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : stats.isSymbolicLink() ? 'symlink' : 'other',
    size: stats.size,
    mode: stats.mode & 0o7777,
    mtimeMs: Math.trunc(stats.mtimeMs),
  };
}
