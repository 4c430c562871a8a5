import { DaisError, isDaisError, type ErrorCode } from '@dais/shared';

/** The error codes an SFTP reply carries (see `terminalServerMessageSchema`'s `file-reply`). */
export type SftpErrorCode = 'NOT_FOUND' | 'FORBIDDEN' | 'EXISTS' | 'NOT_EMPTY' | 'INVALID' | 'FAILED';

/**
 * Turns a failed system call on a site path into a coded error that names the path as the client
 * gave it. ELOOP is what O_NOFOLLOW answers on a symbolic link: the walk refused to follow one.
 */
export function fileSystemError(error: unknown, path: string, action: string): DaisError {
  if (isDaisError(error)) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const at = JSON.stringify(path);
  switch (code) {
    case 'ENOENT':
      return new DaisError('FILE_NOT_FOUND', `${at} does not exist.`);
    case 'ELOOP':
    case 'EMLINK':
      return new DaisError('PATH_FORBIDDEN', `${at} is or goes through a symbolic link, which the file API does not follow.`);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new DaisError('PATH_FORBIDDEN', `Not allowed to ${action} ${at}.`);
    case 'EEXIST':
      return new DaisError('FILE_EXISTS', `${at} already exists.`);
    case 'ENOTEMPTY':
      return new DaisError('DIRECTORY_NOT_EMPTY', `${at} is a folder that is not empty.`);
    case 'ENOTDIR':
      return new DaisError('NOT_A_DIRECTORY', `${at} (or a folder on its way) is not a folder.`);
    case 'EISDIR':
      return new DaisError('IS_A_DIRECTORY', `${at} is a folder.`);
    case 'ENAMETOOLONG':
      return new DaisError('PATH_INVALID', `${at} is too long.`);
    case 'EINVAL':
      return new DaisError('PATH_INVALID', `Cannot ${action} ${at} that way (a folder into itself?).`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new DaisError(
        'SITE_DISK_FULL',
        `The site's disk is full: could not ${action} ${at}. Delete files the site no longer needs, or ask an admin to raise its disk limit.`,
      );
    case 'ENXIO':
      return new DaisError('PATH_FORBIDDEN', `${at} is not a regular file.`);
    case undefined:
    default:
      return new DaisError('FILESYSTEM_ERROR', `Could not ${action} ${at} (${code ?? 'unknown error'}).`, undefined, { cause: error });
  }
}

/**
 * Names the site's disk limit in a SITE_DISK_FULL error (the file walk that raised it does not
 * know it); `details.limitMb` carries it for clients.
 */
export function explainDiskFull(error: unknown, limitMb: number | null): unknown {
  if (!isDaisError(error, 'SITE_DISK_FULL') || limitMb === null) return error;
  return new DaisError(
    'SITE_DISK_FULL',
    error.message.replace("The site's disk is full", `The site's disk is full (its limit is ${limitMb} MiB)`),
    { limitMb },
  );
}

const SFTP_CODES: Partial<Record<ErrorCode, SftpErrorCode>> = {
  FILE_NOT_FOUND: 'NOT_FOUND',
  PATH_FORBIDDEN: 'FORBIDDEN',
  FILE_EXISTS: 'EXISTS',
  DIRECTORY_NOT_EMPTY: 'NOT_EMPTY',
  PATH_INVALID: 'INVALID',
  VALIDATION_FAILED: 'INVALID',
  NOT_A_DIRECTORY: 'INVALID',
  IS_A_DIRECTORY: 'INVALID',
  FILE_TOO_LARGE: 'FAILED',
};

/** The SFTP-meaningful code for any error a {@link SiteFolder} throws (anything unexpected is `FAILED`). */
export function sftpErrorCodeOf(error: unknown): SftpErrorCode {
  return (isDaisError(error) ? SFTP_CODES[error.code] : undefined) ?? 'FAILED';
}
