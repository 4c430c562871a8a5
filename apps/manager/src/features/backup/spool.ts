import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * A tar entry needs its size before its content: a stream of unknown length (a dump) is written
 * to a private temporary file first, used once `finished` says the tool succeeded, then removed.
 */
export async function spooled<T>(
  source: Readable,
  finished: Promise<void>,
  use: (size: number, open: () => Readable) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'dais-backup-'));
  try {
    const file = join(dir, 'part');
    await Promise.all([pipeline(source, createWriteStream(file, { mode: 0o600 })), finished]);
    const { size } = await stat(file);
    return await use(size, () => createReadStream(file));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
