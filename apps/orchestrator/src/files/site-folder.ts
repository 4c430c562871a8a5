import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, rmdir, unlink, lchown, type FileHandle } from 'node:fs/promises';
import { DaisError, type FileEntry } from '@dais/shared';
import { assertPlainFile, atPath, lstatAt, openDirectory, withDirectory, withEntryHandle, withParent } from './confined-walk';
import { entryOf } from './file-entry';
import { explainDiskFull, fileSystemError } from './file-errors';
import { removeTree } from './remove-tree';
import { makeLink, readLinkText, resolveLinks } from './site-links';
import { formatSitePath, parseSitePath } from './site-path';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = constants;

/** The uid/gid files created through the API belong to (the site's own user); null keeps the creator (not root). */
export type FolderOwner = { uid: number; gid: number } | null;

/** Settings of a {@link SiteFolder}. */
export interface SiteFolderOptions {
  /** Absolute path of the site folder (Dais controls every name above it). */
  root: string;
  owner: FolderOwner;
  /** Most entries `list` returns (the first ones by name). */
  maxListEntries?: number;
  /** The site's disk limit in MiB, named when a write finds the disk full (null: not known here). */
  diskLimitMb?: number | null;
}

/** How {@link SiteFolder.open} and {@link SiteFolder.writeRange} treat the file. */
export interface OpenFlags {
  /** Make the file when missing. */
  create?: boolean;
  /** Empty the file first. */
  truncate?: boolean;
  /** With `create`: fail with FILE_EXISTS if the file exists. */
  exclusive?: boolean;
}

/** A folder to hand to `fs.watch`: `path` stays the checked folder while the handle is open. */
export interface WatchableDir {
  /** `/proc/self/fd/<n>`: names exactly the folder that was checked, whatever is renamed later. */
  path: string;
  close(): Promise<void>;
}

/**
 * Every file operation on one site's folder, confined to it whatever the input: paths are parsed
 * lexically (`..` never climbs above the folder), every name is opened from its parent's
 * descriptor with O_NOFOLLOW (no symbolic link is ever followed, a swap between check and use
 * meets ELOOP), files with more than one hard link are neither read nor written, and chmod keeps
 * setuid/setgid/sticky bits out. Symbolic links inside the folder are listed (type `symlink`),
 * read (their text), made (relative targets inside only), removed and renamed as names, never
 * read, written, chmodded or truncated through; only {@link resolve} follows links, for SFTP.
 */
export class SiteFolder {
  readonly root: string;
  readonly owner: FolderOwner;
  readonly maxListEntries: number;
  readonly diskLimitMb: number | null;

  constructor(options: SiteFolderOptions) {
    this.root = options.root;
    this.owner = options.owner;
    this.maxListEntries = options.maxListEntries ?? 10_000;
    this.diskLimitMb = options.diskLimitMb ?? null;
  }

  /** A disk-full error told with this site's limit and what to do; any other error as it is. */
  explain(error: unknown): unknown {
    return explainDiskFull(error, this.diskLimitMb);
  }

  /** The normalised site-relative form of a path (`/` is the site folder); does not touch the disk. */
  realpath(path: string): string {
    return formatSitePath(parseSitePath(path));
  }

  /**
   * The path with the symbolic links on its way resolved inside the folder (the last name's too
   * with `followFinal`), for SFTP, whose clients expect links to work as in a chroot. Only links
   * with a relative target that stays inside are followed; any other makes it PATH_FORBIDDEN. The
   * file API never calls this: it uses links as names only.
   */
  async resolve(path: string, options: { followFinal: boolean }): Promise<string> {
    const names = parseSitePath(path);
    return formatSitePath(await resolveLinks(this.root, names, formatSitePath(names), options.followFinal));
  }

  /** What one entry is; a symbolic link is described as a link (see {@link resolve} to follow one). */
  async stat(path: string): Promise<FileEntry> {
    const names = parseSitePath(path);
    const shown = formatSitePath(names);
    if (names.length === 0) return withDirectory(this.root, names, shown, async (dir) => entryOf('/', await dir.stat()));
    return withParent(this.root, names, shown, async (parent, name) => entryOf(name, await lstatAt(parent, name, shown)));
  }

  /** The entries of a folder, by name, at most `maxListEntries`. */
  async list(path: string): Promise<FileEntry[]> {
    const names = parseSitePath(path);
    const shown = formatSitePath(names);
    return withDirectory(this.root, names, shown, async (dir) => {
      const children = (await readdir(atPath(dir))).sort().slice(0, this.maxListEntries);
      const entries: FileEntry[] = [];
      for (const child of children) {
        // A child removed since readdir is simply not listed.
        const stats = await lstatAt(dir, child, `${shown}/${child}`).catch(() => null);
        if (stats) entries.push(entryOf(child, stats));
      }
      return entries;
    });
  }

  /** Up to `length` bytes from `offset` of a regular file (fewer at its end; empty past it). */
  async readRange(path: string, offset: number, length: number): Promise<Buffer> {
    const handle = await this.openFile(path, { write: false });
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  /** Writes `data` at `offset` of a regular file (made if `create`, emptied first if `truncate`). */
  async writeRange(path: string, offset: number, data: Uint8Array, flags: OpenFlags = {}): Promise<void> {
    const handle = await this.openFile(path, { write: true, ...flags });
    try {
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await handle.write(data, written, data.length - written, offset + written);
        written += bytesWritten;
      }
    } catch (error) {
      throw fileSystemError(error, this.realpath(path), 'write');
    } finally {
      await handle.close();
    }
  }

  /** SFTP's open: checks the file can be used as asked (creating or emptying it), then describes it. */
  async open(path: string, flags: OpenFlags & { write?: boolean } = {}): Promise<FileEntry> {
    const write = flags.write ?? Boolean(flags.create || flags.truncate);
    const handle = await this.openFile(path, { ...flags, write });
    try {
      return entryOf(parseSitePath(path).at(-1) ?? '/', await handle.stat());
    } finally {
      await handle.close();
    }
  }

  /**
   * Opens a regular file confined to the folder; the caller closes the handle. Truncation
   * happens only after the hard-link check, so a link to an outside file is never emptied.
   */
  async openFile(path: string, flags: OpenFlags & { write: boolean }): Promise<FileHandle> {
    const names = parseSitePath(path);
    const shown = formatSitePath(names);
    return withParent(this.root, names, shown, async (parent, name) => {
      const base = (flags.write ? O_WRONLY : O_RDONLY) | O_NOFOLLOW | O_NONBLOCK;
      let handle: FileHandle | undefined;
      let created = false;
      try {
        if (flags.create) {
          handle = await open(atPath(parent, name), base | O_CREAT | O_EXCL, 0o644).catch((error: unknown) => {
            if ((error as NodeJS.ErrnoException).code === 'EEXIST' && !flags.exclusive) return undefined;
            throw error;
          });
          created = handle !== undefined;
        }
        handle ??= await open(atPath(parent, name), base);
        const stats = await handle.stat();
        assertPlainFile(stats, shown);
        if (created && this.owner) await handle.chown(this.owner.uid, this.owner.gid);
        if (flags.truncate && flags.write) await handle.truncate(0);
        return handle;
      } catch (error) {
        await handle?.close();
        throw fileSystemError(error, shown, flags.write ? 'write' : 'read');
      }
    });
  }

  /** Makes one folder (its parent must exist), owned by the site's user. */
  async mkdir(path: string): Promise<void> {
    const names = parseSitePath(path);
    const shown = formatSitePath(names);
    await withParent(this.root, names, shown, async (parent, name) => {
      try {
        await mkdir(atPath(parent, name), { mode: 0o755 });
        // lchown: if the new folder were swapped for a link meanwhile, only the link changes owner.
        if (this.owner) await lchown(atPath(parent, name), this.owner.uid, this.owner.gid);
      } catch (error) {
        throw fileSystemError(error, shown, 'create the folder');
      }
    });
  }

  /** Removes an empty folder. */
  async rmdir(path: string): Promise<void> {
    const names = parseSitePath(path);
    const shown = formatSitePath(names);
    await withParent(this.root, names, shown, (parent, name) =>
      rmdir(atPath(parent, name)).catch((error: unknown) => {
        throw fileSystemError(error, shown, 'remove the folder');
      }),
    );
  }

  /** Removes a file or link (never what it points to); a folder only with `recursive`. */
  async remove(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    const names = parseSitePath(path);
    const shown = formatSitePath(names);
    await withParent(this.root, names, shown, async (parent, name) => {
      if (options.recursive) return removeTree(parent, name, shown);
      const stats = await lstatAt(parent, name, shown);
      if (stats.isDirectory()) return this.rmdir(path);
      await unlink(atPath(parent, name)).catch((error: unknown) => {
        throw fileSystemError(error, shown, 'delete');
      });
    });
  }

  /** Moves or renames an entry (a link moves as a link); refuses to replace an existing entry unless `overwrite`. */
  async rename(from: string, to: string, options: { overwrite?: boolean } = {}): Promise<void> {
    const fromNames = parseSitePath(from);
    const toNames = parseSitePath(to);
    const fromShown = formatSitePath(fromNames);
    const toShown = formatSitePath(toNames);
    await withParent(this.root, fromNames, fromShown, (source, fromName) =>
      withParent(this.root, toNames, toShown, async (target, toName) => {
        await lstatAt(source, fromName, fromShown);
        const existing = await lstatAt(target, toName, toShown).catch(() => null);
        if (existing && !options.overwrite) throw new DaisError('FILE_EXISTS', `${JSON.stringify(toShown)} already exists.`);
        await rename(atPath(source, fromName), atPath(target, toName)).catch((error: unknown) => {
          throw fileSystemError(error, toShown, `move ${JSON.stringify(fromShown)} to`);
        });
      }),
    );
  }

  /** Sets permission bits; refuses setuid, setgid and sticky bits, links, and hard-linked files. */
  async chmod(path: string, mode: number): Promise<void> {
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new DaisError('PATH_INVALID', 'A mode is a number from 0 to 0o7777.');
    if (mode & 0o7000) throw new DaisError('PATH_FORBIDDEN', 'setuid, setgid and sticky bits cannot be set through the file API.');
    const names = parseSitePath(path);
    const shown = formatSitePath(names);
    const name = names.at(-1);
    // The site folder itself belongs to Dais: a 700 there would stop nginx serving the site.
    if (name === undefined) throw new DaisError('PATH_FORBIDDEN', "The site folder's own permissions are managed by Dais.");
    await withParent(this.root, names, shown, (dir) => withEntryHandle(dir, name, shown, (handle) => handle.chmod(mode))).catch(
      (error: unknown) => {
        throw fileSystemError(error, shown, 'change the mode of');
      },
    );
  }

  /** Cuts or extends a plain file (never a link or a hard-linked file) to `size` bytes. */
  async truncate(path: string, size: number): Promise<void> {
    if (!Number.isSafeInteger(size) || size < 0) throw new DaisError('PATH_INVALID', 'A size is a whole number of bytes, 0 or more.');
    const shown = this.realpath(path);
    const handle = await this.openFile(path, { write: true });
    try {
      await handle.truncate(size);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      if (code === 'EFBIG' || code === 'EINVAL')
        throw new DaisError('FILE_TOO_LARGE', `${JSON.stringify(shown)} cannot be made ${size} bytes long.`);
      throw fileSystemError(error, shown, 'resize');
    } finally {
      await handle.close();
    }
  }

  /** Sets access and modification times (seconds) of a folder or plain file; a link is refused, never followed. */
  async utimes(path: string, atime: number, mtime: number): Promise<void> {
    if (![atime, mtime].every((time) => Number.isFinite(time) && time >= 0))
      throw new DaisError('PATH_INVALID', 'A time is seconds since 1970.');
    const names = parseSitePath(path);
    const shown = formatSitePath(names);
    await withParent(this.root, names, shown, (dir, name) =>
      withEntryHandle(dir, name, shown, (handle) => handle.utimes(atime, mtime)),
    ).catch((error: unknown) => {
      throw fileSystemError(error, shown, 'set the times of');
    });
  }

  /** The text of a symbolic link (the link itself is read, never followed). */
  async readlink(path: string): Promise<string> {
    const names = parseSitePath(path);
    return readLinkText(this.root, names, formatSitePath(names));
  }

  /** Makes a symbolic link to a relative `target` that stays inside the folder (else PATH_FORBIDDEN, nothing made). */
  async symlink(path: string, target: string): Promise<void> {
    return makeLink(this.root, this.owner, parseSitePath(path), target);
  }

  /** A checked folder to watch: open until `close()`, which may come as soon as the watch is set up. */
  async watchableDir(path: string): Promise<WatchableDir> {
    const names = parseSitePath(path);
    const dir = await openDirectory(this.root, names, formatSitePath(names));
    return { path: atPath(dir), close: () => dir.close() };
  }
}
