import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract, pack as tarPack, type Pack } from 'tar-stream';
import { DaisError, type BackupRestoreResult } from '@dais/shared';

/**
 * What of the router's disk a backup keeps: the ACME account key and every certificate (neither
 * can be made again without the ACME server, whose rate limits make re-ordering slow). Routes are
 * not kept: the manager sends them again from PostgreSQL, and challenges are short-lived.
 */
export interface RouterStateFolders {
  /** The ACME folder (`account.key`, `certificates/`); its `challenges/` is left out. */
  acmeDir: string;
}

const ACME = 'acme/';
const MAX_ENTRY_BYTES = 1024 * 1024;

/** The router's state as a tar stream (`acme/account.key`, `acme/certificates/…`). */
export function packRouterState(folders: RouterStateFolders): Readable {
  const pack = tarPack();
  const fill = async () => {
    await packTree(pack, folders.acmeDir, ACME, (name) => name !== 'challenges');
    pack.finalize();
  };
  fill().catch((error: unknown) => pack.destroy(error instanceof Error ? error : new Error(String(error))));
  return Readable.from(pack);
}

async function packTree(pack: Pack, dir: string, prefix: string, keep: (name: string) => boolean): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names.sort()) {
    if (!keep(name)) continue;
    const path = join(dir, name);
    const stats = await lstat(path);
    if (stats.isDirectory()) await packTree(pack, path, `${prefix}${name}/`, () => true);
    else if (stats.isFile()) {
      await new Promise<void>((resolve, reject) => {
        const sink = pack.entry({ name: `${prefix}${name}`, size: stats.size, mode: 0o600, mtime: stats.mtime }, (error) =>
          error ? reject(error) : resolve(),
        );
        createReadStream(path).on('error', reject).pipe(sink);
      });
    }
  }
}

/**
 * Writes a router state tar back (only `acme/account.key` and files under `acme/certificates/`,
 * each written to a temporary name and renamed into place); anything else refuses the restore.
 */
export async function restoreRouterState(folders: RouterStateFolders, body: Readable): Promise<BackupRestoreResult> {
  const extract = tarExtract();
  const reading = pipeline(body, extract);
  let entries = 0;
  try {
    for await (const entry of extract) {
      const name = entry.header.name;
      const relative = name.startsWith(ACME) ? name.slice(ACME.length) : '';
      const parts = relative.split('/');
      const allowed = relative === 'account.key' || (parts[0] === 'certificates' && parts.length > 1);
      if (entry.header.type !== 'file' || !allowed || parts.some((part) => part === '' || part === '.' || part === '..'))
        throw new DaisError('BACKUP_ARCHIVE_INVALID', `${JSON.stringify(name)} is not part of a router's state.`);
      if (entry.header.size > MAX_ENTRY_BYTES) throw new DaisError('BACKUP_ARCHIVE_INVALID', `${JSON.stringify(name)} is too large.`);
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const target = join(folders.acmeDir, ...parts);
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await writeFile(`${target}.restoring`, Buffer.concat(chunks), { mode: 0o600 });
      await rename(`${target}.restoring`, target);
      entries += 1;
    }
    await reading;
  } catch (error) {
    body.destroy();
    await reading.catch(() => undefined);
    throw error;
  }
  return { entries };
}
