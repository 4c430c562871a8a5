import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { extract as tarExtract } from 'tar-stream';
import { DaisError, siteFilesReportSchema, type BackupManifest, type BackupSite, type DatabaseConnection } from '@dais/shared';
import type { BackupClient } from '../../infrastructure/peers/backup.client';
import type { ManagerConfig } from '../../config/manager.config';
import { SealedSecret, type SecretOpener } from '../../infrastructure/secrets/sealed-secret';
import { ARCHIVE_PATHS } from './archive-format';
import { ArchiveWriter } from './archive-writer';
import { spooled } from './spool';
import type { PlatformDatabaseAdapter, SnapshotSite } from './platform-database.adapter';

/** A file or folder of the manager's state and its name in the archive. */
export interface StateFile {
  name: string;
  path: string;
}

/** What a backup needs from the installation. */
export interface BackupSources {
  platform: PlatformDatabaseAdapter;
  peers: BackupClient;
  secrets: SecretOpener;
  /**
   * The manager's state kept in the archive (keys, internal CA, secrets key), each under its name in
   * `platform/state/`: names, not paths, since npm start and compose keep them in different places.
   */
  stateFiles: StateFile[];
  databaseNamePrefix: string;
  say: (line: string) => void;
}

/** The sources of this installation: what of its state folder a backup keeps, and its database name prefix. */
export function backupSourcesOf(
  config: ManagerConfig,
  adapters: Pick<BackupSources, 'platform' | 'peers' | 'secrets' | 'say'>,
): BackupSources {
  return {
    ...adapters,
    stateFiles: [
      { name: 'keys', path: config.keys.dir },
      { name: 'tls', path: config.internalCaDir },
      { name: 'secrets/secrets.key', path: config.secrets.keyFile },
    ],
    databaseNamePrefix: config.databaseNamePrefix,
  };
}

/**
 * Makes one archive of the whole installation (docs/backup.md): the platform database and the
 * site list from one snapshot, the manager's keys, the router's certificates and ACME account,
 * then each site's files and database, streamed into the archive as they arrive.
 */
export async function createBackup(file: string, sources: BackupSources): Promise<BackupManifest> {
  const writer = new ArchiveWriter(file);
  try {
    await writer.start();
    const snapshot = await sources.platform.snapshot();
    let sites: SnapshotSite[];
    let migrations: string[];
    try {
      sites = snapshot.sites;
      migrations = snapshot.migrations;
      const dump = snapshot.dump();
      await spooled(dump, dump.finished, (size, open) => writer.file(ARCHIVE_PATHS.platformDatabase, size, 0o600, open()));
    } finally {
      await snapshot.close();
    }
    sources.say(`platform database: ${sites.length} sites`);
    await addStateFiles(writer, sources.stateFiles, sources.say);
    await addTar(writer, await sources.peers.download('router', 'GET', '/v1/backup/state'), ARCHIVE_PATHS.router);
    sources.say('router: certificates and ACME account');
    const backedUp: BackupSite[] = [];
    for (const [index, site] of sites.entries()) {
      backedUp.push(await backUpSite(writer, site, sources));
      sources.say(`site ${index + 1}/${sites.length}: ${site.name}`);
    }
    return await writer.finish({ migrations, databaseNamePrefix: sources.databaseNamePrefix, sites: backedUp });
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

async function backUpSite(writer: ArchiveWriter, site: SnapshotSite, sources: BackupSources): Promise<BackupSite> {
  const files = await sources.peers.download('orchestrator', 'GET', `/v1/backup/sites/${site.id}/files`);
  const report = await addTar(writer, files, ARCHIVE_PATHS.siteFiles(site.id), 'files/');
  const summary = report ? siteFilesReportSchema.parse(report) : { changedFiles: [], skippedFiles: [] };
  if (site.database) {
    const connection: DatabaseConnection = {
      engine: site.database.engine,
      host: site.database.adminHost,
      port: site.database.adminPort,
      name: site.database.name,
      username: site.database.username,
      password: sources.secrets.open(new SealedSecret(site.database.sealedPassword, { column: 'SiteDatabase.password', rowId: site.id })),
    };
    const dump = await sources.peers.download('orchestrator', 'POST', `/v1/backup/databases/${site.id}/dump`, {
      siteId: site.id,
      connection,
    });
    const size = Number(dump.headers['content-length']);
    if (!Number.isSafeInteger(size)) throw new DaisError('PEER_ERROR', `The orchestrator sent site ${site.id}'s dump without its length.`);
    await writer.file(ARCHIVE_PATHS.siteDatabase(site.id), size, 0o600, dump);
  }
  return {
    id: site.id,
    name: site.name,
    database: site.database ? { engine: site.database.engine, name: site.database.name } : null,
    ...summary,
  };
}

/**
 * Copies a peer's tar into the archive under `prefix`, entry by entry (sizes are in the tar
 * headers, so nothing is spooled). Entries under `strip` lose it; `report.json` at the top is
 * returned instead of archived.
 */
async function addTar(writer: ArchiveWriter, body: Readable, prefix: string, strip = ''): Promise<unknown> {
  const extract = tarExtract();
  body.pipe(extract);
  body.once('error', (error) => extract.destroy(error));
  let report: unknown = null;
  for await (const entry of extract) {
    const { name, type, size, mode, mtime, linkname } = entry.header;
    if (strip && name === 'report.json') {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      report = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      continue;
    }
    if (!name.startsWith(strip)) throw new DaisError('PEER_ERROR', `A peer sent an unexpected entry ${JSON.stringify(name)}.`);
    const path = `${prefix}${name.slice(strip.length).replace(/\/$/, '')}`;
    if (type === 'directory') await writer.directory(path, mode, mtime);
    else if (type === 'symlink') await writer.symlink(path, linkname, mtime);
    else if (type === 'file') await writer.file(path, size, mode, entry as AsyncIterable<Buffer>, mtime);
    entry.resume();
  }
  return report;
}

/**
 * The manager's own state kept in the archive, under `platform/state/<name>`. What the manager may
 * not read is left out and said: in compose each component's private key and the CA's key belong to
 * that component alone (deploy/init/init.mjs), and a restore keeps the target's own anyway.
 */
async function addStateFiles(writer: ArchiveWriter, files: readonly StateFile[], say: (line: string) => void): Promise<void> {
  for (const { name, path } of files) {
    const stats = await lstat(path).catch(() => null);
    if (!stats) continue;
    const entry = `${ARCHIVE_PATHS.managerState}${name}`;
    try {
      if (stats.isDirectory()) {
        const children = (await readdir(path)).sort();
        await writer.directory(entry, stats.mode);
        await addStateFiles(
          writer,
          children.map((child) => ({ name: `${name}/${child}`, path: join(path, child) })),
          say,
        );
      } else if (stats.isFile()) {
        const small = stats.size < 1024 * 1024;
        const content = small ? [await readFile(path)] : (createReadStream(path) as AsyncIterable<Buffer>);
        await writer.file(entry, stats.size, stats.mode, content);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EACCES') throw error;
      say(`left out ${name}: not readable by the manager (it stays with the component that owns it)`);
    }
  }
}
