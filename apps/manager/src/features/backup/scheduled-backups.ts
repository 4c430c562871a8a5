import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { BackupClient } from '../../infrastructure/peers/backup.client';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { PeriodicJobs } from '../../infrastructure/queue/periodic-jobs';
import { SecretBox } from '../../infrastructure/secrets/secret-box';
import { archivesToPrune, scheduledArchiveName } from './backup-retention';
import { backupSourcesOf, createBackup } from './backup.service';
import { PlatformDatabaseAdapter } from './platform-database.adapter';

/**
 * Scheduled backups (worker processes, when `DAIS_BACKUP_DIR` is set): once per interval for the
 * whole cluster, the same archive `dais-admin backup` writes, into that folder; after a backup
 * succeeds, the oldest scheduled archives beyond `DAIS_BACKUP_KEEP` are deleted. A failed backup
 * leaves no file and deletes nothing (the job fails and is logged).
 */
@Injectable()
export class ScheduledBackups implements OnApplicationBootstrap {
  private readonly logger = new Logger(ScheduledBackups.name);

  constructor(
    private readonly periodic: PeriodicJobs,
    private readonly box: SecretBox,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.backups.dir === null) return;
    this.periodic.schedule('scheduled-backup', this.config.backups.intervalMs, () => this.run());
  }

  /** One scheduled backup and its pruning; returns the archive's path. */
  async run(now: Date = new Date()): Promise<string> {
    const dir = this.config.backups.dir;
    if (dir === null) throw new Error('scheduled backups are off (DAIS_BACKUP_DIR is not set)');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, scheduledArchiveName(now));
    const sources = backupSourcesOf(this.config, {
      platform: new PlatformDatabaseAdapter(this.config.databaseUrl),
      peers: new BackupClient(this.config),
      secrets: this.box,
      say: () => undefined,
    });
    const manifest = await createBackup(file, sources);
    const pruned = archivesToPrune(await readdir(dir), this.config.backups.keep);
    for (const name of pruned) await rm(join(dir, name), { force: true });
    this.logger.log(`scheduled backup ${file}: ${manifest.sites.length} sites; removed ${pruned.length} older archive(s)`);
    return file;
  }
}
