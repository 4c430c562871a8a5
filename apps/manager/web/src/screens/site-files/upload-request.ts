import type { FileFormUploadResult } from '@dais/shared/rules';
import { ApiError, apiErrorFrom } from '../../api/api-error';
import { manager } from '../../api/client';
import { filesUrl } from './file-paths';

/**
 * What a multipart body adds around a file (boundaries, part headers with the name): the whole
 * body counts against the upload limit, so a file just under it would still be refused.
 */
export function multipartOverheadBytes(fileName: string): number {
  return 512 + 3 * new TextEncoder().encode(fileName).length;
}

/**
 * Sends one file to `POST …/files/upload?path=<folder>` as a form (field `file`). XMLHttpRequest,
 * not fetch, because only it reports upload progress; the session's CSRF header comes from the
 * manager client, and a 401 signs the app out as any other request does.
 */
export function uploadFile(options: {
  siteId: number;
  folder: string;
  file: File;
  onProgress: (loaded: number, total: number) => void;
}): Promise<FileFormUploadResult> {
  const { siteId, folder, file, onProgress } = options;
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `${filesUrl(siteId, 'upload', folder)}&overwrite=true`);
    for (const [name, value] of Object.entries(manager.headersFor('POST'))) request.setRequestHeader(name, value);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    request.addEventListener('load', () => {
      const body = parseJson(request.responseText);
      if (request.status >= 200 && request.status < 300) {
        resolve(body as FileFormUploadResult);
        return;
      }
      const error = apiErrorFrom(request.status, body);
      if (request.status === 401) manager.noteUnauthenticated();
      reject(error);
    });
    request.addEventListener('error', () =>
      reject(new ApiError(0, 'NETWORK', 'The upload was cut off. Check your connection and try again.')),
    );
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
  });
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}
