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
  } catch (error) {
    const message = isDaisError(error) ? error.message : 'The file operation failed.';
    return { type: 'file-reply', id, ok: false, error: { code: sftpErrorCodeOf(error), message } };
  }
}

async function perform(folder: SiteFolder, request: FileRequest): Promise<Partial<FileReply>> {
  switch (request.op) {
    case 'stat':
      return { entry: await folder.stat(request.path, { followLinks: request.followLinks }) };
    case 'list':
      return { entries: await folder.list(request.path) };
    case 'read':
      return { data: (await folder.readRange(request.path, request.offset, request.length)).toString('base64') };
    case 'write':
      await folder.writeRange(request.path, request.offset, decodeBase64(request.data), {
        create: request.create,
        truncate: request.truncate,
      });
      return {};
    case 'open':
      return {
        entry: await folder.open(request.path, {
          create: request.create,
          truncate: request.truncate,
          exclusive: request.exclusive,
          write: request.create || request.truncate,
        }),
      };
    case 'mkdir':
      await folder.mkdir(request.path);
      return {};
    case 'rmdir':
      await folder.rmdir(request.path);
      return {};
    case 'remove':
      await folder.remove(request.path);
      return {};
    case 'rename':
      await folder.rename(request.from, request.to);
      return {};
    case 'chmod':
      await folder.chmod(request.path, request.mode);
      return {};
    case 'realpath': {
      const name = folder.realpath(request.path);
      const entry = await folder.stat(name).catch(() => null);
      return { entry: { ...(entry ?? { type: 'other', size: 0, mode: 0, mtimeMs: 0 }), name } };
    }
  }
}

function decodeBase64(data: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw new DaisError('VALIDATION_FAILED', 'File data must be base64.');
  return Buffer.from(data, 'base64');
}
