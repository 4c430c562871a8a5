import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryNonceStore, TRUSTED_ROUTES, type DatabaseHost } from '@dais/shared';
import { createComponentServer } from '@dais/shared/fastify';
import { adminSession, localDatabaseHosts, openSession, type SqlLogin, type SqlSession } from '../../../test/support/database-hosts';
import { writeComponentKeys } from '../../../test/support/keys';
import { freePort } from '../../../test/support/ports';
import { signedFetch, type TestSigner } from '../../../test/support/signed-fetch';
import { tempDir } from '../../../test/support/temp-dir';
import { createSiteDatabaseService } from '../src/databases/site-databases';
import { registerDatabaseRoutes } from '../src/http/databases.routes';

const RUN = randomBytes(3).toString('hex');
const ENGINES = ['postgresql', 'mysql'] as const;
/** A password the contract accepts: 32 characters of A-Z, a-z, 0-9, _ and -. */
const newPassword = (): string => randomBytes(24).toString('base64url');

interface TestSite {
  siteId: number;
  name: string;
  username: string;
}

/**
 * Names unique to this run and engine; a site's user has its database's name. B's name, read as a
 * MySQL grant pattern (`_` = any character), also matches A's.
 */
function sitesFor(engine: DatabaseHost['engine']) {
  const p = `d${engine === 'postgresql' ? 'p' : 'm'}${RUN}`;
  const site = (siteId: number, name: string): TestSite => ({ siteId, name, username: name });
  return {
    a: site(1, `${p}xa`),
    b: site(2, `${p}_a`),
    c: site(3, `${p}_c`),
    hostile: site(9, `${p}_h`),
    powerful: site(4, `${p}_pw`),
    taken: site(5, `${p}_tk`),
    owner: site(6, `${p}_ow`),
    shared: site(7, `${p}_sh`),
  } satisfies Record<string, TestSite>;
}

describe('site databases (real PostgreSQL and MariaDB, signed API)', () => {
  const hosts = localDatabaseHosts();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: FastifyInstance;
  let api: string;
  let manager: TestSigner;

  const put = (siteId: number, body: unknown) => signedFetch(api, manager, 'PUT', `/v1/databases/${siteId}`, { body });
  const del = (siteId: number, body: unknown) => signedFetch(api, manager, 'DELETE', `/v1/databases/${siteId}`, { body });
  const spec = (host: DatabaseHost, site: TestSite, password: string) => ({ ...drop(host, site), password });
  const drop = (host: DatabaseHost, site: TestSite) => ({ siteId: site.siteId, host, name: site.name, username: site.username });

  beforeAll(async () => {
    dir = await tempDir('site-databases');
    const keys = await writeComponentKeys(join(dir.path, 'keys'), ['manager', 'orchestrator', 'shell']);
    manager = { callerId: 'manager', privateKey: keys.manager!, audience: 'orchestrator' };
    server = createComponentServer({
      id: 'orchestrator',
      keysDir: join(dir.path, 'keys'),
      trustedRoutes: TRUSTED_ROUTES.orchestrator,
      nonces: new MemoryNonceStore(),
      bodyLimitBytes: 1024 * 1024,
      logLevel: 'silent',
    });
    registerDatabaseRoutes(server, createSiteDatabaseService());
    api = await server.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await server.close();
    await dir.remove();
    for (const engine of ENGINES) await cleanUp(hosts[engine], Object.values(sitesFor(engine)));
  });

  describe.each(ENGINES)('%s', (engine) => {
    const host = hosts[engine];
    const sites = sitesFor(engine);
    const passwords = { a: newPassword(), a2: newPassword(), b: newPassword() };
    const loginA = (password: string): SqlLogin => ({ user: sites.a.username, password, database: sites.a.name });

    it('creates the database and a user that can log in and use it', async () => {
      const answer = await put(1, spec(host, sites.a, passwords.a));
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ siteId: 1, engine, name: sites.a.name, username: sites.a.username, changed: true });
      expect(await addNote(host, loginA(passwords.a))).toBe(1);
    });

    it('repeating the same PUT changes nothing and keeps the data', async () => {
      const answer = await put(1, spec(host, sites.a, passwords.a));
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ changed: false });
      expect(await addNote(host, loginA(passwords.a))).toBe(2);
    });

    it('rotates the password: the old one is refused, the new one works on the same data', async () => {
      const answer = await put(1, spec(host, sites.a, passwords.a2));
      expect(answer.json).toMatchObject({ changed: false });
      expect(AUTH_FAILED[engine]).toContain(await loginError(host, loginA(passwords.a)));
      expect(await addNote(host, loginA(passwords.a2))).toBe(3);
    });

    it("keeps another site's user out, even one whose database name matches as a grant pattern", async () => {
      expect((await put(2, spec(host, sites.b, passwords.b))).json).toMatchObject({ changed: true });
      expect(await addNote(host, { user: sites.b.username, password: passwords.b, database: sites.b.name })).toBe(1);
      const intruder = { user: sites.b.username, password: passwords.b, database: sites.a.name };
      expect(await loginError(host, intruder)).toBe(NO_ACCESS[engine]);
    });

    it('refuses a database that belongs to another user, or a user that owns another database (409), changing nothing', async () => {
      await createForeign(host, sites.taken.name, sites.owner.username);
      const ownedByAnother = await put(5, spec(host, sites.taken, newPassword()));
      expect(ownedByAnother.status).toBe(409);
      expect(ownedByAnother.json).toMatchObject({ error: { code: 'DATABASE_CONFLICT' } });
      const ownsAnother = await put(6, spec(host, sites.owner, newPassword()));
      expect(ownsAnother.status).toBe(409);
      expect(ownsAnother.json).toMatchObject({ error: { code: 'DATABASE_CONFLICT' } });
      expect(await existing(host, sites.owner)).toEqual({ database: false, user: true });
      expect(await addNote(host, loginA(passwords.a2))).toBe(4);
    });

    it('refuses to take over a user with global privileges (409) and leaves its password alone', async () => {
      const password = newPassword();
      await createPowerfulUser(host, sites.powerful.username, password);
      const answer = await put(4, spec(host, sites.powerful, newPassword()));
      expect(answer.status).toBe(409);
      expect(answer.json).toMatchObject({ error: { code: 'DATABASE_CONFLICT' } });
      expect(await loginError(host, { user: sites.powerful.username, password })).toBe('logged in');
      expect((await existing(host, sites.powerful)).database).toBe(false);
    });

    it.runIf(engine === 'mysql')('refuses a host where every user (PUBLIC) holds privileges a site user would share (409)', async () => {
      const admin = await adminSession(host);
      try {
        await admin.query(`GRANT SELECT ON \`${sites.shared.name}_pub\`.* TO PUBLIC`);
        const answer = await put(7, spec(host, sites.shared, newPassword()));
        expect(answer.status).toBe(409);
        expect((answer.json as { error: { message: string } }).error.message).toContain(`\`${sites.shared.name}_pub\`.*,`);
        expect(await existing(host, sites.shared)).toEqual({ database: false, user: false });
      } finally {
        await admin.query(`REVOKE SELECT ON \`${sites.shared.name}_pub\`.* FROM PUBLIC`);
        await admin.close();
      }
      expect((await put(7, spec(host, sites.shared, newPassword()))).status).toBe(200);
    });

    it('drops the database and its user, ending open sessions; a repeated drop is harmless', async () => {
      const open = await openSession(host, loginA(passwords.a2));
      const answer = await del(1, drop(host, sites.a));
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ siteId: 1, engine, name: sites.a.name, username: sites.a.username, changed: true });
      expect(await existing(host, sites.a)).toEqual({ database: false, user: false });
      await expect(open.query('SELECT 1')).rejects.toThrow();
      await open.close().catch(() => undefined);
      expect(AUTH_FAILED[engine]).toContain(await loginError(host, { user: sites.a.username, password: passwords.a2 }));
      expect((await del(1, drop(host, sites.a))).json).toMatchObject({ changed: false });
      expect(await addNote(host, { user: sites.b.username, password: passwords.b, database: sites.b.name })).toBe(2);
    });

    describe('refuses hostile or malformed input with a 400, touching nothing', () => {
      const base = () => spec(host, sites.hostile, newPassword());
      const reservedDatabase = engine === 'postgresql' ? 'postgres' : 'mysql';
      it.each([
        ['a name that closes the quote and drops a database', { name: 'x"; DROP DATABASE postgres; --' }],
        ['a name with a quote', { name: "a'b" }],
        ['a name with a backtick', { name: 'a`b' }],
        ['an uppercase name', { name: 'Shop' }],
        ['a 33-character name', { name: 'a'.repeat(33) }],
        ['a 64-character name', { name: 'a'.repeat(64) }],
        ['a user name that escapes its account', { username: "u'@'%' --" }],
        ['a password with quotes', { password: `it's-"quoted"-${'x'.repeat(24)}` }],
        ['a password with spaces', { password: `with spaces ${'x'.repeat(24)}` }],
        ['a password with a backslash', { password: `back\\slash${'x'.repeat(24)}` }],
        ['a short password', { password: 'short' }],
        ['an unknown field', { superuser: true }],
        ['an unknown field on the host', { host: { ...host, ssl: false } }],
        ['an unknown engine', { host: { ...host, engine: 'oracle' } }],
        ['a mismatched siteId', { siteId: 8 }],
        ['a reserved database name', { name: reservedDatabase, username: reservedDatabase }],
        ["the host's admin user as the site's user", { name: host.adminUser, username: host.adminUser }],
        ['a user named unlike its database', { username: `${sites.hostile.name}x` }],
      ])('%s', async (_label, change: Record<string, unknown>) => {
        const body = { ...base(), ...change };
        const answer = await put(9, body);
        expect(answer.status).toBe(400);
        expect(answer.json).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
        expect(JSON.stringify(answer.json)).not.toContain(body.password);
        expect(await existing(host, sites.hostile)).toEqual({ database: false, user: false });
      });

      it('a PUT without a password', async () => {
        expect((await put(9, drop(host, sites.hostile))).status).toBe(400);
        expect(await existing(host, sites.hostile)).toEqual({ database: false, user: false });
      });

      it.each([
        ['a reserved database', { name: reservedDatabase, username: reservedDatabase }],
        ["the host's admin user", { name: host.adminUser, username: host.adminUser }],
        ['a hostile name', { name: `${reservedDatabase}; --` }],
      ])('a DELETE of %s', async (_label, change) => {
        const answer = await del(9, { ...drop(host, sites.hostile), ...change });
        expect(answer.status).toBe(400);
        expect(await loginError(host, { user: host.adminUser, password: host.adminPassword, database: reservedDatabase })).toBe(
          'logged in',
        );
      });
    });

    it('answers 503 DATABASE_HOST_UNAVAILABLE when the host cannot be reached', async () => {
      const closed = { ...host, adminPort: await freePort() };
      const answer = await put(9, spec(closed, sites.hostile, newPassword()));
      expect(answer.status).toBe(503);
      expect(answer.json).toMatchObject({ error: { code: 'DATABASE_HOST_UNAVAILABLE' } });
      expect((answer.json as { error: { message: string } }).error.message).toContain(`127.0.0.1:${closed.adminPort}`);
    });

    it('answers DATABASE_HOST_REFUSED, readably and without secrets, when the admin password is wrong', async () => {
      const wrong = { ...host, adminPassword: `wrong-${RUN}` };
      const sitePassword = newPassword();
      const answer = await put(9, spec(wrong, sites.hostile, sitePassword));
      expect(answer.status).toBe(502);
      const { error } = answer.json as { error: { code: string; message: string } };
      expect(error.code).toBe('DATABASE_HOST_REFUSED');
      expect(error.message).toContain(`host ${host.adminHost}:${host.adminPort} refused the admin credentials for ${host.adminUser}`);
      for (const secret of [wrong.adminPassword, host.adminPassword, sitePassword])
        expect(JSON.stringify(answer.json)).not.toContain(secret);
      expect(await existing(host, sites.hostile)).toEqual({ database: false, user: false });
    });
  });
});

/**
 * What each engine's driver says when a login is refused, and when a user may not enter a database.
 * MariaDB answers a user that does not exist with a randomly chosen plugin (so names cannot be
 * probed), hence two codes. PostgreSQL refuses a site role at pg_hba.conf (28000: setup's lines for
 * `+dais_sites`) before the database's CONNECT privilege is even looked at.
 */
const AUTH_FAILED = { postgresql: ['28P01'], mysql: ['ER_ACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR'] } as const;
const NO_ACCESS = { postgresql: '28000', mysql: 'ER_DBACCESS_DENIED_ERROR' } as const;

/** Logs in, adds a row to a `notes` table (creating it) and returns how many rows it holds. */
async function addNote(host: DatabaseHost, login: SqlLogin): Promise<number> {
  const session = await openSession(host, login);
  try {
    await session.query('CREATE TABLE IF NOT EXISTS notes (body VARCHAR(100))');
    await session.query("INSERT INTO notes (body) VALUES ('hello')");
    const [row] = await session.query('SELECT COUNT(*) AS n FROM notes');
    return Number(row?.n);
  } finally {
    await session.close();
  }
}

/** The driver's error code for this login, or "logged in". */
async function loginError(host: DatabaseHost, login: SqlLogin): Promise<string> {
  let session: SqlSession;
  try {
    session = await openSession(host, login);
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
  await session.close();
  return 'logged in';
}

async function existing(host: DatabaseHost, site: TestSite): Promise<{ database: boolean; user: boolean }> {
  const admin = await adminSession(host);
  try {
    const [row] =
      host.engine === 'postgresql'
        ? await admin.query(
            'SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS database, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $2) AS "user"',
            [site.name, site.username],
          )
        : await admin.query(
            "SELECT EXISTS (SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?) AS `database`, EXISTS (SELECT 1 FROM mysql.user WHERE User = ? AND Host = '%') AS `user`",
            [site.name, site.username],
          );
    return { database: Boolean(Number(row?.database)), user: Boolean(Number(row?.user)) };
  } finally {
    await admin.close();
  }
}

/** A database owned by another user, and that user (both as the host's admin, outside any site). */
async function createForeign(host: DatabaseHost, database: string, owner: string): Promise<void> {
  const admin = await adminSession(host);
  try {
    if (host.engine === 'postgresql') {
      await admin.query(`CREATE ROLE "${owner}" LOGIN PASSWORD '${newPassword()}'`);
      await admin.query(`GRANT "${owner}" TO CURRENT_USER`);
      await admin.query(`CREATE DATABASE "${database}" OWNER "${owner}"`);
    } else {
      await admin.query(`CREATE USER '${owner}'@'%' IDENTIFIED BY '${newPassword()}'`);
      await admin.query(`CREATE DATABASE \`${database}\``);
      await admin.query(`GRANT ALL PRIVILEGES ON \`${database.replaceAll('_', '\\_')}\`.* TO '${owner}'@'%'`);
    }
  } finally {
    await admin.close();
  }
}

/** A user no site should own: it may create databases (PostgreSQL) or see every session (MySQL). */
async function createPowerfulUser(host: DatabaseHost, username: string, password: string): Promise<void> {
  const admin = await adminSession(host);
  try {
    if (host.engine === 'postgresql') await admin.query(`CREATE ROLE "${username}" LOGIN CREATEDB PASSWORD '${password}'`);
    else {
      await admin.query(`CREATE USER '${username}'@'%' IDENTIFIED BY '${password}'`);
      await admin.query(`GRANT PROCESS ON *.* TO '${username}'@'%'`);
    }
  } finally {
    await admin.close();
  }
}

/** Drops whatever this run left behind, as the host's admin (names are generated, so quoting is safe). */
async function cleanUp(host: DatabaseHost, sites: TestSite[]): Promise<void> {
  const admin = await adminSession(host);
  const statements = sites.flatMap(({ name, username }) =>
    host.engine === 'postgresql'
      ? [`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`, `DROP ROLE IF EXISTS "${username}"`]
      : [`DROP DATABASE IF EXISTS \`${name}\``, `DROP USER IF EXISTS '${username}'@'%'`],
  );
  try {
    for (const statement of statements) await admin.query(statement).catch(() => undefined);
  } finally {
    await admin.close();
  }
}
