import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

/** Migrations could not be applied; the message is the migration tool's own last word. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** The project's one migration tool, found from this file so any working directory works. */
const MIGRATE_SCRIPT = resolve(__dirname, '../../scripts/migrate.mjs');

/**
 * Applies pending migrations with scripts/migrate.mjs (the only code that drives Prisma's schema
 * engine). It takes an advisory lock, so managers starting together take turns and the later ones
 * find nothing to do. Its output is passed on line by line, prefixed, as part of the manager's log.
 */
export function applyMigrations(databaseUrl: string, log: (line: string) => void): Promise<void> {
  return new Promise((done, fail) => {
    // Only what the tool needs: the database and where node is.
    execFile(process.execPath, [MIGRATE_SCRIPT, 'deploy'], { env: { DATABASE_URL: databaseUrl } }, (error, stdout, stderr) => {
      for (const line of stdout.split('\n').filter(Boolean)) log(`migrations: ${line}`);
      if (!error) {
        done();
        return;
      }
      const lastWords = stderr.trim().split('\n').filter(Boolean).at(-1) ?? error.message;
      fail(new MigrationError(`migrations failed: ${lastWords.replace(/^migrate: /, '')}`));
    });
  });
}
