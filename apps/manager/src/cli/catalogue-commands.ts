import { readFile } from 'node:fs/promises';
import { createDatabaseHostRequestSchema, createImageRequestSchema, parseInput } from '@dais/shared';
import { z } from 'zod';
import type { ManagerConfig } from '../config/manager.config';
import { DatabaseRepository } from '../features/site-databases/database.repository';
import type { PrismaService } from '../infrastructure/prisma/prisma.service';
import { ImageRepository } from '../features/images/image.repository';
import { SecretBox } from '../infrastructure/secrets/secret-box';
import { UsageError, type CliOptions } from './cli-options';

/** `ensure-catalogue`: adds or updates every image of a JSON file (validated like the API does). */
export async function ensureCatalogue(prisma: PrismaService, options: CliOptions): Promise<void> {
  if (!options.file) throw new UsageError('--file is required');
  const entries = parseInput(z.array(createImageRequestSchema), JSON.parse(await readFile(options.file, 'utf8')), 'image catalogue');
  const images = new ImageRepository(prisma);
  for (const entry of entries) await images.upsert(entry);
  console.log(`image catalogue has ${entries.map((entry) => entry.name).join(', ')}`);
}

/** `ensure-database-host`: registers a database server, its admin password read from a file (and sealed). */
export async function ensureDatabaseHost(prisma: PrismaService, options: CliOptions, config: ManagerConfig): Promise<void> {
  const passwordFile = options['admin-password-file'];
  if (!passwordFile) throw new UsageError('--admin-password-file is required');
  const host = parseInput(
    createDatabaseHostRequestSchema,
    {
      name: options.name,
      engine: options.engine,
      adminHost: options['admin-host'],
      adminPort: Number(options['admin-port']),
      adminUser: options['admin-user'],
      adminPassword: (await readFile(passwordFile, 'utf8')).trim(),
      siteHost: options['site-host'],
      sitePort: Number(options['site-port']),
    },
    'database host',
  );
  await new DatabaseRepository(prisma, SecretBox.load(config.secrets.keyFile)).upsertHost(host);
  console.log(`database host "${host.name}" (${host.engine}) registered; sites reach it at ${host.siteHost}:${host.sitePort}`);
}
