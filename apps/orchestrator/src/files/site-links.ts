import { constants } from 'node:fs';
import { lchown, lstat, open, readlink, symlink, type FileHandle } from 'node:fs/promises';
import { DaisError, isDaisError } from '@dais/shared';
import { atPath, lstatAt, withParent } from './confined-walk';
import { fileSystemError } from './file-errors';
import { formatSitePath, MAX_PATH_BYTES, parseSitePath } from './site-path';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = constants;

/** Most links one lookup follows, as Linux's own limit (beyond it: a loop). */
export const MAX_LINK_HOPS = 40;

/**
 * The names, from the site folder, that a link's text leads to, or PATH_FORBIDDEN when Dais will
 * neither make nor follow such a link. Only relative text counts: an absolute target means one
 * file on the host and another in the container (where the folder is mounted elsewhere). `..`
 * may only open the text: the link's own folder was reached without following any link, so
 * climbing from it lexically is exactly what the kernel does, while `name/..` would climb from
 * wherever `name` leads if it is a link. The text is then read with the path rules of the file
 * API (no NUL or control characters, no backslash, names of at most 255 bytes, never above the
 * site folder). Everything refused is refused as forbidden: an SFTP client hears "permission
 * denied" whatever the trick.
 */
export function linkTargetNames(linkDirNames: readonly string[], target: string): string[] {
  const refuse = (why: string) => new DaisError('PATH_FORBIDDEN', `The link target ${why}`);
  if (typeof target !== 'string' || target === '') throw refuse('is empty.');
  // A link's text is at most PATH_MAX - 1 bytes (the kernel's own bound).
  if (Buffer.byteLength(target, 'utf8') >= MAX_PATH_BYTES) throw refuse(`is longer than ${MAX_PATH_BYTES - 1} bytes.`);
  if (target.startsWith('/')) throw refuse('is absolute; only a relative target inside the site folder is allowed.');
  const steps = target.split('/').filter((name) => name !== '' && name !== '.');
  const firstName = steps.findIndex((name) => name !== '..');
  if (firstName >= 0 && steps.indexOf('..', firstName) >= 0) throw refuse('climbs with .. after a name; put every .. at its start.');
  try {
    return parseSitePath(`${formatSitePath(linkDirNames)}/${target}`);
  } catch (error) {
    throw refuse(`is refused: ${isDaisError(error) ? error.message : 'it is not a valid path.'}`);
  }
}

type WalkStep = { done: true; names: string[] } | { done: false; pending: string[] };

/**
 * Resolves the links on a path the way SFTP's stat/open expect, inside the site folder only: every
 * link met (the last name too with `followFinal`) must have a target {@link linkTargetNames}
 * accepts, or the whole lookup is PATH_FORBIDDEN. Returns link-free names for the confined walk,
 * which then refuses any link swapped in meanwhile (so a race can fail a request, never escape).
 * A name that does not exist ends the resolution: the operation that follows reports it.
 */
export async function resolveLinks(root: string, names: readonly string[], shownPath: string, followFinal: boolean): Promise<string[]> {
  let pending = [...names];
  for (let hops = 0; ; hops += 1) {
    const step = await walkUntilLink(root, pending, shownPath, followFinal);
    if (step.done) return step.names;
    if (hops >= MAX_LINK_HOPS) throw new DaisError('PATH_FORBIDDEN', `${JSON.stringify(shownPath)} goes through too many symbolic links.`);
    pending = step.pending;
  }
}

/** One pass from the site folder: the link-free names, or the path to restart from after the first link met. */
async function walkUntilLink(root: string, pending: readonly string[], shownPath: string, followFinal: boolean): Promise<WalkStep> {
  const reached: string[] = [];
  let dir: FileHandle = await openFolder(root, '/');
  try {
    for (const [index, name] of pending.entries()) {
      const last = index === pending.length - 1;
      const stats = await lstat(atPath(dir, name)).catch(() => null);
      if (!stats) return { done: true, names: [...reached, ...pending.slice(index)] };
      if (stats.isSymbolicLink() && (followFinal || !last)) {
        const text = await readlink(atPath(dir, name));
        const target = followedTarget(reached, text, shownPath);
        return { done: false, pending: [...target, ...pending.slice(index + 1)] };
      }
      if (last || !stats.isDirectory()) return { done: true, names: [...reached, ...pending.slice(index)] };
      const next = await openFolder(atPath(dir, name), shownPath);
      await dir.close();
      dir = next;
      reached.push(name);
    }
    return { done: true, names: reached };
  } finally {
    await dir.close();
  }
}

function followedTarget(linkDirNames: readonly string[], text: string, shownPath: string): string[] {
  try {
    return linkTargetNames(linkDirNames, text);
  } catch {
    throw new DaisError(
      'PATH_FORBIDDEN',
      `${JSON.stringify(shownPath)} goes through a symbolic link that is absolute or leads outside the site folder, which is never followed.`,
    );
  }
}

function openFolder(path: string, shownPath: string): Promise<FileHandle> {
  return open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK).catch((error: unknown) => {
    throw fileSystemError(error, shownPath, 'open');
  });
}

/** The text of the link `names` names (the link itself: readlink never follows the last name). */
export function readLinkText(root: string, names: readonly string[], shownPath: string): Promise<string> {
  return withParent(root, names, shownPath, async (parent, name) => {
    const stats = await lstatAt(parent, name, shownPath);
    if (!stats.isSymbolicLink()) throw new DaisError('PATH_INVALID', `${JSON.stringify(shownPath)} is not a symbolic link.`);
    return readlink(atPath(parent, name)).catch((error: unknown) => {
      throw fileSystemError(error, shownPath, 'read the link');
    });
  });
}

/**
 * Makes the link `names` → `target`, owned by the site's user. The target must pass
 * {@link linkTargetNames} from the link's folder, and every link already on the target's way must
 * be one Dais would follow, so the new link never leads outside through an older one.
 */
export async function makeLink(
  root: string,
  owner: { uid: number; gid: number } | null,
  names: readonly string[],
  target: string,
): Promise<void> {
  const shown = formatSitePath(names);
  const targetNames = linkTargetNames(names.slice(0, -1), target);
  await resolveLinks(root, targetNames, formatSitePath(targetNames), true);
  await withParent(root, names, shown, async (parent, name) => {
    try {
      // symlink(2) never follows the name it creates: an existing entry, link or not, is EEXIST.
      await symlink(target, atPath(parent, name));
      // lchown: the link's own owner (nginx serves a link only when it and its target share one).
      if (owner) await lchown(atPath(parent, name), owner.uid, owner.gid);
    } catch (error) {
      throw fileSystemError(error, shown, 'create the link');
    }
  });
}
