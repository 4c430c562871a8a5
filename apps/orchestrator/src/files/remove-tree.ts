import { readdir, rmdir, unlink, open, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { DaisError } from '@dais/shared';
import { atPath, lstatAt } from './confined-walk';
import { fileSystemError } from './file-errors';

const OPEN_DIRECTORY = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
/** Deeper than any real site; stops a crafted chain of folders from exhausting the stack or descriptors. */
const MAX_DEPTH = 128;

/**
 * Deletes `name` in `parent` and everything under it, walking by descriptors: a folder is opened
 * with O_NOFOLLOW before its entries are removed, so a folder swapped for a link to `/` while the
 * removal runs is refused (ELOOP), never descended into. Links are removed, never followed.
 */
export async function removeTree(parent: FileHandle, name: string, shownPath: string, depth = 0): Promise<void> {
  if (depth > MAX_DEPTH) throw new DaisError('PATH_FORBIDDEN', `${JSON.stringify(shownPath)} is nested deeper than ${MAX_DEPTH} folders.`);
  const stats = await lstatAt(parent, name, shownPath);
  if (!stats.isDirectory()) {
    await unlink(atPath(parent, name)).catch((error: unknown) => {
      throw fileSystemError(error, shownPath, 'delete');
    });
    return;
  }
  const dir = await open(atPath(parent, name), OPEN_DIRECTORY).catch((error: unknown) => {
    throw fileSystemError(error, shownPath, 'open');
  });
  try {
    for (const child of await readdir(atPath(dir))) await removeTree(dir, child, `${shownPath}/${child}`, depth + 1);
  } finally {
    await dir.close();
  }
  await rmdir(atPath(parent, name)).catch((error: unknown) => {
    throw fileSystemError(error, shownPath, 'delete');
  });
}
