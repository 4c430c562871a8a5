import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import pg from 'pg';
import { DaisError } from '@dais/shared';

/** A site as the snapshot saw it, with its database's sealed password. */
export interface SnapshotSite {
  id: number;
  name: string;
  type: 'static' | 'dynamic';
  database: {
    engine: 'postgresql' | 'mysql';
    name: string;
    username: string;
    sealedPassword: string;
    adminHost: string;
    adminPort: number;
  } | null;
}

/** An open snapshot of the platform database: read from it, dump it, then `close()`. */
export interface PlatformSnapshot {
  sites: SnapshotSite[];
  migrations: string[];
  /** pg_dump of exactly this snapshot, as plain SQL that drops what it re-creates. */
  dump(): Readable & { finished: Promise<void> };
  close(): Promise<void>;
}

/**
 * The one adapter for the platform database's dump and load (pg_dump, psql, and a `pg` session
 * holding the snapshot). The site list and the dump come from one exported snapshot, so every
 * site in the dump is backed up and none that is not. Credentials travel in the environment.
 */
export class PlatformDatabaseAdapter {
  constructor(private readonly url: string) {}

  async snapshot(): Promise<PlatformSnapshot> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const snapshotId = (await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]?.id ?? '';
      const sites = await client.query<SiteRow>(SITES_SQL);
      const migrations = await client.query<{ name: string }>(
        'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY started_at, migration_name',
      );
      return {
        sites: sites.rows.map(toSnapshotSite),
        migrations: migrations.rows.map((row) => row.name),
        dump: () =>
          this.run('pg_dump', [
            '--no-password',
            '--format=plain',
            '--clean',
            '--if-exists',
            '--no-owner',
            '--no-privileges',
            `--snapshot=${snapshotId}`,
          ]),
        close: async () => {
          await client.query('COMMIT').catch(() => undefined);
          await client.end();
        },
      };
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  /** The migrations this installation's database has applied. */
  async migrations(): Promise<string[]> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      const rows = await client.query<{ name: string }>(
        'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
      );
      return rows.rows.map((row) => row.name);
    } finally {
      await client.end();
    }
  }

  /** Loads a dump into the platform database in one transaction: on any error nothing of it stays. */
  async load(dump: Readable): Promise<void> {
    const child = spawn(
      'psql',
      ['--no-password', '--no-psqlrc', '--quiet', '--single-transaction', '--set=ON_ERROR_STOP=1', '--output=/dev/null'],
      {
        env: this.env(),
        stdio: ['pipe', 'ignore', 'pipe'],
      },
    );
    const errors = collect(child.stderr);
    const exit = exited(child);
    child.stdin.on('error', () => undefined);
    try {
      for await (const chunk of dump) if (!child.stdin.write(chunk as Buffer)) await Promise.race([once(child.stdin, 'drain'), exit]);
    } catch (error) {
      child.kill('SIGKILL'); // Before its input ends: psql never commits a cut dump.
      await exit;
      throw error;
    }
    child.stdin.end();
    check('psql', await exit, errors);
  }

  private run(command: string, args: string[]): Readable & { finished: Promise<void> } {
    const child = spawn(command, args, { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    const errors = collect(child.stderr);
    const finished = exited(child).then((status) => check(command, status, errors));
    return Object.assign(child.stdout, { finished });
  }

  /** libpq's variables from the URL (a unix socket in `?host=` included), so no password is in argv. */
  private env(): NodeJS.ProcessEnv {
    const url = new URL(this.url);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      PGDATABASE: decodeURIComponent(url.pathname.slice(1)),
      PGAPPNAME: 'dais-backup',
    };
    const socket = url.searchParams.get('host');
    env.PGHOST = socket ?? (url.hostname || 'localhost');
    if (url.port) env.PGPORT = url.port;
    if (url.username) env.PGUSER = decodeURIComponent(url.username);
    if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
    const sslmode = url.searchParams.get('sslmode');
    if (sslmode) env.PGSSLMODE = sslmode;
    return env;
  }
}

interface SiteRow {
  id: number;
  name: string;
  type: 'static' | 'dynamic';
  engine: 'postgresql' | 'mysql' | null;
  db_name: string | null;
  db_user: string | null;
  db_password: string | null;
  admin_host: string | null;
  admin_port: number | null;
}

const SITES_SQL = `SELECT s.id, s.name, s.type::text AS type, h.engine::text AS engine, d.name AS db_name, d.username AS db_user,
  d.password AS db_password, h."adminHost" AS admin_host, h."adminPort" AS admin_port
  FROM "Site" s LEFT JOIN "SiteDatabase" d ON d."siteId" = s.id AND NOT d.deleting LEFT JOIN "DatabaseHost" h ON h.id = d."hostId"
  WHERE s.state <> 'deleting' ORDER BY s.id`;

function toSnapshotSite(row: SiteRow): SnapshotSite {
  const database =
    row.engine && row.db_name && row.db_user && row.db_password && row.admin_host && row.admin_port
      ? {
          engine: row.engine,
          name: row.db_name,
          username: row.db_user,
          sealedPassword: row.db_password,
          adminHost: row.admin_host,
          adminPort: row.admin_port,
        }
      : null;
  return { id: row.id, name: row.name, type: row.type, database };
}

function collect(stream: Readable): () => string {
  let kept = '';
  stream.on('data', (chunk: Buffer) => {
    if (kept.length < 4096) kept += chunk.toString('utf8');
  });
  return () => kept.trim().slice(0, 4096);
}

function exited(child: ReturnType<typeof spawn>): Promise<number | string> {
  return new Promise((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
}

function check(command: string, status: number | string, errors: () => string): void {
  if (status === 0) return;
  if (status === 'ENOENT')
    throw new DaisError('BACKUP_TOOL_FAILED', `${command} is not installed here; install the PostgreSQL client tools (postgresql-client).`);
  throw new DaisError('BACKUP_TOOL_FAILED', `${command} failed (${status}): ${errors() || 'no message'}`);
}
