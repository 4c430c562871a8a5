import { DaisError } from '@dais/shared';

/** Longest path a client may name (bytes of UTF-8), as Linux's PATH_MAX. */
export const MAX_PATH_BYTES = 4_096;
/** Longest single name (bytes of UTF-8), as Linux's NAME_MAX. */
export const MAX_NAME_BYTES = 255;

/** Control characters (C0, DEL, C1): never part of a name the API accepts or creates. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** Half of a UTF-16 surrogate pair: cannot be written as UTF-8, so no file can have such a name. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Turns a client's path into the names to walk from the site folder, lexically: the site folder
 * is the root (`/` and `` name it, so `/public/a` and `public/a` are the same file, as in a chroot),
 * `.` is skipped and `..` steps back one name. The walk never follows a symbolic link, so reading
 * `..` lexically is the only interpretation that exists. Throws PATH_INVALID for NUL, control
 * characters, backslashes and overlong input, and PATH_FORBIDDEN for `..` above the site folder.
 */
export function parseSitePath(input: string): string[] {
  if (typeof input !== 'string') throw new DaisError('PATH_INVALID', 'A path must be a string.');
  if (Buffer.byteLength(input, 'utf8') > MAX_PATH_BYTES) {
    throw new DaisError('PATH_INVALID', `A path may be at most ${MAX_PATH_BYTES} bytes long.`);
  }
  if (CONTROL_CHARACTERS.test(input)) {
    throw new DaisError('PATH_INVALID', 'A path may not contain NUL or other control characters.');
  }
  if (input.includes('\\')) throw new DaisError('PATH_INVALID', 'A path may not contain a backslash; separate names with /.');
  if (LONE_SURROGATE.test(input)) throw new DaisError('PATH_INVALID', 'A path must be valid Unicode.');
  const names: string[] = [];
  for (const name of input.split('/')) {
    if (name === '' || name === '.') continue;
    if (name === '..') {
      if (names.pop() === undefined) throw new DaisError('PATH_FORBIDDEN', 'The path leads outside the site folder.');
      continue;
    }
    if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
      throw new DaisError('PATH_INVALID', `A file name may be at most ${MAX_NAME_BYTES} bytes long.`);
    }
    names.push(name);
  }
  return names;
}

/** The canonical site-relative form of parsed names: `/` for the site folder, `/a/b` otherwise. */
export function formatSitePath(names: readonly string[]): string {
  return `/${names.join('/')}`;
}

/** Parses then formats: the normalised site-relative path a client's input names. */
export function normalizeSitePath(input: string): string {
  return formatSitePath(parseSitePath(input));
}

/** Checks a name the API is about to create (the last name of a path): not empty, not `.`/`..`. */
export function assertCreatableName(names: readonly string[]): string {
  const name = names.at(-1);
  if (name === undefined) throw new DaisError('PATH_INVALID', 'The site folder itself cannot be created, replaced or removed.');
  return name;
}
