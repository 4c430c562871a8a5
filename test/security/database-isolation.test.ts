import type Docker from 'dockerode';
import type { OperationView, SiteView } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, localDatabaseHosts, openSession } from '../support/database-hosts';
import { databaseClientsImage, execInSite, siteContainer, type ExecResult } from '../support/site-container';
import { TestStack } from '../support/stack';

type Engine = 'postgresql' | 'mysql';
type Connection = { name: string; username: string };
interface TestSite {
  id: number;
  connection: Connection;
  /** The site's container; null for the static neighbours, which only need a database to be attacked. */
  container: Docker.Container | null;
}

/** psql and mariadb with the credentials in the container's environment, as the site's code has them. */
const PSQL = 'PGCONNECT_TIMEOUT=5 psql "postgresql://$DB_USER:$DB_PASSWORD@$DB_HOST:$DB_PORT/$1" -v ON_ERROR_STOP=1 -Atc "$2"';
const MARIADB = 'mariadb --connect-timeout=5 -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER" -p"$DB_PASSWORD" -N -B "$DB_NAME" -e "$1"';
const MARIADB_LOCAL_FILES = MARIADB.replace('mariadb ', 'mariadb --local-infile=1 ');

/**
 * Threat: a site's code (or whoever took it over) uses the database credentials in its own
 * environment to reach beyond its database: the platform's database, the cluster's own databases,
 * another site's, the server's files. Each attack runs in the site's container, as the site's user,
 * with its own DATABASE_URL / DB_* values, against the real PostgreSQL and MariaDB of setup.
 */
describe('database isolation: a site reaches only its own database (from inside its container)', () => {
  let stack: TestStack;
  const sites: Record<'pgA' | 'pgB' | 'myA' | 'myB', TestSite> = {} as never;
  const done = (id: number) => stack.waitForOperation<OperationView>(id, undefined, 120_000);
  const inside = (site: TestSite): Docker.Container => {
    if (!site.container) throw new Error(`site ${site.id} has no container`);
    return site.container;
  };
  const psql = (site: TestSite, database: string, sql: string): Promise<ExecResult> => execInSite(inside(site), PSQL, [database, sql]);
  const mariadb = (site: TestSite, sql: string, script = MARIADB): Promise<ExecResult> => execInSite(inside(site), script, [sql]);

  /** A site with a database of the engine: dynamic on the clients image (the attacker) or static (a neighbour). */
  async function siteWithDatabase(name: string, engine: Engine, type: 'dynamic' | 'static'): Promise<TestSite> {
    const created = await stack.api<SiteView>('POST', '/api/sites', type === 'dynamic' ? { name, type, image: 'dbclients' } : { name });
    expect((await done(created.json.operation?.id ?? 0)).state).toBe('succeeded');
    const database = await stack.api<OperationView>('POST', `/api/sites/${created.json.id}/database`, { engine });
    expect((await done(database.json.id)).state).toBe('succeeded');
    const connection = (await stack.api<Connection>('GET', `/api/sites/${created.json.id}/database`)).json;
    if (type === 'static') return { id: created.json.id, connection, container: null };
    const container = await siteContainer(stack.env.DAIS_SITE_NAME_PREFIX ?? '', created.json.id);
    expect((await execInSite(container, 'echo "$DB_NAME"')).stdout.trim()).toBe(connection.name);
    return { id: created.json.id, connection, container };
  }

  beforeAll(async () => {
    const image = await databaseClientsImage();
    stack = await TestStack.start('db-isolation');
    const catalogue = await stack.api('POST', '/api/images', {
      name: 'dbclients',
      baseImage: image,
      description: 'Debian with psql and mariadb, to attack the database servers from inside a site',
      packageUpdate: null,
      packageInstall: null,
      runScript: '#!/bin/sh\nexec sleep infinity\n',
    });
    expect(catalogue.status).toBe(201);
    const [pgA, pgB, myA, myB] = await Promise.all([
      siteWithDatabase('pg-a', 'postgresql', 'dynamic'),
      siteWithDatabase('pg-b', 'postgresql', 'static'),
      siteWithDatabase('my-a', 'mysql', 'dynamic'),
      siteWithDatabase('my-b', 'mysql', 'static'),
    ]);
    Object.assign(sites, { pgA, pgB, myA, myB });
    // The first run on a machine builds the clients image (apt in a build: about a minute).
  }, 300_000);

  afterAll(async () => {
    await stack.stop();
  });

  describe('PostgreSQL', () => {
    it('lets the site use its own database', async () => {
      const own = await psql(
        sites.pgA,
        sites.pgA.connection.name,
        'CREATE TABLE notes (v int); INSERT INTO notes VALUES (1); SELECT count(*) FROM notes',
      );
      expect(own.code).toBe(0);
      expect(own.stdout.trim().split('\n').at(-1)).toBe('1');
    });

    it.each([
      ['the platform database of this installation', () => stack.database.name],
      ["setup's platform database", () => 'dais'],
      ['postgres', () => 'postgres'],
      ['template1', () => 'template1'],
      ["another site's database", () => sites.pgB.connection.name],
    ])('refuses a login to %s at pg_hba.conf', async (_label, database) => {
      const attempt = await psql(sites.pgA, database(), 'SELECT 1');
      expect(attempt.code).not.toBe(0);
      expect(attempt.stderr).toContain(`pg_hba.conf rejects connection for host`);
      expect(attempt.stderr).toContain(`user "${sites.pgA.connection.username}", database "${database()}"`);
    });

    it.each([
      [
        'writing a server file',
        "COPY (SELECT 1) TO '/tmp/dais-copy'",
        'must be superuser or have privileges of the pg_write_server_files role',
      ],
      ['reading a server file', "SELECT pg_read_file('/etc/passwd')", 'permission denied for function pg_read_file'],
      [
        'running a server program',
        "COPY (SELECT 1) TO PROGRAM 'id'",
        'must be superuser or have privileges of the pg_execute_server_program role',
      ],
      ['creating a role', 'CREATE ROLE intruder LOGIN', 'permission denied to create role'],
      ['creating a database', 'CREATE DATABASE elsewhere', 'permission denied to create database'],
      ['becoming the platform role', 'SET ROLE dais', 'permission denied to set role "dais"'],
    ])('refuses %s from its own database', async (_label, sql, refusal) => {
      const attempt = await psql(sites.pgA, sites.pgA.connection.name, sql);
      expect(attempt.code).not.toBe(0);
      expect(attempt.stderr).toContain(refusal);
    });

    it('would hold even past pg_hba.conf: no CONNECT on the platform or another site database, no CREATE in public anywhere else', async () => {
      const role = sites.pgA.connection.username;
      const [platform] = await stack.database.query<{ connect: boolean; create: boolean }>(
        "SELECT has_database_privilege($1, current_database(), 'CONNECT') AS connect, has_schema_privilege($1, 'public', 'CREATE') AS create",
        [role],
      );
      expect(platform).toEqual({ connect: false, create: false });
      const host = localDatabaseHosts().postgresql;
      for (const database of ['postgres', 'template1']) {
        const admin = await openSession(host, { user: host.adminUser, password: host.adminPassword, database });
        try {
          const [row] = await admin.query("SELECT has_schema_privilege($1, 'public', 'CREATE') AS create", [role]);
          expect(row, database).toEqual({ create: false });
        } finally {
          await admin.close();
        }
      }
      const admin = await adminSession(host);
      try {
        const [row] = await admin.query("SELECT has_database_privilege($1, $2, 'CONNECT') AS connect", [role, sites.pgB.connection.name]);
        expect(row).toEqual({ connect: false });
      } finally {
        await admin.close();
      }
    });
  });

  describe('MariaDB', () => {
    it('lets the site use its own schema, and only that one', async () => {
      expect(
        await mariadb(sites.myA, "CREATE TABLE notes (v TEXT); INSERT INTO notes VALUES ('hi'); SELECT COUNT(*) FROM notes"),
      ).toMatchObject({
        code: 0,
        stdout: '1\n',
      });
      expect((await mariadb(sites.myA, 'SHOW DATABASES')).stdout.split('\n').filter(Boolean)).toEqual([
        'information_schema',
        sites.myA.connection.name,
      ]);
      const grants = (await mariadb(sites.myA, 'SHOW GRANTS')).stdout.split('\n').filter(Boolean);
      expect(grants).toHaveLength(2);
      expect(grants[0]).toMatch(/^GRANT USAGE ON \*\.\* TO /);
      expect(grants[1]).toMatch(
        new RegExp(`^GRANT ALL PRIVILEGES ON \`${sites.myA.connection.name.replaceAll('_', '\\\\\\\\_')}\`\\.\\* TO `),
      );
    });

    it.each([
      ['the mysql schema', 'SELECT User FROM mysql.user', 'SELECT command denied'],
      ["another site's schema", () => `SHOW TABLES FROM \`${sites.myB.connection.name}\``, 'Access denied for user'],
      ['a schema of its own making', 'CREATE DATABASE test_dais', 'Access denied for user'],
      ['writing a server file', "SELECT 'x' INTO OUTFILE '/tmp/dais-outfile'", 'FILE privilege'],
      ['reading a server file into a table', "LOAD DATA INFILE '/etc/passwd' INTO TABLE notes", 'Access denied for user'],
    ])('refuses %s', async (_label, sql, refusal) => {
      const attempt = await mariadb(sites.myA, typeof sql === 'string' ? sql : sql());
      expect(attempt.code).not.toBe(0);
      expect(attempt.stderr).toContain(refusal);
    });

    it('reads no server file with LOAD_FILE()', async () => {
      expect(await mariadb(sites.myA, "SELECT LOAD_FILE('/etc/passwd') IS NULL")).toMatchObject({ code: 0, stdout: '1\n' });
    });

    it('refuses LOAD DATA LOCAL even from a client that offers its files (the server has local_infile off)', async () => {
      const attempt = await mariadb(sites.myA, "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE notes", MARIADB_LOCAL_FILES);
      expect(attempt.code).not.toBe(0);
      expect(attempt.stderr).toContain('disabled the local infile capability');
    });
  });
});
