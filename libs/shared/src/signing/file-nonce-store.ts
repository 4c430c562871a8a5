import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DaisError } from '../errors/dais-error';
import { NonceCache } from './nonce-cache';
import type { NonceStore } from './nonce-store';

/** Keys are written one per line after their expiry: printable ASCII without spaces. */
const KEY_FORMAT = /^[\x21-\x7e]{1,200}$/;
const LINE_FORMAT = /^([0-9]{1,16}) ([\x21-\x7e]{1,200})$/;
/** The file is rewritten with only the live entries once it holds this many lines and twice the live ones. */
const COMPACT_AFTER_LINES = 10_000;

/** Settings of a {@link FileNonceStore}. */
export interface FileNonceStoreOptions {
  /** The append-only file, inside the component's state folder (the file is `0600`). */
  file: string;
  now?: () => number;
  /** Lines past which the file is compacted (tests lower it). */
  compactAfterLines?: number;
}

/**
 * A {@link NonceStore} for a receiver without Redis (orchestrator, router): the nonces live in
 * memory and in an append-only file under the component's state folder, read back at start, so a
 * request accepted before a restart is still refused after it. Each accepted key is written and
 * `fdatasync`ed before `remember` resolves (so an answer never goes out for a key a crash could
 * forget); keys arriving while a write runs share the next one (group commit). Only live keys are
 * kept: the file is rewritten (temp file, rename) when it grows to twice what is live.
 *
 * One file belongs to one process: two processes with the same identity must not run at once
 * (each component instance has its own id, and so its own audience and state folder).
 */
export class FileNonceStore implements NonceStore {
  private readonly cache = new NonceCache();
  private readonly now: () => number;
  private readonly compactAfterLines: number;
  private handle: FileHandle | undefined;
  private pending: string[] = [];
  /** The write the next key joins, if one is waiting to start. */
  private queued: Promise<void> | undefined;
  /** The last write started (settled or not): the next one starts after it. */
  private last: Promise<void> = Promise.resolve();
  private lines = 0;

  constructor(private readonly options: FileNonceStoreOptions) {
    this.now = options.now ?? Date.now;
    this.compactAfterLines = options.compactAfterLines ?? COMPACT_AFTER_LINES;
  }

  /** Reads the keys still live from the file (a torn last line is skipped) and rewrites it with only those. */
  async open(): Promise<void> {
    // The folder is the component's own state folder, which others (nginx workers) walk through: its mode is left alone.
    await mkdir(dirname(this.options.file), { recursive: true });
    const text = await readFile(this.options.file, 'utf8').catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw error;
    });
    const now = this.now();
    for (const line of text.split('\n')) {
      const match = LINE_FORMAT.exec(line);
      if (match?.[1] && match[2]) this.cache.remember(match[2], Number(match[1]), now);
    }
    await this.rewrite();
  }

  async remember(key: string, expiresAt: number, now: number): Promise<boolean> {
    if (!KEY_FORMAT.test(key)) throw new Error(`a nonce key must be printable ASCII without spaces: ${JSON.stringify(key.slice(0, 40))}`);
    if (!this.handle) throw unavailable('the nonce file is not open');
    if (!this.cache.remember(key, expiresAt, now)) return false;
    this.pending.push(`${expiresAt} ${key}\n`);
    try {
      await this.flush();
    } catch (error) {
      throw unavailable(error instanceof Error ? error.message : String(error));
    }
    return true;
  }

  /** Waits for pending writes and closes the file. */
  async close(): Promise<void> {
    await this.last;
    await this.handle?.close();
    this.handle = undefined;
  }

  private flush(): Promise<void> {
    if (!this.queued) {
      const write = this.last.then(() => {
        this.queued = undefined;
        const batch = this.pending;
        this.pending = [];
        return this.append(batch);
      });
      this.queued = write;
      this.last = write.catch(() => undefined);
    }
    return this.queued;
  }

  private async append(batch: string[]): Promise<void> {
    const handle = this.handle;
    if (!handle) throw new Error('the nonce file was closed');
    await handle.write(batch.join(''));
    await handle.datasync();
    this.lines += batch.length;
    if (this.lines >= this.compactAfterLines && this.lines >= 2 * this.cache.size) await this.rewrite();
  }

  /** Replaces the file with the live keys only (write a temp file, sync, rename), then appends to the new one. */
  private async rewrite(): Promise<void> {
    const live = this.cache.live(this.now());
    const temp = `${this.options.file}.tmp`;
    const fresh = await open(temp, 'w', 0o600);
    try {
      await fresh.write(live.map(([key, expiresAt]) => `${expiresAt} ${key}\n`).join(''));
      await fresh.datasync();
    } finally {
      await fresh.close();
    }
    await rename(temp, this.options.file);
    await syncFolder(dirname(this.options.file));
    const previous = this.handle;
    this.handle = await open(this.options.file, 'a', 0o600);
    this.lines = live.length;
    await previous?.close();
  }
}

/** Makes a rename durable: the folder entry is synced too. */
async function syncFolder(path: string): Promise<void> {
  const folder = await open(path, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

function unavailable(reason: string): DaisError {
  return new DaisError('REPLAY_CHECK_UNAVAILABLE', `Cannot record this request against replays right now (${reason}); try again.`);
}
