import { join, resolve } from 'node:path';
import { backupSourcesOf, createBackup } from '../features/backup/backup.service';
import { PlatformDatabaseAdapter } from '../features/backup/platform-database.adapter';
import { restoreBackup } from '../features/backup/restore.service';
import { RestoreStore } from '../features/backup/restore.store';
import { BackupClient } from '../infrastructure/peers/backup.client';
import type { ManagerConfig } from '../config/manager.config';
import type { PrismaService } from '../infrastructure/prisma/prisma.service';
import { OperationQueue } from '../infrastructure/queue/operation-queue';
import { SecretBox } from '../infrastructure/secrets/secret-box';
import { UsageError, type CliOptions } from './cli-options';

/** `backup --file <archive.tar.gz>`: one archive of the whole installation (docs/backup.md). */
export async function backupCommand(_prisma: PrismaService, options: CliOptions, config: ManagerConfig): Promise<void> {
  if (!options.file) throw new UsageError('backup needs --file <archive.tar.gz>');
  const file = resolve(options.file);
  const started = Date.now();
  const manifest = await createBackup(
    file,
    backupSourcesOf(config, {
      platform: new PlatformDatabaseAdapter(config.databaseUrl),
      peers: new BackupClient(config),
      secrets: SecretBox.load(config.secrets.keyFile),
      say: (line) => console.log(`  ${line}`),
    }),
  );
  const changed = manifest.sites.reduce((sum, site) => sum + site.changedFiles.length, 0);
  console.log(
    `wrote ${file}: ${manifest.sites.length} sites, ${manifest.entries.length} entries in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (changed > 0) console.log(`${changed} file(s) kept changing while read; they are listed in the manifest (changedFiles)`);
}

/** `restore --file <archive.tar.gz> [--force]`: the archive onto this (new) installation. */
export async function restoreCommand(prisma: PrismaService, options: CliOptions, config: ManagerConfig): Promise<void> {
  if (!options.file) throw new UsageError('restore needs --file <archive.tar.gz>');
  const queue = new OperationQueue(config);
  try {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const manifest = await restoreBackup(resolve(options.file), {
      platform: new PlatformDatabaseAdapter(config.databaseUrl),
      peers: new BackupClient(config),
      store: new RestoreStore(prisma, (id) => queue.enqueue(id), config.secrets.keyFile),
      keyFile: config.secrets.keyFile,
      asideDir: join(config.stateDir, 'restored', stamp),
      databaseNamePrefix: config.databaseNamePrefix,
      force: options.force === true,
      say: (line) => console.log(`  ${line}`),
      repairTimeoutMs: 30 * 60_000,
    });
    console.log(`restored ${manifest.sites.length} sites from ${options.file} (made ${manifest.createdAt})`);
    console.log(
      `the archive's component keys and internal CA are in ${join(config.stateDir, 'restored', stamp)} (this installation keeps its own)`,
    );
  } finally {
    await queue.onModuleDestroy();
  }
}
