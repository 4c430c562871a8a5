import pg from 'pg';
import { DaisError, type DatabaseHost, type SiteDatabaseDrop, type SiteDatabaseSpec } from '@dais/shared';
import type { DatabaseEngineAdapter } from './database-engine';
import { databaseConflict, databaseHostError, errorCodeOf, errorMessageOf, type DriverFailure } from './database-errors';
import { scramSha256Verifier } from './scram-verifier';

const CONNECT_TIMEOUT_MS = 5_000;
const STATEMENT_TIMEOUT_MS = 30_000;
/** Error classes that mean "the server could not serve us now": 08 connection, 53 resources, 57P operator. */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P)/;
/**
 * The group every site role joins. `pg_hba.conf` rules on `+dais_sites` (docs/databases.md) admit its
 * members only to the database of their own name, so no site role reaches the platform's database,
 * `postgres`, `template1` or any database created later, whatever its PUBLIC privileges.
 */
export const SITES_GROUP = 'dais_sites';
/** Creates the group once per host; a concurrent creation by another request is not an error. */
const ENSURE_SITES_GROUP = `DO $$ BEGIN CREATE ROLE ${SITES_GROUP} NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`;

/** What a host holds under a site's names before anything changes. */
interface PostgresState {
  role: { powerful: boolean; owns: string[] } | null;
  /** Owner of the database, or null when it does not exist. */
  owner: string | null;
}

/**
 * PostgreSQL hosts: one login role and one database per site, the role owning the database, nobody
 * else allowed to connect to it, and the role a member of {@link SITES_GROUP}. With `query-postgres.adapter.ts` (the SQL console), the only importer of `pg` in the orchestrator.
 */
export class PostgresAdapter implements DatabaseEngineAdapter {
  readonly engine = 'postgresql' as const;

  /** Creates or updates the role (password as a SCRAM verifier) and creates the database if missing. */
  async ensure(spec: SiteDatabaseSpec): Promise<{ created: boolean }> {
    return withAdmin(spec.host, `create database ${spec.name} for user ${spec.username}`, [spec.password], async (client) => {
      const state = await inspect(client, spec);
      assertSitesOwn(spec, state, 'hand it to');
      const role = client.escapeIdentifier(spec.username);
      const database = client.escapeIdentifier(spec.name);
      const verifier = client.escapeLiteral(scramSha256Verifier(spec.password));
      const identify = state.role ? `ALTER ROLE ${role} WITH LOGIN` : `CREATE ROLE ${role} LOGIN`;
      await client.query(`${identify} PASSWORD ${verifier}`);
      await client.query(ENSURE_SITES_GROUP);
      await client.query(`GRANT ${SITES_GROUP} TO ${role}`);
      // Non-superuser admins may only create a database for, or drop one of, a role they belong to.
      await client.query(`GRANT ${role} TO CURRENT_USER`);
      // CREATE DATABASE cannot run inside a transaction block: each statement is its own.
      if (state.owner === null) await client.query(`CREATE DATABASE ${database} OWNER ${role}`);
      await client.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
      return { created: state.owner === null };
    });
  }

  /** Drops the database (ending its sessions) and then the role. */
  async drop(spec: SiteDatabaseDrop): Promise<{ dropped: boolean }> {
    return withAdmin(spec.host, `drop database ${spec.name} and user ${spec.username}`, [], async (client) => {
      const state = await inspect(client, spec);
      assertSitesOwn(spec, state, 'drop it for');
      const role = client.escapeIdentifier(spec.username);
      if (state.role) await client.query(`GRANT ${role} TO CURRENT_USER`);
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(spec.name)} WITH (FORCE)`);
      await client.query(`DROP ROLE IF EXISTS ${role}`);
      return { dropped: state.role !== null || state.owner !== null };
    });
  }
}

async function inspect(client: pg.Client, spec: SiteDatabaseDrop): Promise<PostgresState> {
  const roles = await client.query<{ powerful: boolean; owns: string[] }>(
    `SELECT (r.rolsuper OR r.rolcreatedb OR r.rolcreaterole OR r.rolreplication OR r.rolbypassrls
             OR EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.member = r.oid AND pg_get_userbyid(m.roleid) <> $2)) AS powerful,
            ARRAY(SELECT d.datname::text FROM pg_database d WHERE d.datdba = r.oid ORDER BY 1) AS owns
       FROM pg_roles r WHERE r.rolname = $1`,
    [spec.username, SITES_GROUP],
  );
  const databases = await client.query<{ owner: string }>('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [
    spec.name,
  ]);
  return { role: roles.rows[0] ?? null, owner: databases.rows[0]?.owner ?? null };
}

/** Refuses names that already belong to someone else: a site request may never take over another's. */
function assertSitesOwn(spec: SiteDatabaseDrop, state: PostgresState, verb: string): void {
  const { host, name, username } = spec;
  if (state.role?.powerful) {
    throw databaseConflict(host, `user ${username} exists with privileges or memberships a site user never has; refusing to use it.`);
  }
  if (state.owner !== null && state.owner !== username) {
    throw databaseConflict(host, `database ${name} already exists and belongs to ${state.owner}; refusing to ${verb} ${username}.`);
  }
  const others = state.role?.owns.filter((owned) => owned !== name) ?? [];
  if (others.length > 0)
    throw databaseConflict(host, `user ${username} already owns database ${others.join(', ')}; refusing to use it for ${name}.`);
}

/** Runs `work` on a fresh admin connection to the host's `postgres` database, always closing it. */
async function withAdmin<T>(
  host: DatabaseHost,
  action: string,
  secrets: readonly string[],
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    host: host.adminHost,
    port: host.adminPort,
    user: host.adminUser,
    password: host.adminPassword,
    database: 'postgres',
    application_name: 'dais-orchestrator',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
  });
  // A connection lost between queries is reported by the next query; unheard, it would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect().catch((error: unknown) => {
      throw translate(error, host, action, secrets, true);
    });
    return await work(client);
  } catch (error) {
    throw error instanceof DaisError ? error : translate(error, host, action, secrets, false);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function translate(error: unknown, host: DatabaseHost, action: string, secrets: readonly string[], connecting: boolean): DaisError {
  const driverCode = errorCodeOf(error);
  return databaseHostError({
    failure: classify(driverCode, errorMessageOf(error), connecting),
    host,
    action,
    detail: errorMessageOf(error),
    secrets,
    ...(driverCode ? { driverCode } : {}),
  });
}

function classify(code: string | undefined, message: string, connecting: boolean): DriverFailure {
  // 28P01 wrong password; 28000 no pg_hba.conf entry, or a role that may not log in.
  if (code === '28P01' || code === '28000') return 'credentials';
  if (code === '42501') return 'privileges';
  // pg reports connect timeouts and dropped connections without a code.
  if (code === undefined) return connecting || /connection|timeout|terminated/i.test(message) ? 'unavailable' : 'other';
  return UNAVAILABLE_SQLSTATE.test(code) || /^E[A-Z]+$/.test(code) ? 'unavailable' : 'other';
}
