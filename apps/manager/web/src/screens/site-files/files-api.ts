import { type FileEntry, type FileList, type FileResult } from '@dais/shared/rules';
import { ApiError } from '../../api/api-error';
import { manager } from '../../api/client';
import { formatBytes } from '../../ui/format';
import { filesUrl } from './file-paths';

export type { FileEntry, FileList };

/** The file API calls this screen makes (docs/files.md), typed by the server's own contracts. */
export const filesApi = {
  list: (siteId: number, path: string, signal?: AbortSignal): Promise<FileList> =>
    manager.get<FileList>(filesUrl(siteId, '', path), signal),
  stat: (siteId: number, path: string): Promise<FileResult> => manager.get<FileResult>(filesUrl(siteId, 'stat', path)),
  write: (siteId: number, path: string, content: string, overwrite: boolean): Promise<FileResult> =>
    manager.post<FileResult>(filesUrl(siteId, 'write'), { path, content, encoding: 'utf8', overwrite }),
  mkdir: (siteId: number, path: string): Promise<FileResult> => manager.post<FileResult>(filesUrl(siteId, 'mkdir'), { path }),
  rename: (siteId: number, from: string, to: string): Promise<FileResult> =>
    manager.post<FileResult>(filesUrl(siteId, 'rename'), { from, to, overwrite: false }),
  /** A folder is deleted with its content, which the API accepts only with `confirm` equal to its path. */
  remove: (siteId: number, path: string, isFolder: boolean): Promise<FileResult> =>
    manager.post<FileResult>(filesUrl(siteId, 'delete'), isFolder ? { path, recursive: true, confirm: path } : { path }),
};

/** A file the editor has open: its text as on disk when last read or saved. */
export interface TextFile {
  path: string;
  text: string;
}

/** Why a file is not opened in the editor; shown as the editor's message, not as a failure. */
export class NotEditable extends Error {}

/**
 * Reads a file for the editor: refused (NotEditable) when it is not a regular file, larger than
 * `maxBytes`, or not UTF-8 text (a NUL byte or an invalid sequence means binary).
 */
export async function readTextFile(siteId: number, path: string, maxBytes: number): Promise<TextFile> {
  const { entry } = await filesApi.stat(siteId, path);
  if (entry && entry.type !== 'file') throw new NotEditable('Only regular files open in the editor.');
  if (entry && entry.size > maxBytes) throw new NotEditable(tooLargeMessage(entry.size, maxBytes));
  const response = await manager.raw('GET', filesUrl(siteId, 'content', path));
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > maxBytes) throw new NotEditable(tooLargeMessage(bytes.length, maxBytes));
  if (bytes.subarray(0, 8_192).includes(0)) throw new NotEditable('This looks like a binary file; download it instead.');
  try {
    return { path, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    throw new NotEditable('This file is not UTF-8 text (binary?); download it instead.');
  }
}

function tooLargeMessage(size: number, maxBytes: number): string {
  return `This file is too large to edit here (${formatBytes(size)}; the editor opens files up to ${formatBytes(maxBytes)}). Download it instead.`;
}

/** True when the error says the entry no longer exists (deleted or renamed meanwhile). */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'FILE_NOT_FOUND';
}
