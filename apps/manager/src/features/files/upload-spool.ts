import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Readable } from 'node:stream';
import { DaisError } from '@dais/shared';

/** An upload held in a private temporary file until it has been sent on. */
export interface SpooledUpload {
  size: number;
  sha256: string;
  open: () => Readable;
  remove: () => Promise<void>;
}

/** The refusal of an upload past the limit, naming the limit. */
export function uploadTooLarge(limitBytes: number): DaisError {
  const megabytes = (limitBytes / 1024 / 1024).toFixed(1);
  return new DaisError('FILE_TOO_LARGE', `Uploads are limited to ${limitBytes} bytes (${megabytes} MiB).`, { limitBytes });
}

/**
 * Stores an upload in a private temporary file while hashing it, so that the request to the
 * orchestrator can be signed with the content's SHA-256 before a byte is sent. Stops (and removes
 * what it stored) as soon as the upload passes `maxBytes`.
 */
export async function spoolUpload(source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<SpooledUpload> {
  const dir = await mkdtemp(join(tmpdir(), 'dais-upload-'));
  const path = join(dir, 'content');
  const remove = () => rm(dir, { recursive: true, force: true });
  const hash = createHash('sha256');
  let size = 0;
  // Iterated by hand: a for-await that stops early would destroy the request, and with it the
  // connection the 413 must still be sent on; the rest is read and dropped instead.
  const chunks = source[Symbol.asyncIterator]();
  // A file handle, not a write stream: every failure (a full disk) is a rejection to handle here.
  const file = await open(path, 'wx', 0o600).catch(async (error: unknown) => {
    await remove();
    throw error;
  });
  try {
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
      size += next.value.length;
      if (size > maxBytes) {
        void discardRest(chunks);
        throw uploadTooLarge(maxBytes);
      }
      hash.update(next.value);
      for (let written = 0; written < next.value.length;) {
        written += (await file.write(next.value, written, next.value.length - written)).bytesWritten;
      }
    }
    await file.close();
  } catch (error) {
    await file.close().catch(() => undefined);
    await remove();
    throw error;
  }
  return { size, sha256: hash.digest('hex'), open: () => createReadStream(path, { highWaterMark: 1024 * 1024 }), remove };
}

/**
 * Reads and drops what is left of a refused upload, so the client, still sending, gets to read the
 * 413. (The stream's own resume() does nothing once an iterator listens to it.) The HTTP layer's
 * lingering limits close a connection whose body does not end soon enough.
 */
async function discardRest(chunks: AsyncIterator<Uint8Array>): Promise<void> {
  try {
    for (let next = await chunks.next(); !next.done; next = await chunks.next());
  } catch {
    // The client gave up or the connection was closed: nothing left to drop.
  }
}
