import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { DatabaseHost } from '@dais/shared';
import { REPO_ROOT } from './dev-env';

/** The admin account `scripts/setup-databases.sh` creates on both local database servers. */
export const LOCAL_DATABASE_ADMIN = 'dais_dbadmin';

/**
 * The local PostgreSQL and MariaDB as site database hosts, administered with the passwords
 * `npm run setup` generated into `<state>/secrets/`.
 */
export function localDatabaseHosts(): { postgresql: DatabaseHost; mysql: DatabaseHost } {
  const secrets = join(process.env.DAIS_STATE_DIR ?? join(REPO_ROOT, '.dais'), 'secrets');
  return {
    postgresql: {
      engine: 'postgresql',
      adminHost: '127.0.0.1',
      adminPort: 5432,
      adminUser: LOCAL_DATABASE_ADMIN,
      adminPassword: readSecret(join(secrets, 'postgres-dbadmin-password')),
    },
    mysql: {
      engine: 'mysql',
      adminHost: '127.0.0.1',
      adminPort: 3306,
      adminUser: LOCAL_DATABASE_ADMIN,
      adminPassword: readSecret(join(secrets, 'mariadb-dbadmin-password')),
    },
  };
}

function readSecret(file: string): string {
  if (!existsSync(file)) throw new Error(`${file} not found: run \`npm run setup\` to prepare the local database hosts.`);
  const secret = readFileSync(file, 'utf8').trim();
  if (!secret) throw new Error(`${file} is empty: run \`npm run setup\` to prepare the local database hosts.`);
  return secret;
}

/** One connection to a database host, the same shape for both engines. */
export interface SqlSession {
  /** Runs one statement with `$1`-style (PostgreSQL) or `?` (MySQL) parameters; returns its rows. */
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Who logs in, and to which database (none: the engine's default). */
export interface SqlLogin {
  user: string;
  password: string;
  database?: string;
}

/** Logs in to a database host as anyone; driver errors (with their `code`) are thrown as they are. */
export async function openSession(host: DatabaseHost, login: SqlLogin): Promise<SqlSession> {
  const target = { host: host.adminHost, port: host.adminPort, user: login.user, password: login.password };
  if (host.engine === 'postgresql') {
    const client = new pg.Client({ ...target, database: login.database ?? 'postgres', connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined);
    await client.connect();
    return { query: async (sql, params) => (await client.query(sql, params)).rows as Record<string, unknown>[], close: () => client.end() };
  }
  const connection = await mysql.createConnection({
    ...target,
    connectTimeout: 5_000,
    ...(login.database ? { database: login.database } : {}),
  });
  connection.on('error', () => undefined);
  return {
    query: async (sql, params) => {
      const [rows] = await connection.query(sql, params);
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
    },
    close: () => connection.end(),
  };
}

/** A session as the host's admin. */
export function adminSession(host: DatabaseHost): Promise<SqlSession> {
  return openSession(host, { user: host.adminUser, password: host.adminPassword });
}

/**
 * Drops every database and user whose name starts with `prefix` on both local servers: what a
 * test stack (with its own DAIS_DATABASE_NAME_PREFIX) left behind. The prefix is checked to be
 * a plain identifier, so it is safe to put in the statements.
 */
export async function dropDatabasesWithPrefix(prefix: string): Promise<void> {
  if (!/^[a-z][a-z0-9]{0,9}_$/.test(prefix)) throw new Error(`refusing to drop databases by prefix ${JSON.stringify(prefix)}`);
  const like = `${prefix.replace(/_/g, '\\_')}%`;
  const hosts = localDatabaseHosts();
  const postgres = await adminSession(hosts.postgresql);
  try {
    for (const row of await postgres.query('select datname from pg_database where datname like $1', [like]))
      await postgres.query(`drop database if exists "${String(row.datname)}" with (force)`);
    for (const row of await postgres.query('select rolname from pg_roles where rolname like $1', [like]))
      await postgres.query(`drop role if exists "${String(row.rolname)}"`);
  } finally {
    await postgres.close();
  }
  const mariadb = await adminSession(hosts.mysql);
  try {
    for (const row of await mariadb.query('select schema_name as name from information_schema.schemata where schema_name like ?', [like]))
      await mariadb.query(`drop database if exists \`${String(row.name)}\``);
    for (const row of await mariadb.query('select User as name, Host as host from mysql.user where User like ?', [like]))
      await mariadb.query('drop user if exists ?@?', [row.name, row.host]);
  } finally {
    await mariadb.close();
  }
}
