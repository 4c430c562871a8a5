import { utils, type Attributes, type FileEntry as SftpName, type SFTPWrapper } from 'ssh2';
import { fileRequestSchema, type FileEntry, type FileRequest } from '@dais/shared';
import type { FileReply, SiteChannel } from '../clients/site-channel.client';

const { OPEN_MODE, STATUS_CODE } = utils.sftp;

/** Largest piece of a read or write sent in one file request (the contract's bounds). */
const MAX_READ = 262_144;
const MAX_WRITE = 256 * 1024;

type Handle = { kind: 'file'; path: string } | { kind: 'dir'; path: string; entries: FileEntry[] | undefined };

/**
 * Serves SFTP from the site's folder: every SFTP request becomes one `file` request on the site
 * channel, where the orchestrator confines it to the folder exactly as its file API does. The
 * handles (open files and folders) live here; the orchestrator sees only paths. Requests that
 * arrive while the site channel is still opening wait for it (the client does not wait for us).
 */
export function bridgeSftp(sftp: SFTPWrapper, opening: Promise<SiteChannel>, onEnd: () => void): void {
  const handles = new Map<number, Handle>();
  let nextHandle = 1;
  const handleOf = (raw: Buffer): Handle | undefined => (raw.length === 4 ? handles.get(raw.readUInt32BE(0)) : undefined);
  const newHandle = (handle: Handle): Buffer => {
    const id = nextHandle++;
    handles.set(id, handle);
    const raw = Buffer.alloc(4);
    raw.writeUInt32BE(id, 0);
    return raw;
  };

  /** Sends a request; answers the SFTP request itself when it failed, and returns the reply only on success. */
  const ask = async (reqId: number, request: FileRequest): Promise<FileReply | undefined> => {
    // The orchestrator ignores a message its contract refuses (an overlong path…): answer here, or the client would wait forever.
    if (!fileRequestSchema.safeParse(request).success) {
      sftp.status(reqId, request.op === 'symlink' ? STATUS_CODE.PERMISSION_DENIED : STATUS_CODE.FAILURE, 'Invalid path or value');
      return undefined;
    }
    const reply = await (await opening).file(request);
    if (reply.ok) return reply;
    sftp.status(reqId, statusOf(reply.error?.code), reply.error?.message ?? 'Failed');
    return undefined;
  };
  const ok = (reqId: number) => sftp.status(reqId, STATUS_CODE.OK);
  const badHandle = (reqId: number) => sftp.status(reqId, STATUS_CODE.FAILURE, 'Unknown handle');
  const on = (event: string, handler: (reqId: number, ...args: never[]) => Promise<void>) => {
    sftp.on(event, (reqId: number, ...args: never[]) => {
      handler(reqId, ...args).catch(() => sftp.status(reqId, STATUS_CODE.FAILURE, 'Failed'));
    });
  };

  on('OPEN', async (reqId, path: string, flags: number) => {
    const create = (flags & OPEN_MODE.CREAT) !== 0;
    const truncate = (flags & OPEN_MODE.TRUNC) !== 0;
    const exclusive = (flags & OPEN_MODE.EXCL) !== 0;
    const reply = await ask(reqId, { op: 'open', path, create, truncate, exclusive });
    // The handle names the file the links led to, as a descriptor would: later reads, writes and fsetstat use it.
    if (reply) sftp.handle(reqId, newHandle({ kind: 'file', path: reply.path ?? path }));
  });
  on('READ', async (reqId, raw: Buffer, offset: number, length: number) => {
    const handle = handleOf(raw);
    if (handle?.kind !== 'file') {
      badHandle(reqId);
      return;
    }
    const reply = await ask(reqId, { op: 'read', path: handle.path, offset, length: Math.min(length, MAX_READ) });
    if (!reply) return;
    const data = Buffer.from(reply.data ?? '', 'base64');
    if (data.length === 0) sftp.status(reqId, STATUS_CODE.EOF);
    else sftp.data(reqId, data);
  });
  on('WRITE', async (reqId, raw: Buffer, offset: number, data: Buffer) => {
    const handle = handleOf(raw);
    if (handle?.kind !== 'file') {
      badHandle(reqId);
      return;
    }
    for (let start = 0; start < data.length || start === 0; start += MAX_WRITE) {
      const piece = data.subarray(start, start + MAX_WRITE).toString('base64');
      const request = { op: 'write' as const, path: handle.path, offset: offset + start, data: piece, create: false, truncate: false };
      if (!(await ask(reqId, request))) return;
      if (data.length === 0) break;
    }
    ok(reqId);
  });
  on('CLOSE', async (reqId, raw: Buffer) => {
    if (!handleOf(raw)) {
      badHandle(reqId);
      return;
    }
    handles.delete(raw.readUInt32BE(0));
    ok(reqId);
    return Promise.resolve();
  });
  const stat = async (reqId: number, path: string, followLinks: boolean) => {
    const reply = await ask(reqId, { op: 'stat', path, followLinks });
    if (reply?.entry) sftp.attrs(reqId, attributesOf(reply.entry));
  };
  on('STAT', (reqId, path: string) => stat(reqId, path, true));
  on('LSTAT', (reqId, path: string) => stat(reqId, path, false));
  on('FSTAT', async (reqId, raw: Buffer) => {
    const handle = handleOf(raw);
    if (!handle) {
      badHandle(reqId);
      return;
    }
    await stat(reqId, handle.path, true);
  });
  on('OPENDIR', async (reqId, path: string) => {
    const reply = await ask(reqId, { op: 'list', path });
    if (reply) sftp.handle(reqId, newHandle({ kind: 'dir', path, entries: reply.entries ?? [] }));
  });
  on('READDIR', async (reqId, raw: Buffer) => {
    const handle = handleOf(raw);
    if (handle?.kind !== 'dir') {
      badHandle(reqId);
      return;
    }
    if (!handle.entries) {
      sftp.status(reqId, STATUS_CODE.EOF);
      return;
    }
    sftp.name(reqId, handle.entries.map(nameOf));
    handle.entries = undefined; // Everything went in one answer; the next READDIR is the end.
    return Promise.resolve();
  });
  /** Requests whose only answer is OK or the error. */
  const simply = async (reqId: number, request: FileRequest) => {
    if (await ask(reqId, request)) ok(reqId);
  };
  on('MKDIR', (reqId, path: string) => simply(reqId, { op: 'mkdir', path }));
  on('RMDIR', (reqId, path: string) => simply(reqId, { op: 'rmdir', path }));
  on('REMOVE', (reqId, path: string) => simply(reqId, { op: 'remove', path }));
  on('RENAME', (reqId, from: string, to: string) => simply(reqId, { op: 'rename', from, to }));
  /** Applies size, then permissions, then times (OpenSSH's order); owners are the container's business. */
  const setstat = async (reqId: number, path: string, attrs: Attributes) => {
    if (typeof attrs.size === 'number' && !(await ask(reqId, { op: 'truncate', path, size: attrs.size }))) return;
    if (typeof attrs.mode === 'number' && !(await ask(reqId, { op: 'chmod', path, mode: attrs.mode & 0o7777 }))) return;
    // SFTP v3 carries the two times together (one flag), so ssh2 gives both or neither.
    if (typeof attrs.atime === 'number' && typeof attrs.mtime === 'number') {
      if (!(await ask(reqId, { op: 'utimes', path, atime: attrs.atime, mtime: attrs.mtime }))) return;
    }
    ok(reqId);
  };
  on('SETSTAT', (reqId, path: string, attrs: Attributes) => setstat(reqId, path, attrs));
  on('FSETSTAT', async (reqId, raw: Buffer, attrs: Attributes) => {
    const handle = handleOf(raw);
    if (!handle) {
      badHandle(reqId);
      return;
    }
    await setstat(reqId, handle.path, attrs);
  });
  on('REALPATH', async (reqId, path: string) => {
    const reply = await ask(reqId, { op: 'realpath', path });
    if (reply?.entry) sftp.name(reqId, [{ ...nameOf(reply.entry), filename: reply.entry.name }]);
  });
  on('READLINK', async (reqId, path: string) => {
    const reply = await ask(reqId, { op: 'readlink', path });
    // The text alone, with no attributes, as OpenSSH's server answers.
    if (reply) sftp.name(reqId, [{ filename: reply.target ?? '', longname: reply.target ?? '', attrs: {} as Attributes }]);
  });
  // ssh2 gives (link, target) whatever the client: it knows OpenSSH clients by their version line and
  // undoes their historical order (target first on the wire); `sftp`'s `symlink`/`ln -s` are tested.
  on('SYMLINK', (reqId, linkPath: string, targetPath: string) => simply(reqId, { op: 'symlink', path: linkPath, target: targetPath }));
  // The client sends EOF when it is done (end of an `sftp -b` batch, `bye`): close our side too.
  sftp.once('end', () => sftp.end());
  sftp.once('close', () => {
    opening.then(
      (site) => {
        site.close();
        onEnd();
      },
      () => undefined,
    );
  });
}

/** SFTP status for the orchestrator's file error codes (anything else is a plain failure with its message). */
function statusOf(code: string | undefined): number {
  if (code === 'NOT_FOUND') return STATUS_CODE.NO_SUCH_FILE;
  if (code === 'FORBIDDEN') return STATUS_CODE.PERMISSION_DENIED;
  return STATUS_CODE.FAILURE;
}

const TYPE_BITS: Record<FileEntry['type'], number> = { file: 0o100000, directory: 0o040000, symlink: 0o120000, other: 0 };

function attributesOf(entry: FileEntry): Attributes {
  const seconds = Math.floor(entry.mtimeMs / 1000);
  return { mode: TYPE_BITS[entry.type] | (entry.mode & 0o7777), uid: 0, gid: 0, size: entry.size, atime: seconds, mtime: seconds };
}

function nameOf(entry: FileEntry): SftpName {
  const attrs = attributesOf(entry);
  const kind = entry.type === 'directory' ? 'd' : entry.type === 'symlink' ? 'l' : '-';
  const perms = [6, 3, 0].map((shift) => {
    const bits = (entry.mode >> shift) & 7;
    return `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${bits & 1 ? 'x' : '-'}`;
  });
  const date = new Date(entry.mtimeMs).toISOString().slice(0, 16).replace('T', ' ');
  return {
    filename: entry.name,
    longname: `${kind}${perms.join('')} 1 site site ${String(entry.size).padStart(8)} ${date} ${entry.name}`,
    attrs,
  };
}
