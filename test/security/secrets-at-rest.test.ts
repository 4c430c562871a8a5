import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { OperationView, SiteView } from '@dais/shared';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSecretsKey, readKeyring, writeKeyring } from '../../apps/manager/src/infrastructure/secrets/secrets-keyring';
import { localDatabaseHosts } from '../support/database-hosts';
import { REPO_ROOT } from '../support/dev-env';
import { eventually } from '../support/http';
import { freePort } from '../support/ports';
import { TestStack } from '../support/stack';

const run = promisify(execFile);

type Connection = { password: string; url: string };
type ErrorAnswer = { error: { code: string; message: string } };

/** A run.sh that publishes what the site's process sees (its environment) and serves public/. */
const ENV_RUN_SH = '#!/bin/sh\nenv | sort > /site/public/env.txt\nexec httpd -f -p "$PORT" -h /site/public\n';
/** The secrets of this run: random, so finding one anywhere means it leaked. */
const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

/**
 * Threat: whoever gets a copy of the platform's PostgreSQL (a dump, a backup, a replica, a stolen
 * disk) but not the manager's key file learns no site secret, database password or database host
 * admin password. And /metrics, with a token set, answers only the monitoring system.
 */
describe('secrets at rest (real PostgreSQL, pg_dump, containers)', () => {
  const metricsToken = randomBytes(24).toString('hex');
  const values = { apiKey: secret('api'), other: secret('other'), legacy: secret('legacy') };
  let stack: TestStack;
  let siteA: SiteView;
  let siteB: SiteView;
  let connection: Connection;

  const keyFile = () => join(stack.stateDir, 'secrets/secrets.key');
  const siteDir = (id: number) => join(stack.stateDir, 'orchestrator/data/sites', String(id));
  const envOf = async (site: SiteView) => (await stack.visit(`${site.name}.dais.localhost`, '/env.txt')).body;
  const done = (operation: OperationView) => stack.waitForOperation<OperationView>(operation.id, undefined, 120_000);
  const dump = async () => (await run('pg_dump', ['--no-owner', stack.database.url], { maxBuffer: 64 * 1024 * 1024 })).stdout;
  const envShows = (site: SiteView, line: string) =>
    eventually(
      () => envOf(site),
      (text) => text.includes(line),
      30_000,
    );

  async function dynamicSite(name: string, secrets: Record<string, string>): Promise<SiteView> {
    const created = await stack.api<SiteView>('POST', '/api/sites', { name, type: 'dynamic', image: 'busybox' });
    expect((await done(created.json.operation!)).state).toBe('succeeded');
    await writeFile(join(siteDir(created.json.id), 'run.sh'), ENV_RUN_SH);
    await chmod(join(siteDir(created.json.id), 'run.sh'), 0o755);
    const changed = await stack.api<SiteView>('PATCH', `/api/sites/${created.json.id}`, { secrets });
    expect((await done(changed.json.operation!)).state).toBe('succeeded');
    return changed.json;
  }

  /** What a dump must not contain: every secret of this run, and both database hosts' admin passwords. */
  const secretsOfThisRun = () => [
    values.apiKey,
    values.other,
    connection.password,
    ...Object.values(localDatabaseHosts()).map((host) => host.adminPassword),
  ];

  beforeAll(async () => {
    stack = await TestStack.start('secrets', { env: { DAIS_METRICS_TOKEN: metricsToken } });
    [siteA, siteB] = await Promise.all([
      dynamicSite('vault-a', { API_KEY: values.apiKey }),
      dynamicSite('vault-b', { API_KEY: values.other }),
    ]);
    const database = await stack.api<OperationView>('POST', `/api/sites/${siteA.id}/database`, { engine: 'postgresql' });
    expect((await done(database.json)).state).toBe('succeeded');
    connection = (await stack.api<Connection>('GET', `/api/sites/${siteA.id}/database`)).json;
  });

  afterAll(async () => {
    await stack.stop();
  });

  /** Logs in with a DATABASE_URL as the site's container has it (from this host, the gateway is loopback). */
  async function connectWith(url: string): Promise<string> {
    const client = new pg.Client({ connectionString: url.replace('@172.30.0.1:', '@127.0.0.1:'), connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      return String((await client.query<{ user: string }>('SELECT current_user AS user')).rows[0]?.user);
    } finally {
      await client.end();
    }
  }

  it('gives a dynamic site its secret and a DATABASE_URL that works', async () => {
    const env = await envShows(siteA, `DATABASE_URL=${connection.url}`);
    expect(env).toContain(`API_KEY=${values.apiKey}`);
    expect(await connectWith(connection.url)).toBe(connection.url.split('://')[1]?.split(':')[0]);
  });

  it('leaves no secret in a dump of the database', async () => {
    const text = await dump();
    for (const value of secretsOfThisRun()) expect(text).not.toContain(value);
    // The dump holds the sealed values (it is not empty of them), each naming its key.
    const sealed = text.match(/s1:\d{8}-[0-9a-f]{6}:[A-Za-z0-9_-]{20,}/g) ?? [];
    expect(sealed.length).toBeGreaterThanOrEqual(5);
  });

  it('refuses a ciphertext moved to another row: the operation fails naming the secret, the site stays readable and fixable', async () => {
    await stack.database.query(
      `UPDATE "Site" SET secrets = jsonb_set(secrets, '{API_KEY}', (SELECT secrets->'API_KEY' FROM "Site" WHERE id = $2)) WHERE id = $1`,
      [siteA.id, siteB.id],
    );
    const repair = await stack.api<OperationView>('POST', `/api/sites/${siteA.id}/repair`);
    const failed = await done(repair.json);
    expect(failed.state).toBe('failed');
    expect(failed.error).toContain(`the secret API_KEY of site ${siteA.id} cannot be opened`);
    expect(failed.error).not.toContain(values.other);
    expect((await stack.api<SiteView>('GET', `/api/sites/${siteA.id}`)).json.runtime?.secretNames).toEqual(['API_KEY']);

    const fixed = await stack.api<SiteView>('PATCH', `/api/sites/${siteA.id}`, { secrets: { API_KEY: values.apiKey, FIXED: 'yes' } });
    expect((await done(fixed.json.operation!)).state).toBe('succeeded');
    expect(await envShows(siteA, 'FIXED=yes')).toContain(`API_KEY=${values.apiKey}`);
  });

  it("refuses a database password moved into another site's secrets (a coded error, never the password)", async () => {
    const [row] = await stack.database.query<{ password: string }>('SELECT password FROM "SiteDatabase" WHERE "siteId" = $1', [siteA.id]);
    await stack.database.query(`UPDATE "Site" SET secrets = jsonb_build_object('STOLEN', $2::text) WHERE id = $1`, [
      siteB.id,
      row?.password,
    ]);
    const repair = await stack.api<OperationView>('POST', `/api/sites/${siteB.id}/repair`);
    const failed = await done(repair.json);
    expect(failed.state).toBe('failed');
    expect(failed.error).toContain(`the secret STOLEN of site ${siteB.id} cannot be opened`);
    expect(failed.error).not.toContain(connection.password);
    const restored = await stack.api<SiteView>('PATCH', `/api/sites/${siteB.id}`, { secrets: { API_KEY: values.other } });
    expect((await done(restored.json.operation!)).state).toBe('succeeded');
  });

  it('rotates the key: everything stays readable, the old key is gone from file and database; a start seals plain text from before', async () => {
    const [oldKey] = readKeyring(keyFile()).keys;
    const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'apps/manager/dist/cli/admin.js'), 'rotate-secrets-key'], {
      env: { ...process.env, ...stack.env },
    });
    const keys = readKeyring(keyFile()).keys;
    expect(keys.map((key) => key.id)).not.toContain(oldKey?.id);
    expect(keys).toHaveLength(1);
    expect(stdout).toContain(`every secret is sealed with key ${keys[0]?.id}`);
    expect(stdout).toContain(`took key ${oldKey?.id} out of ${keyFile()}`);
    const text = await dump();
    expect(text).not.toContain(`s1:${oldKey?.id}:`);
    for (const value of secretsOfThisRun()) expect(text).not.toContain(value);

    // The running manager reads the new file: a change sealed now opens after a restart with it alone.
    const changed = await stack.api<SiteView>('PATCH', `/api/sites/${siteA.id}`, { secrets: { API_KEY: values.apiKey, EXTRA: 'x' } });
    expect((await done(changed.json.operation!)).state).toBe('succeeded');
    // Before this restart, a secret as the migration leaves values from before sealing: the start seals it.
    await stack.database.query(`UPDATE "Site" SET secrets = jsonb_build_object('LEGACY', $2::text) WHERE id = $1`, [
      siteB.id,
      `plain:${values.legacy}`,
    ]);
    expect(await dump()).toContain(values.legacy);
    await stack.stopProcess('manager');
    stack.startProcess('manager');
    await stack.waitUntilReady();
    expect(await dump()).not.toContain(values.legacy);

    expect((await stack.api<Connection>('GET', `/api/sites/${siteA.id}/database`)).json.password).toBe(connection.password);
    const [repairA, repairB] = await Promise.all(
      [siteA, siteB].map((site) => stack.api<OperationView>('POST', `/api/sites/${site.id}/repair`)),
    );
    expect((await done(repairA!.json)).state).toBe('succeeded');
    expect((await done(repairB!.json)).state).toBe('succeeded');
    expect(await envShows(siteA, 'EXTRA=x')).toContain(`API_KEY=${values.apiKey}`);
    expect(await envShows(siteB, `LEGACY=${values.legacy}`)).not.toContain(values.other);
    expect(await connectWith(connection.url)).toBeTruthy();
    const sql = await stack.api<{ rows: unknown[][] }>('POST', `/api/sites/${siteA.id}/database/query`, { sql: 'SELECT 1 AS one' });
    expect(sql.json.rows).toEqual([[1]]);
  });

  describe('a wrong or missing key file stops the manager with one line naming the file', () => {
    /** Starts an API process with this key file; returns its exit code and what it wrote. Killed when the test ends, whatever happened. */
    async function startWith(file: string, onTestFinished: (end: () => void) => void): Promise<{ code: number | null; output: string }> {
      const child = spawn(process.execPath, [join(REPO_ROOT, 'apps/manager/dist/main.js')], {
        env: {
          ...process.env,
          ...stack.env,
          DAIS_MANAGER_ROLE: 'api',
          DAIS_MANAGER_PORT: String(await freePort()),
          DAIS_SECRETS_KEY_FILE: file,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      onTestFinished(() => child.kill('SIGKILL'));
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      return { code, output: output.trim() };
    }

    // Four manager starts at once: each ends at its first check.
    it.concurrent.for<[string, (file: string) => void | Promise<void>, string]>([
      ['a missing file', () => undefined, 'does not exist'],
      [
        'a file readable by others',
        async (file: string) => {
          await writeFile(file, await readFile(keyFile()), { mode: 0o644 });
          await chmod(file, 0o644);
        },
        'may be read by other users (mode 644)',
      ],
      [
        "another installation's key under the same id",
        (file: string) => {
          writeKeyring(file, [{ ...newSecretsKey(), id: readKeyring(keyFile()).keys[0]?.id ?? '' }]);
        },
        'does not open the secrets sealed with its key',
      ],
      [
        'a file without the key the database uses',
        (file: string) => {
          writeKeyring(file, [newSecretsKey()]);
        },
        'has no key',
      ],
    ])('%s', async ([, prepare, reason], { expect, onTestFinished }) => {
      const file = join(stack.stateDir, `wrong-${randomBytes(3).toString('hex')}.key`);
      await prepare(file);
      const { code, output } = await startWith(file, onTestFinished);
      expect(code).toBe(1);
      expect(output.split('\n')).toHaveLength(1);
      expect(output).toMatch(new RegExp(`^manager could not start: the secrets key file ${file} `));
      expect(output).toContain(reason);
    });
  });

  describe('/metrics with a token set', () => {
    const scrape = (authorization?: string) =>
      fetch(`http://127.0.0.1:${stack.ports.manager}/metrics`, { headers: authorization ? { authorization } : {} });

    it('answers 401 without the token, with a wrong one, and with a user API token', async () => {
      for (const authorization of [undefined, `Bearer ${metricsToken.slice(0, -1)}x`, `Bearer ${stack.adminToken}`, metricsToken]) {
        const answer = await scrape(authorization);
        expect(answer.status).toBe(401);
        expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
        const body = (await answer.json()) as ErrorAnswer;
        expect(body.error.code).toBe('UNAUTHENTICATED');
        expect(JSON.stringify(body)).not.toContain(metricsToken);
      }
    });

    it('answers the metrics with it', async () => {
      const answer = await scrape(`Bearer ${metricsToken}`);
      expect(answer.status).toBe(200);
      expect(await answer.text()).toContain('dais_operations{state="succeeded"}');
    });
  });
});
