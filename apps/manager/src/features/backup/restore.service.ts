import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pack as tarPack, type Pack } from 'tar-stream';
import { DaisError, type BackupEntry, type BackupManifest } from '@dais/shared';
import type { BackupClient, BackupPeer } from '../../infrastructure/peers/backup.client';
import { parseKeyring, readKeyring, writeKeyring, type SecretsKey } from '../../infrastructure/secrets/secrets-keyring';
import { ARCHIVE_PATHS, siteIdOfEntry } from './archive-format';
import { readArchive, verifyArchive } from './archive-reader';
import type { PlatformDatabaseAdapter } from './platform-database.adapter';
import type { RestoreStore } from './restore.store';

/** What a restore writes to. */
export interface RestoreTargets {
  platform: PlatformDatabaseAdapter;
  peers: BackupClient;
  store: RestoreStore;
  /** The manager's secrets key file; the archive's keys are added to it. */
  keyFile: string;
  /** Where the archive's component keys and internal CA are put aside (this installation keeps its own). */
  asideDir: string;
  databaseNamePrefix: string;
  /** Replace a platform database that already holds sites. */
  force: boolean;
  say: (line: string) => void;
  /** Longest the sites' repair operations may take together. */
  repairTimeoutMs: number;
}

/**
 * Restores an archive onto this installation (docs/backup.md, "Restore"). Nothing changes until
 * the whole archive has been read and checked and the target found empty (or `force`); then the
 * platform database is loaded in one transaction, every site is rebuilt by a repair operation, and
 * its files and database are put back through its orchestrator.
 */
export async function restoreBackup(file: string, targets: RestoreTargets): Promise<BackupManifest> {
  const manifest = await verifyArchive(file);
  targets.say(`archive checked: ${manifest.entries.length} entries, ${manifest.sites.length} sites, made ${manifest.createdAt}`);
  const known = new Set(await targets.platform.migrations());
  const newer = manifest.migrations.filter((name) => !known.has(name));
  if (newer.length > 0)
    throw new DaisError(
      'BACKUP_ARCHIVE_UNSUPPORTED',
      `The archive comes from a newer Dais (migrations ${newer.join(', ')} are unknown here): upgrade this installation first.`,
    );
  const existing = await targets.store.siteCount();
  if (existing > 0 && !targets.force)
    throw new DaisError(
      'BACKUP_TARGET_NOT_EMPTY',
      `This installation already has ${existing} site(s); restore onto a new installation, or add --force to replace its platform database.`,
    );
  const ownHosts = await targets.store.ownDatabaseHosts();
  await restorePlatform(file, targets);
  targets.say('platform database restored');
  const kept = await targets.store.keepDatabaseHosts(ownHosts);
  if (kept.length > 0) targets.say(`database hosts kept at this installation's addresses: ${kept.join(', ')}`);
  if (manifest.databaseNamePrefix !== targets.databaseNamePrefix)
    await targets.store.renameDatabases(manifest.databaseNamePrefix, targets.databaseNamePrefix);
  await targets.store.repairAll(
    manifest.sites.map((site) => site.id),
    targets.repairTimeoutMs,
  );
  targets.say(`${manifest.sites.length} sites rebuilt`);
  await restoreSitesAndRouter(file, manifest, targets);
  const dynamic = await targets.store.dynamicSiteIds();
  // Their containers started before their files and data were back: start them again with both.
  await targets.store.repairAll(dynamic, targets.repairTimeoutMs);
  for (const siteId of dynamic)
    await targets.peers.download('orchestrator', 'POST', `/v1/sites/${siteId}/restart`, {}).then((answer) => answer.resume());
  targets.say('site files and databases restored');
  return manifest;
}

/** First pass: the platform database, then the secrets keys (added), the rest of the manager's state put aside. */
async function restorePlatform(file: string, targets: RestoreTargets): Promise<void> {
  await readArchive(file, async ({ entry, content }) => {
    if (entry.path === ARCHIVE_PATHS.platformDatabase) return targets.platform.load(content);
    if (!entry.path.startsWith(ARCHIVE_PATHS.managerState) || entry.type !== 'file') return;
    const relative = entry.path.slice(ARCHIVE_PATHS.managerState.length);
    const bytes = await readAll(content);
    if (relative === 'secrets/secrets.key') {
      mergeSecretsKeys(targets.keyFile, bytes.toString('utf8'));
      return;
    }
    const aside = join(targets.asideDir, relative);
    await mkdir(dirname(aside), { recursive: true, mode: 0o700 });
    await writeFile(aside, bytes, { mode: 0o600 });
  });
}

/** Adds the archive's keys this file lacks, before its own: its own last key keeps sealing new secrets. */
function mergeSecretsKeys(keyFile: string, archived: string): void {
  const own = readKeyring(keyFile).keys;
  const ids = new Set(own.map((key) => key.id));
  const added: SecretsKey[] = parseKeyring(archived, 'the archive').filter((key) => !ids.has(key.id));
  writeKeyring(keyFile, [...added, ...own]);
}

/** Second pass: router state and each site's files as one tar upload each, each site database as its dump. */
async function restoreSitesAndRouter(file: string, manifest: BackupManifest, targets: RestoreTargets): Promise<void> {
  const listed = new Map(manifest.entries.map((entry) => [entry.path, entry]));
  let group: GroupUpload | null = null;
  const switchTo = async (key: string, open: () => GroupUpload): Promise<GroupUpload> => {
    if (group?.key === key) return group;
    await group?.finish();
    group = open();
    return group;
  };
  await readArchive(file, async ({ entry, content }) => {
    const siteId = siteIdOfEntry(entry.path);
    if (entry.path.startsWith(ARCHIVE_PATHS.router)) {
      const upload = await switchTo('router', () => new GroupUpload('router', targets.peers, 'router', '/v1/backup/state'));
      return upload.add(entry, content, entry.path.slice(ARCHIVE_PATHS.router.length));
    }
    if (siteId === null) return;
    const filesPrefix = ARCHIVE_PATHS.siteFiles(siteId);
    if (entry.path.startsWith(filesPrefix)) {
      const upload = await switchTo(
        `site-${siteId}`,
        () => new GroupUpload(`site-${siteId}`, targets.peers, 'orchestrator', `/v1/backup/sites/${siteId}/files`),
      );
      return upload.add(entry, content, `files/${entry.path.slice(filesPrefix.length)}`);
    }
    if (entry.path === ARCHIVE_PATHS.siteDatabase(siteId)) {
      await group?.finish();
      group = null;
      const expected = listed.get(entry.path);
      if (expected?.type !== 'file') throw new DaisError('BACKUP_ARCHIVE_INVALID', `The archive is refused: ${entry.path} is not listed.`);
      await restoreDatabase(siteId, content, expected, targets);
      targets.say(`site ${siteId}: database restored`);
    }
  });
  await (group as GroupUpload | null)?.finish();
}

async function restoreDatabase(
  siteId: number,
  dump: Readable,
  expected: Extract<BackupEntry, { type: 'file' }>,
  targets: RestoreTargets,
): Promise<void> {
  const connection = await targets.store.connectionOf(siteId);
  if (!connection)
    throw new DaisError('DATABASE_NOT_FOUND', `Site ${siteId} has a database dump in the archive but no database after the restore.`);
  const request = Buffer.from(JSON.stringify({ siteId, connection })).toString('base64url');
  const query = new URLSearchParams({ request, sha256: expected.sha256, size: String(expected.size) });
  await targets.peers.upload('orchestrator', `/v1/backup/databases/${siteId}/restore?${query.toString()}`, dump, 'application/sql');
}

/** One tar body streamed to a peer while the archive is read: entries go in as they come. */
class GroupUpload {
  private readonly pack: Pack = tarPack();
  private readonly answer: Promise<unknown>;

  constructor(
    readonly key: string,
    peers: BackupClient,
    peer: BackupPeer,
    path: string,
  ) {
    this.answer = peers.upload(peer, path, this.pack as unknown as Readable, 'application/x-tar');
    this.answer.catch(() => undefined); // Awaited in finish().
  }

  async add(entry: BackupEntry, content: Readable, name: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      if (entry.type === 'directory') this.pack.entry({ name: `${name}/`, type: 'directory', mode: entry.mode }, settle(resolve, reject));
      else if (entry.type === 'symlink') this.pack.entry({ name, type: 'symlink', linkname: entry.target }, settle(resolve, reject));
      else {
        const sink = this.pack.entry({ name, type: 'file', size: entry.size, mode: entry.mode }, settle(resolve, reject));
        content.pipe(sink);
      }
    });
  }

  async finish(): Promise<void> {
    this.pack.finalize();
    await this.answer;
  }
}

function settle(resolve: () => void, reject: (error: Error) => void): (error?: Error | null) => void {
  return (error) => (error ? reject(error) : resolve());
}

async function readAll(content: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
