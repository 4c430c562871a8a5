import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';

const run = promisify(execFile);
const migrate = (database: TestDatabase, command: string) =>
  run(process.execPath, [join(__dirname, '../scripts/migrate.mjs'), command], { env: { ...process.env, DATABASE_URL: database.url } }).then(
    (result) => ({ code: 0, stdout: result.stdout }),
    (error: unknown) => {
      const failure = error as { code: number; stdout: string };
      return { code: failure.code, stdout: failure.stdout };
    },
  );

describe('migrations (the offline migration tool against real PostgreSQL)', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('migrations');
  });

  afterAll(async () => {
    await database.drop();
  });

  it('brings a fresh database exactly to schema.prisma (no drift)', async () => {
    const drift = await migrate(database, 'drift');
    expect(drift).toEqual({ code: 0, stdout: 'No drift: the database matches schema.prisma.\n' });
  });

  it('applies nothing the second time', async () => {
    expect((await migrate(database, 'deploy')).stdout).toBe('No pending migrations to apply.\n');
  });

  it('records each migration the way prisma migrate does', async () => {
    const rows = await database.query<{ migration_name: string; finished: boolean }>(
      'select migration_name, finished_at is not null as finished from _prisma_migrations order by started_at',
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.finished)).toBe(true);
  });

  it('reports drift when the database was changed by hand', async () => {
    await database.query('ALTER TABLE "Site" ADD COLUMN sneaky integer');
    const drift = await migrate(database, 'drift');
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain('DROP COLUMN "sneaky"');
  });
});
