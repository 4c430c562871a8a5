import { DaisError } from '@dais/shared';
import { UPLOAD_TEMP_PREFIX } from './file-transfer';
import { parseSitePath } from './site-path';

/**
 * Checks the file name a multipart part carries (a hostile input: the client chooses it) and
 * returns it unchanged: one name, stored as sent, or a PATH_INVALID refusal. Unlike a path, it
 * may not contain `/`, be `.` or `..`, or be empty; the character and length rules are those of
 * every path (no NUL or control characters, no backslash, valid Unicode, at most 255 bytes). A
 * name shaped like an upload's temporary file is refused too, so a part can never land on one.
 */
export function checkUploadName(filename: string): string {
  const shown = JSON.stringify(filename);
  if (filename === '') throw new DaisError('PATH_INVALID', 'Every file part needs a file name.');
  if (filename.includes('/')) throw new DaisError('PATH_INVALID', `The file name ${shown} contains "/"; send one name, not a path.`);
  if (filename === '.' || filename === '..') throw new DaisError('PATH_INVALID', `${shown} is not a file name.`);
  // One name without "/" or dots parses to itself; parseSitePath then applies the shared rules.
  parseSitePath(filename);
  if (filename.startsWith(UPLOAD_TEMP_PREFIX)) {
    throw new DaisError(
      'PATH_INVALID',
      `File names starting with ${JSON.stringify(UPLOAD_TEMP_PREFIX)} are reserved for uploads in progress.`,
    );
  }
  return filename;
}
