import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnvFile } from '@dais/shared';

/** The repository root. */
export const REPO_ROOT = resolve(__dirname, '../..');

/**
 * The settings `npm run setup` wrote: tests reuse its PostgreSQL role (which may create
 * databases) and Redis, and make everything else (databases, ports, folders) their own.
 */
export function devEnv(): { databaseUrl: string; redisUrl: string; stateDir: string } {
  const stateDir = process.env.DAIS_STATE_DIR ?? join(REPO_ROOT, '.dais');
  const file = join(stateDir, 'dais.env');
  if (!existsSync(file)) throw new Error(`${file} not found: run \`npm run setup\` before the integration tests.`);
  const env = parseEnvFile(readFileSync(file, 'utf8'));
  if (!env.DATABASE_URL) throw new Error(`${file} has no DATABASE_URL`);
  return { databaseUrl: env.DATABASE_URL, redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379', stateDir };
}
