import { execFileSync } from 'node:child_process';
import type { OperationView, SiteView, SqlQueryResult } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestStack } from './support/stack';

type ErrorAnswer = { error: { code: string; message: string; details?: Record<string, unknown> } };
type Connection = { engine: string; name: string; username: string };
type Engine = 'postgresql' | 'mysql';

describe('SQL console: one statement on a site database, as the site user', () => {
  let stack: TestStack;
  let ownerToken: string;
  let outsiderToken: string;
  /** Two sites per engine (the second to prove the first cannot read it), one site without a database. */
  const sites: Record<string, { id: number; connection: Connection }> = {};
  let bare: SiteView;

  const token = (username: string): string =>
    execFileSync(process.execPath, ['apps/manager/dist/cli/admin.js', 'create-token', '--username', username], {
      env: { ...process.env, ...stack.env },
    })
      .toString()
      .trim();
  const done = (id: number) => stack.waitForOperation<OperationView>(id, undefined, 60_000);
  const query = <T = SqlQueryResult>(site: string | number, sql: unknown, as?: string | null) =>
    stack.api<T>('POST', `/api/sites/${typeof site === 'number' ? site : sites[site]?.id}/database/query`, { sql }, as);

  /** A static site with a database of the engine, created by `as` (the admin by default). */
  const siteWithDatabase = async (name: string, engine: Engine, as?: string) => {
    const created = await stack.api<SiteView>('POST', '/api/sites', { name }, as);
    expect(created.status).toBe(202);
    expect((await done(created.json.operation?.id ?? 0)).state).toBe('succeeded');
    const database = await stack.api<OperationView>('POST', `/api/sites/${created.json.id}/database`, { engine }, as);
    expect(database.status).toBe(202);
    expect((await done(database.json.id)).state).toBe('succeeded');
    const connection = await stack.api<Connection>('GET', `/api/sites/${created.json.id}/database`, undefined, as);
    sites[name] = { id: created.json.id, connection: connection.json };
  };

  beforeAll(async () => {
    stack = await TestStack.start('sql-console');
    ownerToken = token('owner');
    outsiderToken = token('outsider');
    await siteWithDatabase('pg-a', 'postgresql');
    await siteWithDatabase('pg-b', 'postgresql');
    await siteWithDatabase('my-a', 'mysql');
    await siteWithDatabase('my-b', 'mysql');
    await siteWithDatabase('owned', 'postgresql', ownerToken);
    bare = await stack.createSite('bare');
  });

  // The stack drops the site databases it made (they live on the shared servers) when it stops.
  afterAll(() => stack.stop());

  describe.each([
    ['pg-a', 'postgresql'],
    ['my-a', 'mysql'],
  ] as const)('on %s (%s)', (site, engine) => {
    it('answers SELECT 1 with columns, rows, command and timing', async () => {
      const answer = await query(site, 'SELECT 1 AS one');
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({
        engine,
        columns: [{ name: 'one', type: engine === 'postgresql' ? 'integer' : 'int' }],
        rows: [[1]],
        rowCount: 1,
        truncated: false,
        command: 'SELECT',
      });
      expect(answer.json.durationMs).toBeGreaterThanOrEqual(0);
    });

    it('creates a table, fills it and reads it back with every value JSON-safe', async () => {
      const bytes = engine === 'postgresql' ? "'\\xdeadbeef'::bytea" : '0xdeadbeef';
      const create =
        engine === 'postgresql'
          ? 'CREATE TABLE notes (id bigint PRIMARY KEY, body text, data bytea, at timestamp, ok boolean)'
          : 'CREATE TABLE notes (id bigint PRIMARY KEY, body text, data varbinary(16), at datetime, ok boolean)';
      expect((await query(site, create)).json).toMatchObject({ command: 'CREATE', rows: [], rowCount: 0 });
      const insert = await query(site, `INSERT INTO notes VALUES (9007199254740993, 'hello', ${bytes}, '2024-01-02 03:04:05', true)`);
      expect(insert.json).toMatchObject({ command: 'INSERT', rowCount: 1 });
      const read = await query(site, 'SELECT id, body, data, at, ok FROM notes');
      expect(read.status).toBe(200);
      expect(read.json.columns.map((column) => column.name)).toEqual(['id', 'body', 'data', 'at', 'ok']);
      expect(read.json.rows).toEqual([
        [
          '9007199254740993',
          'hello',
          engine === 'postgresql' ? '\\xdeadbeef' : '0xdeadbeef',
          '2024-01-02 03:04:05',
          engine === 'postgresql' ? true : 1,
        ],
      ]);
    });

    it('returns at most 500 rows and says the answer was cut', async () => {
      const sql =
        engine === 'postgresql'
          ? 'SELECT g AS n FROM generate_series(1, 600) AS g'
          : 'WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 600) SELECT n FROM s';
      const answer = await query(site, sql);
      expect(answer.status).toBe(200);
      expect(answer.json.rows).toHaveLength(500);
      expect(answer.json.rows.at(-1)).toEqual([500]);
      expect(answer.json).toMatchObject({ rowCount: 500, truncated: true });
    });

    it('cuts values longer than 8 KB, marking them', async () => {
      const answer = await query(site, "SELECT repeat('x', 20000) AS big");
      const value = String(answer.json.rows[0]?.[0]);
      expect(value).toHaveLength(8_193);
      expect(value.endsWith('…')).toBe(true);
      expect(answer.json.truncated).toBe(true);
    });

    it('cancels a statement that runs past 5 seconds with a clear 422', async () => {
      const started = Date.now();
      const answer = await query<ErrorAnswer>(site, engine === 'postgresql' ? 'SELECT pg_sleep(10)' : 'SELECT sleep(10)');
      const elapsed = Date.now() - started;
      expect(answer.status).toBe(422);
      expect(answer.json.error.code).toBe('DATABASE_QUERY_TIMEOUT');
      expect(answer.json.error.message).toContain('ran longer than 5 s and was cancelled');
      expect(elapsed).toBeGreaterThanOrEqual(4_500);
      expect(elapsed).toBeLessThan(8_500);
    });

    it("answers a syntax error with a 400 carrying the database's own message", async () => {
      const answer = await query<ErrorAnswer>(site, 'SELEC 1');
      expect(answer.status).toBe(400);
      expect(answer.json.error.code).toBe('DATABASE_QUERY_FAILED');
      expect(answer.json.error.message).toMatch(engine === 'postgresql' ? /^syntax error at or near "SELEC"/ : /error in your SQL syntax/);
    });

    it('runs one statement, never several', async () => {
      const answer = await query<ErrorAnswer>(site, 'SELECT 1; SELECT 2');
      expect(answer.status).toBe(400);
      expect(answer.json.error.code).toBe('DATABASE_QUERY_FAILED');
    });

    it("runs as the site's own user", async () => {
      const answer = await query(site, engine === 'postgresql' ? 'SELECT current_user' : 'SELECT current_user()');
      const user = String(answer.json.rows[0]?.[0]);
      expect(user).toBe(engine === 'postgresql' ? sites[site]?.connection.username : `${sites[site]?.connection.username}@%`);
      expect(user).not.toContain('dais_dbadmin');
    });
  });

  it("cannot read another site's PostgreSQL database", async () => {
    const other = sites['pg-b']?.connection.name ?? '';
    const privilege = await query('pg-a', `SELECT has_database_privilege('${other}', 'CONNECT') AS can`);
    expect(privilege.json.rows).toEqual([[false]]);
    const crossing = await query<ErrorAnswer>('pg-a', `SELECT * FROM ${other}.public.notes`);
    expect(crossing.status).toBe(400);
    expect(crossing.json.error.message).toContain('cross-database references are not implemented');
  });

  it("cannot read another site's MySQL database", async () => {
    await query('my-b', 'CREATE TABLE secret (v int)');
    const answer = await query<ErrorAnswer>('my-a', `SELECT * FROM ${sites['my-b']?.connection.name}.secret`);
    expect(answer.status).toBe(400);
    expect(answer.json.error.message).toMatch(/denied/i);
  });

  it('refuses COPY FROM STDIN and LOAD DATA LOCAL, and keeps working afterwards', async () => {
    await query('pg-a', 'CREATE TABLE copied (v int)');
    const copy = await query<ErrorAnswer>('pg-a', 'COPY copied FROM STDIN');
    expect(copy.status).toBe(400);
    expect(copy.json.error.message).toContain('the SQL console cannot send COPY data');
    const load = await query<ErrorAnswer>('my-a', "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE notes");
    expect(load.status).toBe(400);
    expect((await query('pg-a', 'SELECT 1')).status).toBe(200);
  });

  it('lets members use the console on their own site', async () => {
    const answer = await query('owned', 'SELECT current_user', ownerToken);
    expect(answer.status).toBe(200);
    expect(answer.json.rows).toEqual([[sites.owned?.connection.username]]);
  });

  it('answers 404 to anyone who is not a member, exactly like a site that does not exist', async () => {
    for (const [site, as] of [
      ['pg-a', ownerToken],
      ['owned', outsiderToken],
    ] as const) {
      const answer = await query<ErrorAnswer>(site, 'SELECT 1', as);
      expect(answer.status).toBe(404);
      expect(answer.json.error.code).toBe('SITE_NOT_FOUND');
    }
    expect((await query<ErrorAnswer>(999_999, 'SELECT 1')).json.error.code).toBe('SITE_NOT_FOUND');
    expect((await query('pg-a', 'SELECT 1', null)).status).toBe(401);
  });

  it('answers 404 for a site without a database', async () => {
    const answer = await query<ErrorAnswer>(bare.id, 'SELECT 1');
    expect(answer.status).toBe(404);
    expect(answer.json.error.code).toBe('DATABASE_NOT_FOUND');
  });

  it.each([
    ['an empty statement', '  ', 'empty'],
    ['a statement over 100 KB', `SELECT '${'x'.repeat(110 * 1024)}'`, 'max-bytes'],
    ['a number', 42, 'invalid_type'],
  ])('refuses %s with a 400 naming the field and rule', async (_what, sql, rule) => {
    const answer = await query<ErrorAnswer>('pg-a', sql);
    expect(answer.status).toBe(400);
    expect(answer.json.error.code).toBe('VALIDATION_FAILED');
    expect(answer.json.error.details?.issues).toEqual([expect.objectContaining({ path: 'sql', rule })]);
  });

  it('refuses unknown fields and bodies past the API limit', async () => {
    const extra = await stack.api<ErrorAnswer>('POST', `/api/sites/${sites['pg-a']?.id}/database/query`, { sql: 'SELECT 1', as: 'admin' });
    expect(extra.status).toBe(400);
    const huge = await query<ErrorAnswer>('pg-a', `SELECT '${'x'.repeat(2 * 1024 * 1024)}'`);
    expect(huge.status).toBe(413);
    expect(huge.json.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('records every statement in the audit log, its first 200 characters and never its results', async () => {
    const marker = `SELECT 'audit-${'y'.repeat(300)}' AS secret_value`;
    expect((await query('pg-a', marker)).status).toBe(200);
    expect((await query<ErrorAnswer>('pg-a', 'SELEC audited')).status).toBe(400);
    const audit = await stack.api<{ events: { action: string; details: Record<string, unknown> }[] }>(
      'GET',
      `/api/audit?siteId=${sites['pg-a']?.id}&limit=5`,
    );
    const queries = audit.json.events.filter((event) => event.action === 'database.query');
    expect(queries[0]?.details).toMatchObject({ statement: 'SELEC audited', outcome: 'DATABASE_QUERY_FAILED', engine: 'postgresql' });
    expect(queries[1]?.details).toMatchObject({ statement: marker.slice(0, 200), outcome: 'ok', command: 'SELECT', rowCount: 1 });
    expect(JSON.stringify(audit.json)).not.toContain('y'.repeat(250));
  });
});
