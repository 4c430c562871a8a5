import type { ManagerConfig } from '../config/manager.config';
import { PrismaService } from '../infrastructure/prisma/prisma.service';
import { applyMigrations } from './apply-migrations';
import { bootstrapFirstAdmin } from './first-admin';

/**
 * What must be true of PostgreSQL before the manager serves or works: the schema current (when
 * `DAIS_MIGRATE_ON_START`), and a first admin in an empty installation (when `DAIS_BOOTSTRAP_ADMIN`).
 * Runs before anything listens, so a failure here leaves nothing half-started.
 */
export async function prepareDatabase(config: ManagerConfig, log: (text: string) => void): Promise<void> {
  if (config.startup.migrate) await applyMigrations(config.databaseUrl, (line) => log(`manager: ${line}`));
  const username = config.startup.bootstrapAdmin;
  if (username === null) return;
  const prisma = new PrismaService(config);
  try {
    const block = await bootstrapFirstAdmin(prisma, username);
    if (block) log(block);
  } finally {
    await prisma.$disconnect();
  }
}
