import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { serviceRuntime } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSecretsKey, writeKeyring } from '../apps/manager/src/infrastructure/secrets/secrets-keyring';
import { verifyPassword } from '../apps/manager/src/features/auth/password';
import { BrowserSession } from './support/browser-session';
import { createEmptyDatabase, type TestDatabase } from './support/database';
import { devEnv, REPO_ROOT } from './support/dev-env';
import { writeComponentKeys } from './support/keys';
import { freePorts } from './support/ports';
import { tempDir } from './support/temp-dir';

const MIGRATIONS = readdirSync(join(REPO_ROOT, 'apps/manager/prisma/migrations'), { withFileTypes: true }).filter((entry) =>
  entry.isDirectory(),
).length;
const BLOCK = /Dais: the first admin account was created\.\n {2}username: (\S+)\n {2}password: (\S+)\n/;

/** Runs the migration tool to its end; resolves with its exit code and output whatever the code. */
function migrate(url: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'apps/manager/scripts/migrate.mjs'), 'deploy'],
      { env: { ...process.env, DATABASE_URL: url } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

/** What `_prisma_migrations` holds: rows, distinct names, and rows not cleanly finished. */
async function migrationRows(database: TestDatabase) {
  const [row] = await database.query<{ rows: number; names: number; unfinished: number }>(
    `select count(*)::int as rows, count(distinct migration_name)::int as names,
            count(*) filter (where finished_at is null or rolled_back_at is not null)::int as unfinished
       from _prisma_migrations`,
  );
  return row;
}

describe('migrations on start are safe when several start at once', () => {
  it('two migration runs started together on a fresh database both succeed and apply each migration once', async () => {
    const database = await createEmptyDatabase('migrate-race');
    try {
      const runs = await Promise.all([migrate(database.url), migrate(database.url)]);
      expect(
        runs.map((r) => r.code),
        runs.map((r) => r.output).join('\n'),
      ).toEqual([0, 0]);
      // One applied everything; the other waited its turn and found nothing left to do.
      expect(runs.filter((r) => r.output.includes('Applied: '))).toHaveLength(1);
      expect(runs.filter((r) => r.output.includes('No pending migrations to apply.'))).toHaveLength(1);
      expect(await migrationRows(database)).toEqual({ rows: MIGRATIONS, names: MIGRATIONS, unfinished: 0 });
    } finally {
      await database.drop();
    }
  });
});

describe('a manager on an empty installation (DAIS_MIGRATE_ON_START, DAIS_BOOTSTRAP_ADMIN)', () => {
  let database: TestDatabase;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let env: Record<string, string>;
  const running: ChildProcess[] = [];
  /** The manager the CLI cases talk to (the one started last). */
  let managerUrl = '';

  /** Starts a manager API on `port`; resolves with its whole output once it answers /healthz. */
  async function startManager(port: number): Promise<{ child: ChildProcess; output: () => string }> {
    const runtime = serviceRuntime('manager');
    const child = spawn(process.execPath, [...runtime.nodeArgs, join(REPO_ROOT, 'apps/manager/dist/main.js')], {
      env: { ...process.env, ...runtime.env, ...env, DAIS_MANAGER_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.push(child);
    managerUrl = `http://127.0.0.1:${port}`;
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the manager exited with ${child.exitCode}:\n${output}`);
      if (
        await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return { child, output: () => output };
      if (Date.now() > deadline) throw new Error(`the manager did not answer:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function stopAll(): Promise<void> {
    await Promise.all(
      running.splice(0).map(
        (child) =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) {
              resolve(undefined);
              return;
            }
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }),
      ),
    );
  }

  const admin = (args: string[], input?: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [join(REPO_ROOT, 'apps/manager/dist/cli/admin.js'), ...args],
        { env: { ...process.env, ...env } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin?.end(input ?? '');
    });

  beforeAll(async () => {
    database = await createEmptyDatabase('first-start');
    dir = await tempDir('first-start');
    await writeComponentKeys(join(dir.path, 'keys'), ['manager', 'orchestrator', 'router', 'shell']);
    writeKeyring(join(dir.path, 'secrets/secrets.key'), [newSecretsKey()]);
    env = {
      DAIS_STATE_DIR: dir.path,
      DATABASE_URL: database.url,
      REDIS_URL: devEnv().redisUrl,
      DAIS_QUEUE_PREFIX: `test-first-start-${process.pid}`,
      DAIS_MANAGER_ROLE: 'api',
      DAIS_MIGRATE_ON_START: 'true',
      DAIS_BOOTSTRAP_ADMIN: 'root',
      // The cases sign in right after a refused sign-in on purpose: no sign-in delay to wait out.
      DAIS_LOGIN_BASE_DELAY_MS: '1',
      DAIS_LOG_LEVEL: 'warn',
    };
  });

  afterAll(async () => {
    await stopAll();
    await database.drop();
    await dir.remove();
  });

  it('two managers started together migrate once, and exactly one prints the first admin once', async () => {
    const [first, second] = await freePorts(2);
    const managers = await Promise.all([startManager(first!), startManager(second!)]);
    expect(await migrationRows(database)).toEqual({ rows: MIGRATIONS, names: MIGRATIONS, unfinished: 0 });
    const blocks = managers.map((manager) => BLOCK.exec(manager.output())).filter((match) => match !== null);
    expect(blocks, managers.map((manager) => manager.output()).join('\n---\n')).toHaveLength(1);
    const [, username, password = ''] = blocks[0]!;
    expect(username).toBe('root');
    const users = await database.query<{ username: string; role: string; passwordHash: string }>(
      `select username, role, "passwordHash" from "User"`,
    );
    expect(users.map((user) => [user.username, user.role])).toEqual([['root', 'admin']]);
    expect(await verifyPassword(users[0]!.passwordHash, password)).toBe(true);
    const audit = await database.query<{ action: string }>(`select action from "AuditEvent" where action = 'user.bootstrap'`);
    expect(audit).toHaveLength(1);
    // The password is printed nowhere else: not in the other manager's log.
    expect(managers.filter((manager) => manager.output().includes(password))).toHaveLength(1);

    // A later start (an upgrade, a restart) finds the admin and prints nothing.
    await stopAll();
    const later = await startManager(first!);
    expect(later.output()).not.toMatch(/first admin/);
    expect(later.output()).toContain('No pending migrations to apply.');
  });

  it('dais-admin reset-password <name> prints a new password once, ends sessions and tokens, and is audited', async () => {
    if (running.length === 0) await startManager((await freePorts(1))[0]!);
    const base = managerUrl;
    const token = (await admin(['create-token', '--username', 'root', '--role', 'admin'])).stdout.trim();
    // Another token without --role keeps the admin an admin (it once made them a user).
    const second = (await admin(['create-token', '--username', 'root'])).stdout.trim();
    const asRoot = await fetch(`${base}/api/users`, { headers: { authorization: `Bearer ${second}` } });
    expect(asRoot.status).toBe(200);
    const generated = await admin(['reset-password', 'root']);
    expect(generated.code, generated.stderr).toBe(0);
    const password = /with the password (\S+) /.exec(generated.stdout)?.[1] ?? '';
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const browser = new BrowserSession(base);
    expect((await browser.login('root', password)).status).toBe(200);
    expect((await browser.request('GET', '/api/auth/me')).status).toBe(200);

    // --stdin: the admin chooses it; it is printed nowhere, and the browser signed in before is out.
    const chosen = 'a chosen password 42';
    const fromStdin = await admin(['reset-password', 'root', '--stdin'], `${chosen}\n`);
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect(fromStdin.stdout + fromStdin.stderr).not.toContain(chosen);
    expect((await browser.request('GET', '/api/auth/me')).status).toBe(401);
    expect((await new BrowserSession(base).login('root', password)).status).toBe(401);
    expect((await new BrowserSession(base).login('root', chosen)).status).toBe(200);
    const tokenAnswer = await fetch(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(tokenAnswer.status).toBe(401);
    const audit = await database.query<{ actorName: string; details: { from: string } }>(
      `select "actorName", details from "AuditEvent" where action = 'user.password.reset' order by id`,
    );
    expect(audit.map((entry) => [entry.actorName, entry.details.from])).toEqual([
      ['dais-admin', 'generated'],
      ['dais-admin', 'stdin'],
    ]);

    const tooShort = await admin(['reset-password', 'root', '--stdin'], 'short\n');
    expect(tooShort.code).toBe(1);
    expect(tooShort.stderr).toContain('the password on standard input must be at least 10 characters');
    expect((await new BrowserSession(base).login('root', chosen)).status).toBe(200);
    const nobody = await admin(['reset-password', 'nobody']);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('there is no user "nobody"');
  });
});
