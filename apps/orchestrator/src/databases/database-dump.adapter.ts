import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DaisError, type DatabaseConnection } from '@dais/shared';

/** How much of a tool's error output is kept for the message. */
const STDERR_KEEP_BYTES = 4_096;

/** A finished dump on local disk, to send with its length; `dispose` removes it. */
export interface SpooledDump {
  size: number;
  open(): Readable;
  dispose(): Promise<void>;
}

/**
 * The one adapter for the engines' own dump and load tools (pg_dump/psql, mysqldump/mysql), run
 * with argument arrays and the site's own credentials (the password in the environment, never in
 * argv where `ps` shows it). A dump is taken in one transaction, so it is one consistent snapshot
 * of the site's database while the site keeps writing; it is spooled to a temporary file first, so
 * a failing tool is reported as an error rather than as a cut stream.
 */
export class DatabaseDumpAdapter {
  async dump(connection: DatabaseConnection): Promise<SpooledDump> {
    const dir = await mkdtemp(join(tmpdir(), 'dais-dump-'));
    const file = join(dir, 'dump.sql');
    try {
      const tool = dumpCommand(connection);
      const child = spawn(tool.command, tool.args, { env: tool.env, stdio: ['ignore', 'pipe', 'pipe'] });
      const errors = collect(child.stderr);
      const exit = exited(child);
      await pipeline(child.stdout, createWriteStream(file, { mode: 0o600 }));
      checkExit(tool.command, await exit, errors);
      const { size } = await stat(file);
      return { size, open: () => createReadStream(file), dispose: () => rm(dir, { recursive: true, force: true }) };
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Loads a dump into the site's (existing) database as the site's user; on PostgreSQL all or nothing. */
  async load(connection: DatabaseConnection, dump: Readable): Promise<void> {
    const tool = loadCommand(connection);
    const child = spawn(tool.command, tool.args, { env: tool.env, stdio: ['pipe', 'ignore', 'pipe'] });
    const errors = collect(child.stderr);
    const exit = exited(child);
    child.stdin.on('error', () => undefined); // A tool that stopped reading has failed: its exit says why.
    try {
      for await (const chunk of dump) {
        if (child.stdin.writableEnded || child.stdin.destroyed) break;
        if (!child.stdin.write(chunk as Buffer)) await Promise.race([once(child.stdin, 'drain'), exit]);
      }
    } catch (error) {
      // Killed before its input ends, the tool never commits what it read of a bad or cut dump.
      child.kill('SIGKILL');
      await exit;
      throw error;
    }
    child.stdin.end();
    checkExit(tool.command, await exit, errors);
  }
}

interface ToolCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

function dumpCommand(c: DatabaseConnection): ToolCommand {
  assertPlainNames(c);
  if (c.engine === 'postgresql') {
    return {
      command: 'pg_dump',
      // Plain SQL that drops what it re-creates, without owners or grants: loaded as the target site's user, it owns everything.
      args: ['--no-password', '--format=plain', '--clean', '--if-exists', '--no-owner', '--no-privileges', ...pgTarget(c)],
      env: pgEnv(c),
    };
  }
  return {
    command: 'mysqldump',
    args: ['--single-transaction', '--no-tablespaces', '--skip-lock-tables', '--triggers', ...mysqlTarget(c), c.name],
    env: mysqlEnv(c),
  };
}

function loadCommand(c: DatabaseConnection): ToolCommand {
  assertPlainNames(c);
  if (c.engine === 'postgresql') {
    return {
      command: 'psql',
      args: ['--no-password', '--no-psqlrc', '--quiet', '--single-transaction', '--set=ON_ERROR_STOP=1', ...pgTarget(c)],
      env: pgEnv(c),
    };
  }
  return { command: 'mysql', args: [...mysqlTarget(c), '--connect-timeout=10', `--database=${c.name}`], env: mysqlEnv(c) };
}

/** Names go into argv: only the identifiers Dais generates, so none can read as an option. */
function assertPlainNames(c: DatabaseConnection): void {
  for (const value of [c.name, c.username]) {
    if (!/^[A-Za-z0-9_]{1,64}$/.test(value))
      throw new DaisError('VALIDATION_FAILED', `${JSON.stringify(value)} is not a database or user name Dais makes.`);
  }
}

function pgTarget(c: DatabaseConnection): string[] {
  return [`--host=${c.host}`, `--port=${c.port}`, `--username=${c.username}`, `--dbname=${c.name}`];
}

function pgEnv(c: DatabaseConnection): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, PGPASSWORD: c.password, PGCONNECT_TIMEOUT: '10', PGAPPNAME: 'dais-backup' };
}

function mysqlTarget(c: DatabaseConnection): string[] {
  return ['--protocol=TCP', `--host=${c.host}`, `--port=${c.port}`, `--user=${c.username}`];
}

function mysqlEnv(c: DatabaseConnection): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, MYSQL_PWD: c.password };
}

function collect(stream: Readable): () => string {
  let kept = '';
  stream.on('data', (chunk: Buffer) => {
    if (kept.length < STDERR_KEEP_BYTES) kept += chunk.toString('utf8');
  });
  return () => kept.slice(0, STDERR_KEEP_BYTES).trim();
}

function exited(child: ReturnType<typeof spawn>): Promise<number | string> {
  return new Promise((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
}

function checkExit(command: string, status: number | string, errors: () => string): void {
  if (status === 0) return;
  if (status === 'ENOENT')
    throw new DaisError(
      'BACKUP_TOOL_FAILED',
      `${command} is not installed on this orchestrator's host; install the database client tools.`,
    );
  // The tool's own words name the database, never the password (it travels in the environment).
  throw new DaisError('BACKUP_TOOL_FAILED', `${command} failed (${status}): ${errors() || 'no message'}`);
}
