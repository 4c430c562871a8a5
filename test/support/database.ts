import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { devEnv, REPO_ROOT } from './dev-env';
import { testRunId } from './run-scope';

const run = promisify(execFile);

/** PostgreSQL's code for a connection ended by pg_terminate_backend or DROP DATABASE … WITH (FORCE). */
const ADMIN_SHUTDOWN = '57P01';

/** A fresh PostgreSQL database with every migration applied, dropped by `drop()`. */
export interface TestDatabase {
  url: string;
  name: string;
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** Creates `dais_test_<label>_<random>` and migrates it with the project's own migration tool. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const database = await createEmptyDatabase(label);
  await run(process.execPath, [join(REPO_ROOT, 'apps/manager/scripts/migrate.mjs'), 'deploy'], {
    env: { ...process.env, DATABASE_URL: database.url },
  });
  return database;
}

/** Creates `dais_test_<label>_<random>` with no schema at all (what a first start finds). */
export async function createEmptyDatabase(label: string): Promise<TestDatabase> {
  const admin = new URL(devEnv().databaseUrl);
  const name = `dais_test_${label.replace(/[^a-z0-9]/g, '_')}_${testRunId()}_${randomBytes(3).toString('hex')}`;
  const adminClient = new pg.Client({ connectionString: admin.toString() });
  await adminClient.connect();
  await adminClient.query(`CREATE DATABASE "${name}"`);
  await adminClient.end();
  const url = new URL(admin.toString());
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  return {
    url: url.toString(),
    name,
    query: async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => (await pool.query<T>(sql, params)).rows,
    drop: async () => {
      // pool.end() resolves before its connections have closed; the FORCE below may end one still
      // closing, and the pool then reports "terminating connection due to administrator command".
      pool.on('error', (error: Error & { code?: string }) => {
        if (error.code !== ADMIN_SHUTDOWN) throw error;
      });
      await pool.end();
      const client = new pg.Client({ connectionString: admin.toString() });
      await client.connect();
      try {
        // FORCE may not end a server-owned backend (an autovacuum worker on the fresh database: "must
        // be a member of the role whose process is being terminated", seen once in CI); it is gone soon.
        for (let attempt = 1; ; attempt++) {
          try {
            await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
            break;
          } catch (error) {
            if (attempt >= 10 || !/must be a member of the role/.test(String(error))) throw error;
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        }
      } finally {
        await client.end();
      }
    },
  };
}
