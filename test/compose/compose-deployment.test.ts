import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/dev-env';
import { treeDigest } from '../support/backup-archives';
import { eventually, getWithHost } from '../support/http';
import { registerNewSshKey, SshClient, type SshCredential } from '../support/ssh-client';
import { tempDir } from '../support/temp-dir';
import { ComposeProject } from './compose-project';

/**
 * The admin's deployment (docs/deployment.md), end to end: the images `npm run images` builds, the
 * top-level docker-compose.yml under a project name and ports of its own, and only what it
 * publishes used from outside: the manager (through its public balancer), the router's HTTP port
 * and the shell's SSH port. Components restarted mid-operation finish it; down/up serves every site
 * again. Everything, volumes included, is removed at the end, also after a failure.
 */
const DOMAIN = 'compose.test';

interface Operation {
  id: number;
  state: string;
}
interface Site {
  id: number;
  name: string;
  operation?: Operation;
}

describe('docker-compose deployment', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let project: ComposeProject;
  let restored: ComposeProject;
  /** The restore target starts while the first project's tests run (it is a minute of the file otherwise). */
  let restoredStarted: Promise<Error | null>;
  let token = '';
  const sites: Site[] = [];

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T is the caller's claim about the JSON it expects
  const apiOf = async <T = unknown>(
    on: ComposeProject,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: T }> => {
    const response = await fetch(`http://127.0.0.1:${on.ports.manager}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: (text ? JSON.parse(text) : null) as T };
  };
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- as above
  const api = <T = unknown>(method: string, path: string, body?: unknown) => apiOf<T>(project, method, path, body);
  const finished = (id: number, timeoutMs = 90_000) =>
    eventually(
      () => api<Operation>('GET', `/api/operations/${id}`),
      (answer) => ['succeeded', 'failed'].includes(answer.json.state),
      timeoutMs,
      250,
    ).then((answer) => answer.json);
  const visit = (name: string, on = project) => getWithHost(on.ports.routerHttp, `${name}.${DOMAIN}`);
  const served = (name: string, text: string, timeoutMs = 60_000, on = project) =>
    eventually(
      () => visit(name, on).catch(() => ({ status: 0, body: '' })),
      (page) => page.status === 200 && page.body.includes(text),
      timeoutMs,
      250,
    );
  /** Requests a site every 200 ms until stopped; resolves with every answer that was not a 200. */
  const watchServing = (name: string) => {
    const failures: string[] = [];
    const stopped = new AbortController();
    const loop = (async () => {
      while (!stopped.signal.aborted) {
        const page = await visit(name).catch((error: unknown) => ({ status: 0, body: String(error) }));
        if (page.status !== 200) failures.push(`${page.status} ${page.body.slice(0, 120)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    return {
      stop: async () => {
        stopped.abort();
        await loop;
        return failures;
      },
    };
  };
  /** Runs SQL with a site's DATABASE_URL from a client container on the project's sites network, as the site would. */
  const siteSql = (siteId: number, sql: string, on = project): string => {
    const container = `${on.name}-site-${siteId}`;
    const url = execFileSync('docker', ['exec', container, 'sh', '-c', 'printf %s "$DATABASE_URL"'], { encoding: 'utf8' });
    const psql = ['run', '--rm', '--network', `${on.name}-sites`, '--entrypoint', 'psql', 'dais/postgres:latest'];
    return (
      execFileSync('docker', [...psql, url, '-Atc', sql], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .pop() ?? ''
    );
  };
  beforeAll(async () => {
    // npm test built them in the background while the other tests ran (scripts/test.sh).
    if (process.env.DAIS_TEST_IMAGES_BUILT !== '1')
      execFileSync('bash', ['scripts/build-images.sh'], {
        cwd: REPO_ROOT,
        stdio: 'inherit',
        env: { ...process.env, DAIS_IMAGES_SKIP_BUILD: '1' },
      });
    dir = await tempDir('compose');
    project = await ComposeProject.create(join(dir.path, 'first'), DOMAIN);
    await project.compose('up', '-d');
    await project.ready();
    token = await project.adminToken();
    // A fresh installation beside the first, started with two managers at once: migrations and the
    // first admin must each be done once (advisory lock, createFirstUser). Its failure is the backup test's.
    restoredStarted = ComposeProject.create(join(dir.path, 'second'), DOMAIN)
      .then(async (second) => {
        restored = second;
        await second.compose('up', '-d', '--scale', 'manager=2');
      })
      .then(
        () => null,
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      );
  }, 900_000);

  afterAll(async () => {
    await (restoredStarted as Promise<Error | null> | undefined);
    await (project as ComposeProject | undefined)?.remove();
    await (restored as ComposeProject | undefined)?.remove();
    await (dir as typeof dir | undefined)?.remove();
  }, 300_000);

  it('printed the first admin password once in the manager log, and it signs in', async () => {
    const log = await project.compose('logs', '--no-color', 'manager');
    const passwords = [...log.matchAll(/ password: (\S+)/g)].map((match) => match[1]);
    expect(passwords, log).toHaveLength(1);
    expect((await signIn(project, 'admin', passwords[0] ?? '')).status).toBe(200);
  });

  it('stops the manager with one line naming a bad setting from .env, before it starts anything', async () => {
    const started = await project.compose('run', '--rm', '-T', '--no-deps', '-e', 'DAIS_SITES_PUBLIC_PORT=eighty', 'manager').then(
      () => 'started',
      (error: unknown) => String(error),
    );
    expect(started).toMatch(/manager: invalid setting DAIS_SITES_PUBLIC_PORT/);
    expect(started).not.toMatch(/\n\s+at /);
  });

  it('gives no setuid program to the router containers, which may gain the file capability of nginx', async () => {
    for (const service of ['router', 'router-nginx']) {
      const found = await project.compose('exec', '-T', '-u', 'root', service, 'find', '/', '-xdev', '-perm', '/6000', '-type', 'f');
      expect(found.trim(), service).toBe('');
    }
  });

  it('serves a static site and a dynamic site with a PostgreSQL database through the published router port', async () => {
    const blog = await api<Site>('POST', '/api/sites', { name: 'blog' });
    expect(blog.status, JSON.stringify(blog.json)).toBe(202);
    const hello = await api<Site>('POST', '/api/sites', { name: 'hello', type: 'dynamic', image: 'busybox' });
    expect(hello.status, JSON.stringify(hello.json)).toBe(202);
    sites.push(blog.json, hello.json);
    expect((await finished(blog.json.operation?.id ?? 0)).state).toBe('succeeded');
    expect((await finished(hello.json.operation?.id ?? 0)).state).toBe('succeeded');
    const database = await api<Operation>('POST', `/api/sites/${hello.json.id}/database`, { engine: 'postgresql' });
    expect(database.status, JSON.stringify(database.json)).toBe(202);
    expect((await finished(database.json.id)).state).toBe('succeeded');
    expect((await served('blog', '<')).status).toBe(200);
    expect((await served('hello', '<')).status).toBe(200);
    // The site's own credentials, from the sites network: the database server listens on its gateway.
    expect(siteSql(hello.json.id, 'CREATE TABLE visits (n int); INSERT INTO visits VALUES (42); SELECT n FROM visits')).toBe('42');
  });

  it('signs in over SSH and uploads over SFTP through the published shell port, with OpenSSH', async () => {
    const keys = join(dir.path, 'host-keys');
    await mkdir(keys);
    // The public host keys, read from the shell's own volume as an admin would (ssh-keyscan alike).
    for (const name of ['ssh_host_ed25519_key.pub', 'ssh_host_rsa_key.pub'])
      await writeFile(join(keys, name), await project.read('shell', `/etc/dais/shell-host-keys/${name}`));
    const client = await SshClient.create(project.ports.ssh, keys, dir.path);
    const password = 'carol long password 1';
    expect((await api('POST', '/api/users', { username: 'carol', password })).status).toBe(201);
    expect((await api('POST', `/api/sites/${sites[0]?.id ?? 0}/members`, { username: 'carol' })).status).toBe(201);
    const carol: SshCredential = { password };
    const answer = await client.ssh('carol+blog', carol, ['ls /site; exit 3']);
    expect(answer.code, answer.stderr).toBe(3);
    expect(answer.stdout).toContain('public');
    const key = await registerNewSshKey(`http://127.0.0.1:${project.ports.manager}`, { username: 'carol', password }, dir.path);
    const page = join(dir.path, 'index.html');
    await writeFile(page, '<h1>uploaded over sftp</h1>\n');
    const upload = await client.sftp('carol+blog', key, [`put ${page} public/index.html`]);
    expect(upload.code, upload.stderr).toBe(0);
    expect((await served('blog', 'uploaded over sftp')).status).toBe(200);
  });

  it('finishes an operation across restarts of the orchestrator, router and manager, serving sites throughout', async () => {
    const outages = watchServing('blog');
    await project.compose('stop', '-t', '5', 'orchestrator');
    const shop = await api<Site>('POST', '/api/sites', { name: 'shop' });
    expect(shop.status).toBe(202);
    sites.push(shop.json);
    const operationId = shop.json.operation?.id ?? 0;
    // With the orchestrator stopped the operation cannot finish: the worker has taken it up and it
    // stays in flight while the other two restart and the orchestrator comes back.
    const taken = await eventually(
      () => api<Operation & { steps: { attempts: number }[] }>('GET', `/api/operations/${operationId}`),
      (answer) => (answer.json.steps[0]?.attempts ?? 0) >= 1,
      60_000,
      250,
    );
    expect(taken.json.state).not.toBe('succeeded');
    await project.compose('restart', '-t', '5', 'router', 'manager');
    await project.compose('start', 'orchestrator');
    await project.ready();
    expect((await finished(operationId, 180_000)).state).toBe('succeeded');
    expect((await served('shop', '<')).status).toBe(200);
    // The nginx sidecars kept serving while their components were away, and were adopted after.
    expect(await outages.stop()).toEqual([]);
    expect((await visit('blog')).body).toContain('uploaded over sftp');
  });

  it('serves every site again after docker-compose down and up', async () => {
    await project.compose('down', '-t', '5');
    await expect(visit('blog')).rejects.toThrow();
    await project.compose('up', '-d');
    await project.ready();
    expect((await served('blog', 'uploaded over sftp')).status).toBe(200);
    expect((await served('hello', '<')).status).toBe(200);
    expect((await served('shop', '<')).status).toBe(200);
    expect(siteSql(sites[1]?.id ?? 0, 'SELECT n FROM visits')).toBe('42');
  }, 240_000);

  it('backs up with dais-admin and restores into a second project whose two managers started at once', async () => {
    const backup = await project.compose('exec', '-T', 'manager', 'dais-admin', 'backup', '--file', '/backups/compose.tar.gz');
    expect(backup).toMatch(/3 sites/);
    const notStarted = await restoredStarted;
    if (notStarted) throw notStarted;
    await restored.ready();
    const managers = await restored.compose('logs', '--no-color', 'manager');
    expect([...managers.matchAll(/ password: (\S+)/g)], managers).toHaveLength(1);
    expect((await restored.compose('ps', '-q', 'manager')).trim().split('\n')).toHaveLength(2);

    await restored.copyFrom(project, 'manager', '/backups/compose.tar.gz');
    const restore = await restored.compose('exec', '-T', 'manager', 'dais-admin', 'restore', '--file', '/backups/compose.tar.gz');
    expect(restore).toMatch(/site files and databases restored/);
    // The first installation's accounts and tokens came with its database.
    expect((await apiOf(restored, 'GET', '/api/sites')).status).toBe(200);
    for (const site of sites)
      expect(await treeDigest(join(restored.sitesRoot, 'sites', String(site.id)))).toEqual(
        await treeDigest(join(project.sitesRoot, 'sites', String(site.id))),
      );
    expect((await served('blog', 'uploaded over sftp', 60_000, restored)).status).toBe(200);
    expect((await served('hello', '<', 60_000, restored)).status).toBe(200);
    expect((await served('shop', '<', 60_000, restored)).status).toBe(200);
    expect(siteSql(sites[1]?.id ?? 0, 'SELECT n FROM visits', restored)).toBe('42');
  }, 300_000);

  // Last: a reset signs the admin out everywhere, the API token the other tests use included.
  it('resets the admin password with dais-admin through compose exec', async () => {
    const reset = await project.compose('exec', '-T', 'manager', 'dais-admin', 'reset-password', '--username', 'admin');
    const password = /can now sign in with the password (\S+)/.exec(reset)?.[1] ?? '';
    expect(password, reset).not.toBe('');
    expect((await signIn(project, 'admin', password)).status).toBe(200);
    expect((await api('GET', '/api/sites')).status).toBe(401);
  });
});

function signIn(on: ComposeProject, username: string, password: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${on.ports.manager}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
}
