import { DaisError, type DatabaseConnection } from '@dais/shared';
import type { PrismaService } from '../../infrastructure/prisma/prisma.service';
import { DatabaseRepository, type NewDatabaseHost } from '../site-databases/database.repository';
import { createOperationRow } from '../operations/operation.repository';
import { consoleConnectionOf } from '../site-databases/console-connection';
import { SiteRepository } from '../sites/site.repository';
import { SecretBox } from '../../infrastructure/secrets/secret-box';

/** How often a restore looks at its repair operations. */
const POLL_MS = 250;

/**
 * What a restore reads and writes in the (restored) platform database through Prisma: the only
 * place it touches rows. Repairs are ordinary operations, run by the installation's workers.
 */
export class RestoreStore {
  private box: SecretBox | undefined;

  constructor(
    private readonly prisma: PrismaService,
    private readonly enqueue: (operationId: number) => Promise<void>,
    private readonly keyFile: string,
  ) {}

  siteCount(): Promise<number> {
    return this.prisma.site.count();
  }

  /** This installation's database hosts, admin passwords opened: kept over the archive's (below). */
  async ownDatabaseHosts(): Promise<NewDatabaseHost[]> {
    const box = SecretBox.load(this.keyFile);
    const hosts = await new DatabaseRepository(this.prisma, box).listHosts();
    return hosts.map(({ id: _id, createdAt: _createdAt, adminPassword, ...host }) => ({ ...host, adminPassword: box.open(adminPassword) }));
  }

  /**
   * Puts this installation's database hosts back over the restored ones of the same name and engine
   * (same row, so sites keep theirs): a host is where this installation reaches its own server
   * (setup and the compose manager register them), and the source's address for it may be another
   * machine's or, beside the source, the source's own server. Returns the names kept.
   */
  async keepDatabaseHosts(own: readonly NewDatabaseHost[]): Promise<string[]> {
    const repository = new DatabaseRepository(this.prisma, SecretBox.load(this.keyFile));
    const restored = new Map((await repository.listHosts()).map((host) => [host.name, host.engine]));
    const kept: string[] = [];
    for (const host of own) {
      const engine = restored.get(host.name);
      if (engine !== undefined && engine !== host.engine) continue;
      await repository.upsertHost(host);
      kept.push(host.name);
    }
    return kept;
  }

  /** Site databases get this installation's name prefix, so they never collide with the source's on a shared server. */
  async renameDatabases(from: string, to: string): Promise<void> {
    const databases = await this.prisma.siteDatabase.findMany({ select: { id: true, name: true, username: true } });
    for (const database of databases) {
      const name = reprefix(database.name, from, to);
      const username = reprefix(database.username, from, to);
      await this.prisma.siteDatabase.update({ where: { id: database.id }, data: { name, username } });
    }
  }

  /** Writes a repair operation for each site, queues them, and waits until every one has succeeded. */
  async repairAll(siteIds: readonly number[], timeoutMs: number): Promise<void> {
    const operations: number[] = [];
    for (const siteId of siteIds) {
      const operation = await this.prisma.$transaction(async (tx) => {
        const site = await tx.site.findUniqueOrThrow({ where: { id: siteId }, include: { database: true } });
        return createOperationRow(
          tx,
          { id: site.id, name: site.name, type: site.type, hasDatabase: Boolean(site.database && !site.database.deleting) },
          'repair_site',
          null,
        );
      });
      operations.push(operation.id);
      await this.enqueue(operation.id);
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await this.prisma.operation.findMany({
        where: { id: { in: operations } },
        select: { id: true, siteName: true, state: true, error: true },
      });
      const failed = rows.find((row) => row.state === 'failed');
      if (failed)
        throw new DaisError(
          'OPERATION_NOT_RETRYABLE',
          `Rebuilding site ${failed.siteName} failed: ${failed.error ?? 'no reason given'}. Fix it, then run the restore again with --force.`,
        );
      if (rows.every((row) => row.state === 'succeeded')) return;
      if (Date.now() > deadline)
        throw new DaisError(
          'PEER_UNAVAILABLE',
          "The sites were not rebuilt in time: is the manager's worker running? Run the restore again with --force.",
        );
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  async dynamicSiteIds(): Promise<number[]> {
    const sites = await this.prisma.site.findMany({ where: { type: 'dynamic' }, select: { id: true }, orderBy: { id: 'asc' } });
    return sites.map((site) => site.id);
  }

  /** The site's own connection to its database, as the SQL console connects (opened with the key file as it is after the restore). */
  async connectionOf(siteId: number): Promise<DatabaseConnection | null> {
    this.box ??= SecretBox.load(this.keyFile);
    const site = await new SiteRepository(this.prisma, this.box).find(siteId);
    return site ? consoleConnectionOf(site, this.box) : null;
  }
}

function reprefix(name: string, from: string, to: string): string {
  const renamed = name.startsWith(from) ? `${to}${name.slice(from.length)}` : name;
  if (renamed.length > 32)
    throw new DaisError(
      'VALIDATION_FAILED',
      `Database ${name} would be named ${renamed}, longer than 32 characters; shorten DAIS_DATABASE_NAME_PREFIX.`,
    );
  return renamed;
}
