import { constants, type Stats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { DaisError } from '@dais/shared';
import { fileSystemError } from './file-errors';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = constants;
/** Opens a folder without following a symbolic link, and never blocks on a FIFO. */
const OPEN_DIRECTORY = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK;

/**
 * Node has no openat(2). A path through `/proc/self/fd/<fd>/` starts at the folder an open
 * descriptor holds, whatever has been renamed or swapped since, so opening one name at a time
 * from there, each with O_NOFOLLOW, is openat(fd, name, O_NOFOLLOW): no symbolic link is ever
 * followed and a swapped folder cannot redirect the walk.
 */
export function atPath(dir: FileHandle, name?: string): string {
  return name === undefined ? `/proc/self/fd/${dir.fd}` : `/proc/self/fd/${dir.fd}/${name}`;
}

/** Opens a folder named by `names` under `root` (an absolute path Dais controls), one name at a time. */
export async function openDirectory(root: string, names: readonly string[], shownPath: string): Promise<FileHandle> {
  let dir = await open(root, OPEN_DIRECTORY).catch((error: unknown) => {
    throw fileSystemError(error, '/', 'open the site folder');
  });
  for (const name of names) {
    try {
      const next = await open(atPath(dir, name), OPEN_DIRECTORY);
      await dir.close();
      dir = next;
    } catch (error) {
      const refused = await throughLink(dir, name, error, shownPath);
      await dir.close();
      throw refused;
    }
  }
  return dir;
}

/** O_DIRECTORY | O_NOFOLLOW answers ENOTDIR on a link: say it was refused for being a link. */
async function throughLink(dir: FileHandle, name: string, error: unknown, shownPath: string): Promise<DaisError> {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOTDIR' && (await lstat(atPath(dir, name)).catch(() => null))?.isSymbolicLink()) {
    return new DaisError(
      'PATH_FORBIDDEN',
      `${JSON.stringify(shownPath)} goes through a symbolic link, which the file API does not follow.`,
    );
  }
  return fileSystemError(error, shownPath, 'open');
}

/** Runs `use` with the folder holding the last name of `names`, closing it afterwards. */
export async function withParent<T>(
  root: string,
  names: readonly string[],
  shownPath: string,
  use: (parent: FileHandle, name: string) => Promise<T>,
): Promise<T> {
  const name = names.at(-1);
  if (name === undefined) throw new DaisError('PATH_INVALID', 'The site folder itself cannot be used that way.');
  const parent = await openDirectory(root, names.slice(0, -1), shownPath);
  try {
    return await use(parent, name);
  } finally {
    await parent.close();
  }
}

/** Runs `use` with the folder `names` names, closing it afterwards. */
export async function withDirectory<T>(
  root: string,
  names: readonly string[],
  shownPath: string,
  use: (dir: FileHandle) => Promise<T>,
): Promise<T> {
  const dir = await openDirectory(root, names, shownPath);
  try {
    return await use(dir);
  } finally {
    await dir.close();
  }
}

/** lstat of one name in an open folder (the name itself, never what a link points to). */
export function lstatAt(dir: FileHandle, name: string, shownPath: string): Promise<Stats> {
  return lstat(atPath(dir, name)).catch((error: unknown) => {
    throw fileSystemError(error, shownPath, 'inspect');
  });
}

/**
 * Refuses what the file API must not read or write through: anything but a regular file, and a
 * regular file with more than one link (it may be a hardlink to a file outside the site folder;
 * checked on the open descriptor, so it is the very file that will be used).
 */
export function assertPlainFile(stats: Stats, shownPath: string): void {
  if (stats.isDirectory()) throw new DaisError('IS_A_DIRECTORY', `${JSON.stringify(shownPath)} is a folder.`);
  if (!stats.isFile()) throw new DaisError('PATH_FORBIDDEN', `${JSON.stringify(shownPath)} is not a regular file.`);
  if (stats.nlink > 1) {
    throw new DaisError(
      'PATH_FORBIDDEN',
      `${JSON.stringify(shownPath)} has ${stats.nlink} hard links; the file API only uses files with one, so a link to a file outside the site folder cannot be reached.`,
    );
  }
}

/**
 * Runs `use` on a descriptor of the entry `name` in `dir`, for changes made through it (mode,
 * times): a folder or a plain file, never a link (refused, its target is changed on the target
 * itself). Opened with O_NOFOLLOW and checked to be the very entry lstat saw, so an entry swapped
 * between the check and the open is refused rather than changed.
 */
export async function withEntryHandle<T>(
  dir: FileHandle,
  name: string,
  shownPath: string,
  use: (handle: FileHandle) => Promise<T>,
): Promise<T> {
  const stats = await lstatAt(dir, name, shownPath);
  if (stats.isSymbolicLink()) {
    throw new DaisError('PATH_FORBIDDEN', `${JSON.stringify(shownPath)} is a symbolic link; change the file it points to instead.`);
  }
  if (!stats.isDirectory()) assertPlainFile(stats, shownPath);
  const handle = await open(atPath(dir, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  try {
    const opened = await handle.stat();
    if (opened.ino !== stats.ino || opened.dev !== stats.dev)
      throw new DaisError('PATH_FORBIDDEN', `${JSON.stringify(shownPath)} changed meanwhile; try again.`);
    if (!opened.isDirectory()) assertPlainFile(opened, shownPath);
    return await use(handle);
  } finally {
    await handle.close();
  }
}
