import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManagerConfig } from '../../src/config/manager.config';
import type { NewSite } from '../../src/features/sites/site.repository';
import { PrismaService } from '../../src/infrastructure/prisma/prisma.service';
import { SecretBox } from '../../src/infrastructure/secrets/secret-box';
import { newSecretsKey, writeKeyring } from '../../src/infrastructure/secrets/secrets-keyring';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';

/**
 * A fresh, migrated PostgreSQL database with the manager's PrismaService on it and a secrets box of its
 * own: what a repository needs, without a manager process or a Nest application.
 */
export interface RepositoryDatabase {
  database: TestDatabase;
  prisma: PrismaService;
  box: SecretBox;
  close(): Promise<void>;
}

export async function openRepositoryDatabase(label: string): Promise<RepositoryDatabase> {
  const database = await createTestDatabase(`repo_${label}`);
  // PrismaService reads only the database URL from the configuration.
  const prisma = new PrismaService({ databaseUrl: database.url } as ManagerConfig);
  const keyDir = mkdtempSync(join(tmpdir(), 'dais-repository-'));
  const keyFile = join(keyDir, 'secrets.key');
  writeKeyring(keyFile, [newSecretsKey()]);
  return {
    database,
    prisma,
    box: SecretBox.load(keyFile),
    close: async () => {
      await prisma.$disconnect();
      await database.drop();
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
}

/** Inserts an account with only the fields a test cares about. */
export async function insertUser(prisma: PrismaService, username: string, role: 'admin' | 'user' = 'user'): Promise<number> {
  return (await prisma.user.create({ data: { username, role }, select: { id: true } })).id;
}

/** A new site's fields with nothing but its name and owner chosen: a static site, no image, no packages. */
export function newSiteFields(name: string, ownerId: number, overrides: Partial<NewSite> = {}): NewSite {
  return { name, type: 'static', description: '', ownerId, imageId: null, packages: [], setupCommands: [], env: {}, ...overrides };
}
