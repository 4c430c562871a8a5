import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { extract as tarExtract, pack as tarPack, type Header } from 'tar-stream';

/** One entry of a hand-made archive. */
export interface RawEntry {
  header: Partial<Header> & Pick<Header, 'name'>;
  content?: Buffer;
}

/** Writes a gzip'd tar of exactly these entries (for hostile and tampered archives). */
export async function writeRawArchive(file: string, entries: readonly RawEntry[]): Promise<void> {
  const pack = tarPack();
  const writing = pipeline(pack, createGzip(), createWriteStream(file));
  for (const entry of entries) {
    await new Promise<void>((resolve, reject) => {
      pack.entry({ ...entry.header, size: entry.content?.length ?? 0 }, entry.content ?? Buffer.alloc(0), (error) =>
        error ? reject(error) : resolve(),
      );
    });
  }
  pack.finalize();
  await writing;
}

/** Reads every entry of an archive into memory (test archives are small). */
export async function readRawArchive(file: string): Promise<RawEntry[]> {
  const extract = tarExtract();
  const reading = pipeline(createReadStream(file), createGunzip(), extract);
  const entries: RawEntry[] = [];
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    entries.push({ header: { ...entry.header }, content: Buffer.concat(chunks) });
  }
  await reading;
  return entries;
}

/** Every file (SHA-256), folder and link (target) under `dir`, by relative path: what a restore must reproduce. */
export async function treeDigest(dir: string, prefix = ''): Promise<Record<string, string>> {
  const digest: Record<string, string> = {};
  for (const name of (await readdir(join(dir, prefix)).catch(() => [])).sort()) {
    const path = prefix ? `${prefix}/${name}` : name;
    const stats = await lstat(join(dir, path));
    if (stats.isSymbolicLink()) digest[path] = `link:${await readlink(join(dir, path))}`;
    else if (stats.isDirectory()) {
      digest[path] = 'dir';
      Object.assign(digest, await treeDigest(dir, path));
    } else
      digest[path] = `file:${createHash('sha256')
        .update(await readFile(join(dir, path)))
        .digest('hex')}`;
  }
  return digest;
}

/** A stream of `size` pseudo-random bytes (incompressible, so archive sizes are honest). */
export function randomBytesStream(size: number, seed: number): Readable {
  let state = seed;
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const chunk = Buffer.alloc(Math.min(left, 64 * 1024));
      for (let i = 0; i < chunk.length; i++) {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        chunk[i] = state >>> 24;
      }
      left -= chunk.length;
      this.push(chunk);
    },
  });
}
