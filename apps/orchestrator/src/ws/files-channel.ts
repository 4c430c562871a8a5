import { watch, type FSWatcher } from 'node:fs';
import type { WebSocket } from 'ws';
import type { SiteFolder } from '../files';
import { sendMessage } from './ws-frames';

/**
 * Reports what is added, changed or removed in one folder of a site (not its subfolders). The
 * folder is checked and opened through {@link SiteFolder} (confined, no link followed) and watched
 * through that open descriptor, so a folder renamed or swapped for a link later cannot redirect
 * the watch outside the site.
 */
export async function runFilesChannel(ws: WebSocket, folder: SiteFolder, path: string): Promise<void> {
  const shown = folder.realpath(path);
  const dir = await folder.watchableDir(path);
  let watcher: FSWatcher;
  try {
    watcher = watch(dir.path, { persistent: false });
  } finally {
    await dir.close();
  }
  const report = async (name: string): Promise<void> => {
    const entryPath = shown === '/' ? `/${name}` : `${shown}/${name}`;
    const exists = await folder.stat(entryPath).then(
      () => true,
      () => false,
    );
    sendMessage(ws, { type: 'file-event', event: exists ? 'add' : 'remove', path: entryPath });
  };
  watcher.on('change', (eventType, filename) => {
    if (typeof filename !== 'string' || filename.length === 0) return;
    const entryPath = shown === '/' ? `/${filename}` : `${shown}/${filename}`;
    if (eventType === 'change') sendMessage(ws, { type: 'file-event', event: 'change', path: entryPath });
    else void report(filename);
  });
  watcher.on('error', () => ws.close(1000));
  ws.once('close', () => watcher.close());
  sendMessage(ws, { type: 'ready' });
}
