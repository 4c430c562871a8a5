import { useCallback, useRef, useState } from 'react';
import { asApiError } from '../../api/api-error';
import { formatBytes } from '../../ui/format';
import { entryNameProblem } from './file-paths';
import { multipartOverheadBytes, uploadFile } from './upload-request';

export interface UploadItem {
  id: number;
  name: string;
  folder: string;
  size: number;
  state: 'refused' | 'waiting' | 'sending' | 'done' | 'failed';
  loaded: number;
  message: string | null;
}

export interface Uploads {
  items: readonly UploadItem[];
  /** Queues files for `folder`; files the server would refuse (too large, bad name) are refused here, unsent. */
  add: (files: readonly File[], folder: string) => void;
  clearFinished: () => void;
}

/**
 * The upload queue: one request per file, one at a time, so each file has its own progress bar
 * and its own outcome. `limitBytes` (from /api/platform) refuses oversized files before sending.
 */
export function useUploads(siteId: number, limitBytes: number | null, onStored: (folder: string) => void): Uploads {
  const [items, setItems] = useState<UploadItem[]>([]);
  const queue = useRef<{ id: number; file: File; folder: string }[]>([]);
  const running = useRef(false);
  const nextId = useRef(1);
  const onStoredRef = useRef(onStored);
  onStoredRef.current = onStored;

  const update = useCallback((id: number, change: Partial<UploadItem>) => {
    setItems((current) => current.map((item) => (item.id === id ? { ...item, ...change } : item)));
  }, []);

  const drain = useCallback(async () => {
    if (running.current) return;
    running.current = true;
    for (let next = queue.current.shift(); next; next = queue.current.shift()) {
      const { id, file, folder } = next;
      update(id, { state: 'sending' });
      try {
        await uploadFile({ siteId, folder, file, onProgress: (loaded) => update(id, { loaded: Math.min(loaded, file.size) }) });
        update(id, { state: 'done', loaded: file.size });
        onStoredRef.current(folder);
      } catch (error) {
        update(id, { state: 'failed', message: asApiError(error).message });
      }
    }
    running.current = false;
  }, [siteId, update]);

  const add = useCallback(
    (files: readonly File[], folder: string) => {
      const added = files.map((file): UploadItem => {
        const id = nextId.current++;
        const problem = refusalOf(file, limitBytes);
        if (!problem) queue.current.push({ id, file, folder });
        return {
          id,
          name: file.name,
          folder,
          size: file.size,
          state: problem ? 'refused' : 'waiting',
          loaded: 0,
          message: problem,
        };
      });
      setItems((current) => [...current, ...added]);
      void drain();
    },
    [limitBytes, drain],
  );

  const clearFinished = useCallback(() => {
    setItems((current) => current.filter((item) => item.state === 'waiting' || item.state === 'sending'));
  }, []);

  return { items, add, clearFinished };
}

function refusalOf(file: File, limitBytes: number | null): string | null {
  const nameProblem = entryNameProblem(file.name);
  if (nameProblem) return nameProblem;
  if (limitBytes !== null && file.size + multipartOverheadBytes(file.name) > limitBytes) {
    return `Too large (${formatBytes(file.size)}): the upload limit is ${formatBytes(limitBytes)}. Not sent.`;
  }
  return null;
}
