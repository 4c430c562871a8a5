import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack as tarPack, type Header, type Pack } from 'tar-stream';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BACKUP_HEADER_PATH,
  BACKUP_MANIFEST_PATH,
  DaisError,
  type BackupEntry,
  type BackupHeader,
  type BackupManifest,
} from '@dais/shared';
import { checkEntryHeader } from './archive-format';

/**
 * Writes a backup archive as a stream (gzip'd tar): the header entry first, each part as it
 * arrives with its SHA-256 computed on the way, the manifest last. It writes to a temporary name
 * beside the target and renames at `finish()`; `abort()` removes it, so a backup that cannot
 * complete leaves nothing that looks like an archive.
 */
export class ArchiveWriter {
  readonly temporaryPath: string;
  private readonly pack: Pack = tarPack();
  /** The file being written, from `start()` on (nothing before: a writer never started has nothing to remove). */
  private written: Promise<void> = Promise.resolve();
  private readonly entries: BackupEntry[] = [];
  private readonly header: BackupHeader;

  constructor(readonly path: string) {
    this.temporaryPath = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.partial`);
    this.header = { format: BACKUP_FORMAT, version: BACKUP_FORMAT_VERSION, createdAt: new Date().toISOString() };
  }

  /** Opens the temporary file (a destination that cannot be written is refused here, before any work) and writes the header. */
  async start(): Promise<void> {
    const file = await open(this.temporaryPath, 'wx', 0o600).catch((error: unknown) => {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new DaisError('VALIDATION_FAILED', `Cannot write a backup in ${dirname(this.path)}: ${reason}.`);
    });
    this.written = pipeline(this.pack, createGzip({ level: 6 }), file.createWriteStream());
    this.written.catch(() => undefined); // Reported by finish() or made moot by abort().
    const header = Buffer.from(JSON.stringify(this.header));
    await this.raw({ name: BACKUP_HEADER_PATH, type: 'file', mode: 0o644, size: header.length }, [header]);
  }

  /** Adds a file of exactly `size` bytes from `chunks`; returns its SHA-256. */
  async file(path: string, size: number, mode: number, chunks: AsyncIterable<Buffer> | Iterable<Buffer>, mtime?: Date): Promise<string> {
    checkEntryHeader({ name: path, type: 'file' });
    const hash = createHash('sha256');
    async function* hashed() {
      for await (const chunk of chunks) {
        hash.update(chunk);
        yield chunk;
      }
    }
    await this.raw({ name: path, type: 'file', size, mode, mtime }, hashed());
    const sha256 = hash.digest('hex');
    this.entries.push({ type: 'file', path, size, sha256, mode: mode & 0o7777 });
    return sha256;
  }

  async directory(path: string, mode: number, mtime?: Date): Promise<void> {
    checkEntryHeader({ name: path, type: 'directory' });
    await this.raw({ name: `${path}/`, type: 'directory', mode, mtime }, []);
    this.entries.push({ type: 'directory', path, mode: mode & 0o7777 });
  }

  async symlink(path: string, target: string, mtime?: Date): Promise<void> {
    checkEntryHeader({ name: path, type: 'symlink', linkname: target });
    await this.raw({ name: path, type: 'symlink', linkname: target, mode: 0o777, mtime }, []);
    this.entries.push({ type: 'symlink', path, target });
  }

  /** Writes the manifest, completes the file and renames it into place. */
  async finish(contents: Omit<BackupManifest, 'format' | 'version' | 'createdAt' | 'entries'>): Promise<BackupManifest> {
    const manifest: BackupManifest = { ...this.header, ...contents, entries: this.entries };
    const json = Buffer.from(JSON.stringify(manifest));
    await this.raw({ name: BACKUP_MANIFEST_PATH, type: 'file', mode: 0o644, size: json.length }, [json]);
    this.pack.finalize();
    await this.written;
    await rename(this.temporaryPath, this.path);
    return manifest;
  }

  /** Stops writing and removes the temporary file. */
  async abort(): Promise<void> {
    this.pack.destroy();
    await this.written.catch(() => undefined);
    await rm(this.temporaryPath, { force: true });
  }

  private async raw(header: Partial<Header> & Pick<Header, 'name'>, chunks: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void> {
    let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    const sink = this.pack.entry(header, (error) => (error ? settle?.reject(error) : settle?.resolve()));
    // The entry also emits its failure ("Size mismatch" when the content is shorter or longer than announced):
    // unheard, that event would be an uncaught exception that takes the whole process down.
    sink.on('error', (error: Error) => settle?.reject(error));
    for await (const chunk of chunks) {
      if (!sink.write(chunk)) await Promise.race([once(sink, 'drain'), done]);
    }
    sink.end(undefined);
    await done;
  }
}
