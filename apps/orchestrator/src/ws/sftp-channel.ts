import type { WebSocket } from 'ws';
import { DaisError, isDaisError, type FileRequest, type TerminalServerMessage } from '@dais/shared';
import { sftpErrorCodeOf, type SiteFolder } from '../files';
import type { SessionLimits } from './process-channel';
import { closeWithError, readClientFrame, sendMessage } from './ws-frames';

type FileReply = Extract<TerminalServerMessage, { type: 'file-reply' }>;

/**
 * Serves an SFTP session's file requests on the site's folder, one at a time in arrival order
 * (writes at different offsets of one file must not overtake each other). Every path goes through
 * {@link SiteFolder}, so SFTP is confined exactly like the file API.
 */
export function runSftpChannel(ws: WebSocket, folder: SiteFolder, limits: SessionLimits): void {
  let queue = Promise.resolve();
  const timeout = (message: string) => closeWithError(ws, 'SESSION_TIMED_OUT', message);
  let idle = setTimeout(() => timeout('The session was idle for too long.'), limits.idleTimeoutMs);
  const lifetime = setTimeout(() => timeout('The session reached its maximum lifetime.'), limits.maxLifetimeMs);
  ws.once('close', () => {
    clearTimeout(idle);
    clearTimeout(lifetime);
  });
  ws.on('message', (data, isBinary) => {
    clearTimeout(idle);
    idle = setTimeout(() => timeout('The session was idle for too long.'), limits.idleTimeoutMs);
    const frame = readClientFrame(data, isBinary);
    if (frame.kind !== 'message') return;
    const message = frame.message;
    if (message.type === 'ping') sendMessage(ws, { type: 'pong' });
    if (message.type !== 'file') return;
    queue = queue.then(async () => sendMessage(ws, await answer(folder, message.id, message.request)));
  });
  sendMessage(ws, { type: 'ready' });
}

async function answer(folder: SiteFolder, id: number, request: FileRequest): Promise<FileReply> {
  try {
    return { type: 'file-reply', id, ok: true, ...(await perform(folder, request)) };
  } catch (caught) {
    const error = folder.explain(caught);
    const message = isDaisError(error) ? error.message : 'The file operation failed.';
    return { type: 'file-reply', id, ok: false, error: { code: sftpErrorCodeOf(error), message } };
  }
}

/**
 * Performs one request. Links on the way are resolved inside the folder first, as SFTP clients
 * expect (see {@link SiteFolder.resolve}); the last name's link too for the operations POSIX lets
 * follow it (stat, opendir, open, realpath), never for those that act on the name itself. `read`
 * and `write` name an open handle, whose path `open` already resolved.
 */
async function perform(folder: SiteFolder, request: FileRequest): Promise<Partial<FileReply>> {
  const followed = (path: string) => folder.resolve(path, { followFinal: true });
  const named = (path: string) => folder.resolve(path, { followFinal: false });
  switch (request.op) {
    case 'stat':
      return { entry: await folder.stat(request.followLinks ? await followed(request.path) : await named(request.path)) };
    case 'list':
      return { entries: await folder.list(await followed(request.path)) };
    case 'read':
      return { data: (await folder.readRange(request.path, request.offset, request.length)).toString('base64') };
    case 'write':
      await folder.writeRange(request.path, request.offset, decodeBase64(request.data), {
        create: request.create,
        truncate: request.truncate,
      });
      return {};
    case 'open': {
      const path = await followed(request.path);
      const { create, truncate, exclusive } = request;
      return { path, entry: await folder.open(path, { create, truncate, exclusive, write: create || truncate }) };
    }
    case 'mkdir':
      await folder.mkdir(await named(request.path));
      return {};
    case 'rmdir':
      await folder.rmdir(await named(request.path));
      return {};
    case 'remove':
      await folder.remove(await named(request.path));
      return {};
    case 'rename':
      await folder.rename(await named(request.from), await named(request.to));
      return {};
    case 'chmod':
      await folder.chmod(await named(request.path), request.mode);
      return {};
    case 'truncate':
      await folder.truncate(await named(request.path), request.size);
      return {};
    case 'utimes':
      await folder.utimes(await named(request.path), request.atime, request.mtime);
      return {};
    case 'readlink':
      return { target: await folder.readlink(await named(request.path)) };
    case 'symlink':
      await folder.symlink(await named(request.path), request.target);
      return {};
    case 'realpath': {
      // Where links lead when they may be followed; the lexical path otherwise (a client's `cd` then fails on use).
      const name = await followed(request.path).catch(() => folder.realpath(request.path));
      const entry = await folder.stat(name).catch(() => null);
      return { entry: { ...(entry ?? { type: 'other', size: 0, mode: 0, mtimeMs: 0 }), name } };
    }
  }
}

function decodeBase64(data: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw new DaisError('VALIDATION_FAILED', 'File data must be base64.');
  return Buffer.from(data, 'base64');
}
