import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { DaisError, type DatabaseHost, type SiteDatabaseDrop, type SiteDatabaseSpec } from '@dais/shared';
import type { DatabaseEngineAdapter } from './database-engine';
import { databaseConflict, databaseHostError, errorCodeOf, errorMessageOf, type DriverFailure } from './database-errors';

const CONNECT_TIMEOUT_MS = 5_000;
const QUERY_TIMEOUT_MS = 30_000;
/** Site users connect from containers on the Docker network, whose addresses are not known in advance. */
const USER_HOST = '%';
const CREDENTIAL_CODES = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR', 'ER_HOST_NOT_PRIVILEGED']);
const PRIVILEGE_CODES = new Set([
  'ER_DBACCESS_DENIED_ERROR',
  'ER_TABLEACCESS_DENIED_ERROR',
  'ER_COLUMNACCESS_DENIED_ERROR',
  'ER_SPECIFIC_ACCESS_DENIED_ERROR',
  'ER_CANT_CREATE_USER_WITH_GRANT',
]);
const UNAVAILABLE_CODES = new Set(['PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN']);

/** What a host holds under a site's names before anything changes. */
interface MysqlState {
  userExists: boolean;
  /** The user holds global privileges: an admin or service account, never a site's. */
  powerful: boolean;
  databaseExists: boolean;
  /** Other accounts with privileges on the database. */
  otherGrantees: string[];
  /** Other databases the user has privileges on. */
  otherDatabases: string[];
  /** Databases and tables every account may use (MariaDB's `PUBLIC`), which a site's user would share. */
  publicGrants: string[];
}

/**
 * MySQL and MariaDB hosts: one database per site and one user `'name'@'%'` with every privilege
 * on it and nothing else. With `query-mysql.adapter.ts` (the SQL console), the only importer of `mysql2` in the orchestrator.
 */
export class MysqlAdapter implements DatabaseEngineAdapter {
  readonly engine = 'mysql' as const;

  /** Creates the database if missing, creates the user or sets its password, and grants it the database. */
  async ensure(spec: SiteDatabaseSpec): Promise<{ created: boolean }> {
    return withAdmin(spec.host, `create database ${spec.name} for user ${spec.username}`, [spec.password], async (connection) => {
      const state = await inspect(connection, spec);
      assertSitesOwn(spec, state, 'grant it to');
      assertNothingPublic(spec, state);
      const account = accountOf(connection, spec.username);
      const database = connection.escapeId(spec.name);
      if (!state.databaseExists) await run(connection, `CREATE DATABASE IF NOT EXISTS ${database} CHARACTER SET utf8mb4`);
      const identify = state.userExists ? 'ALTER USER' : 'CREATE USER IF NOT EXISTS';
      await run(connection, `${identify} ${account} IDENTIFIED BY ${connection.escape(spec.password)}`);
      await run(connection, `GRANT ALL PRIVILEGES ON ${grantPattern(connection, spec.name)}.* TO ${account}`);
      return { created: !state.databaseExists };
    });
  }

  /** Drops the user (and its grants), ends its sessions, then drops the database. */
  async drop(spec: SiteDatabaseDrop): Promise<{ dropped: boolean }> {
    return withAdmin(spec.host, `drop database ${spec.name} and user ${spec.username}`, [], async (connection) => {
      const state = await inspect(connection, spec);
      assertSitesOwn(spec, state, 'drop it for');
      // User first: no new session can start, and ended sessions no longer hold locks DROP DATABASE waits on.
      await run(connection, `DROP USER IF EXISTS ${accountOf(connection, spec.username)}`);
      await endSessions(connection, spec.username);
      await run(connection, `DROP DATABASE IF EXISTS ${connection.escapeId(spec.name)}`);
      return { dropped: state.userExists || state.databaseExists };
    });
  }
}

/**
 * The database as a GRANT pattern: in database-level grants `_` is a wildcard, so an unescaped
 * `shop_1` would also open `shopx1`, another site's database. Escaped, it matches only itself.
 */
function grantPattern(connection: Connection, name: string): string {
  return connection.escapeId(name.replaceAll('_', '\\_'));
}

function accountOf(connection: Connection, username: string): string {
  return `${connection.escape(username)}@${connection.escape(USER_HOST)}`;
}

async function inspect(connection: Connection, spec: SiteDatabaseDrop): Promise<MysqlState> {
  const grantee = `'${spec.username}'@'${USER_HOST}'`;
  const patterns = [spec.name, spec.name.replaceAll('_', '\\_')];
  const users = await run(connection, 'SELECT 1 FROM mysql.user WHERE User = ? AND Host = ?', [spec.username, USER_HOST]);
  const global = await run(connection, "SELECT 1 FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ? AND PRIVILEGE_TYPE <> 'USAGE'", [
    grantee,
  ]);
  const schemata = await run(connection, 'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [spec.name]);
  const grants = await run(
    connection,
    'SELECT User AS user, Host AS host, Db AS db FROM mysql.db WHERE (User = ? AND Host = ?) OR Db IN (?)',
    [spec.username, USER_HOST, patterns],
  );
  // MariaDB 10.11's own installer (not Debian's package) gives PUBLIC every privilege on `test` and `test\_%`.
  const publicGrants = await run(
    connection,
    "SELECT CONCAT('`', Db, '`.*') AS what FROM mysql.db WHERE User = 'PUBLIC' UNION SELECT CONCAT('`', Db, '`.`', Table_name, '`') FROM mysql.tables_priv WHERE User = 'PUBLIC'",
  );
  const ours = (row: RowDataPacket): boolean => row.user === spec.username && row.host === USER_HOST;
  const onThis = (row: RowDataPacket): boolean => patterns.includes(String(row.db));
  return {
    userExists: users.length > 0,
    powerful: global.length > 0,
    databaseExists: schemata.length > 0,
    otherGrantees: grants.filter((row) => onThis(row) && !ours(row)).map((row) => `'${String(row.user)}'@'${String(row.host)}'`),
    otherDatabases: grants.filter((row) => ours(row) && !onThis(row)).map((row) => String(row.db)),
    publicGrants: publicGrants.map((row) => String(row.what)),
  };
}

/** Refuses names that already belong to someone else: a site request may never take over another's. */
function assertSitesOwn(spec: SiteDatabaseDrop, state: MysqlState, verb: string): void {
  const { host, name, username } = spec;
  if (state.powerful) throw databaseConflict(host, `user ${username}@% holds global privileges a site user never has; refusing to use it.`);
  if (state.otherGrantees.length > 0) {
    throw databaseConflict(
      host,
      `database ${name} is already granted to ${state.otherGrantees.join(', ')}; refusing to ${verb} ${username}.`,
    );
  }
  if (state.otherDatabases.length > 0) {
    throw databaseConflict(
      host,
      `user ${username}@% already has database ${state.otherDatabases.join(', ')}; refusing to use it for ${name}.`,
    );
  }
}

/** Refuses a host where every account shares some privileges: a site's user must hold its own database only. */
function assertNothingPublic(spec: SiteDatabaseSpec, state: MysqlState): void {
  if (state.publicGrants.length === 0) return;
  const grants = state.publicGrants.join(', ');
  throw databaseConflict(
    spec.host,
    `every user (PUBLIC) holds privileges on ${grants}, so a site's user would share them; ` +
      `revoke them as the host's admin (REVOKE ALL ON <each> FROM PUBLIC) and try again.`,
  );
}

async function endSessions(connection: Connection, username: string): Promise<void> {
  const sessions = await run(connection, 'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ? AND ID <> CONNECTION_ID()', [
    username,
  ]);
  for (const session of sessions) {
    // A session may end by itself between the listing and the KILL.
    await run(connection, 'KILL CONNECTION ?', [Number(session.id)]).catch((error: unknown) => {
      if (errorCodeOf(error) !== 'ER_NO_SUCH_THREAD') throw error;
    });
  }
}

async function run(connection: Connection, sql: string, values: unknown[] = []): Promise<RowDataPacket[]> {
  const [rows] = await connection.query<RowDataPacket[]>({ sql, values, timeout: QUERY_TIMEOUT_MS });
  return Array.isArray(rows) ? rows : [];
}

/** Runs `work` on a fresh admin connection to the host, always closing it. */
async function withAdmin<T>(
  host: DatabaseHost,
  action: string,
  secrets: readonly string[],
  work: (connection: Connection) => Promise<T>,
): Promise<T> {
  let connection: Connection;
  try {
    connection = await createConnection({
      host: host.adminHost,
      port: host.adminPort,
      user: host.adminUser,
      password: host.adminPassword,
      connectTimeout: CONNECT_TIMEOUT_MS,
      multipleStatements: false,
    });
  } catch (error) {
    throw translate(error, host, action, secrets, true);
  }
  // A connection lost between queries is reported by the next query; unheard, it would crash the process.
  connection.on('error', () => undefined);
  try {
    return await work(connection);
  } catch (error) {
    throw error instanceof DaisError ? error : translate(error, host, action, secrets, false);
  } finally {
    await connection.end().catch(() => connection.destroy());
  }
}

function translate(error: unknown, host: DatabaseHost, action: string, secrets: readonly string[], connecting: boolean): DaisError {
  const driverCode = errorCodeOf(error);
  const fatal = (error as { fatal?: unknown } | null)?.fatal === true;
  return databaseHostError({
    failure: classify(driverCode, connecting, fatal),
    host,
    action,
    // Only the server's message: mysql2 errors also carry the statement (`sql`), password included.
    detail: errorMessageOf(error),
    secrets,
    ...(driverCode ? { driverCode } : {}),
  });
}

function classify(code: string | undefined, connecting: boolean, fatal: boolean): DriverFailure {
  if (code !== undefined && CREDENTIAL_CODES.has(code)) return connecting ? 'credentials' : 'privileges';
  if (code !== undefined && PRIVILEGE_CODES.has(code)) return connecting ? 'credentials' : 'privileges';
  if (connecting || fatal) return 'unavailable';
  return code !== undefined && (UNAVAILABLE_CODES.has(code) || /^E[A-Z]+$/.test(code)) ? 'unavailable' : 'other';
}
