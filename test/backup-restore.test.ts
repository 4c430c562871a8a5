import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import type { OperationView, SiteView, SqlQueryResult } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytesStream, readRawArchive, treeDigest, writeRawArchive } from './support/backup-archives';
import { verifyArchive } from '../apps/manager/src/features/backup/archive-reader';
import { eventually } from './support/http';
import { signedFetch } from './support/signed-fetch';
import { REPO_ROOT } from './support/dev-env';
import { TestStack } from './support/stack';
import { tempDir } from './support/temp-dir';

const run = promisify(execFile);

type ErrorAnswer = { error: { code: string; message: string } };

/** Runs `dais-admin` against a stack; resolves with its exit code and output (never throws on exit 1). */
async function admin(stack: TestStack, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(REPO_ROOT, 'apps/manager/dist/cli/admin.js'), ...args], {
      env: { ...process.env, ...stack.env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('backup on one installation, restore onto a new one', () => {
  let source: TestStack;
  let target: TestStack;
  let work: { path: string; remove: () => Promise<void> };
  const sites: Record<'brochure' | 'webapp' | 'shop', SiteView> = {} as never;
  const siteDir = (stack: TestStack, id: number) => join(stack.stateDir, 'orchestrator/data/sites', String(id));
  const done = (stack: TestStack, id: number) => stack.waitForOperation<OperationView>(id, undefined, 120_000);
  const sql = (stack: TestStack, siteId: number, statement: string, token?: string) =>
    stack.api<SqlQueryResult>('POST', `/api/sites/${siteId}/database/query`, { sql: statement }, token);
  const archive = () => join(work.path, 'backup.tar.gz');

  const createSite = async (name: keyof typeof sites, body: Record<string, unknown>, engine?: 'postgresql' | 'mysql') => {
    const created = await source.api<SiteView>('POST', '/api/sites', { name, ...body });
    expect(created.status).toBe(202);
    expect((await done(source, created.json.operation?.id ?? 0)).state).toBe('succeeded');
    if (engine) {
      const database = await source.api<OperationView>('POST', `/api/sites/${created.json.id}/database`, { engine });
      expect((await done(source, database.json.id)).state).toBe('succeeded');
    }
    sites[name] = created.json;
  };

  beforeAll(async () => {
    work = await tempDir('backup-work');
    source = await TestStack.start('backup-a');
    target = await TestStack.start('backup-b');
    await createSite('brochure', {});
    await createSite('webapp', { type: 'dynamic', image: 'busybox' }, 'postgresql');
    await createSite('shop', {}, 'mysql');
    // Files of every kind a site has: nested folders, a binary, one file past the small-file size, a link, private files.
    const brochure = siteDir(source, sites.brochure.id);
    await mkdir(join(brochure, 'public/css/deep'), { recursive: true });
    await writeFile(join(brochure, 'public/index.html'), '<h1>Brochure</h1>\n');
    await writeFile(join(brochure, 'public/css/deep/site.css'), 'h1 { color: teal }\n');
    await pipeline(randomBytesStream(300_000, 1), createWriteStream(join(brochure, 'public/photo.bin')));
    await pipeline(randomBytesStream(9 * 1024 * 1024, 2), createWriteStream(join(brochure, 'public/video.bin')));
    await symlink('index.html', join(brochure, 'public/latest.html'));
    await writeFile(join(brochure, 'private/notes.txt'), 'not served\n');
    await chmod(join(brochure, 'private/notes.txt'), 0o600);
    const app = siteDir(source, sites.webapp.id);
    await writeFile(join(app, 'public/index.html'), 'app from the backup\n');
    for (const [site, create] of [
      [sites.webapp, 'CREATE TABLE notes (id int PRIMARY KEY, body text, at timestamptz)'],
      [sites.shop, 'CREATE TABLE notes (id int PRIMARY KEY, body text, at datetime)'],
    ] as const) {
      expect((await sql(source, site.id, create)).status).toBe(200);
      const values = Array.from(
        { length: 50 },
        (_, i) => `(${i + 1}, 'row ${i + 1} ✓ ''quoted''', '2026-01-0${(i % 9) + 1} 10:00:00')`,
      ).join(', ');
      expect((await sql(source, site.id, `INSERT INTO notes VALUES ${values}`)).json).toMatchObject({ rowCount: 50 });
    }
  }, 300_000);

  // Each may be missing when beforeAll failed part way.
  afterAll(async () => {
    await (source as TestStack | undefined)?.stop();
    await (target as TestStack | undefined)?.stop();
    await (work as typeof work | undefined)?.remove();
  });

  it('writes one archive while the sites keep running, and leaves no temporary file behind', async () => {
    const made = await admin(source, 'backup', '--file', archive());
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/wrote .*: 3 sites/);
    expect((await stat(archive())).size).toBeGreaterThan(9 * 1024 * 1024);
    const names = (await readRawArchive(archive())).map((entry) => entry.header.name);
    expect(names[0]).toBe('dais-backup.json');
    expect(names.at(-1)).toBe('manifest.json');
    expect(names).toEqual(
      expect.arrayContaining([
        'platform/database.sql',
        'platform/state/secrets/secrets.key',
        `sites/${sites.brochure.id}/files/public/video.bin`,
        `sites/${sites.webapp.id}/database.sql`,
        `sites/${sites.shop.id}/database.sql`,
      ]),
    );
    expect((await readdir(work.path)).filter((name) => name.includes('partial'))).toEqual([]);
  }, 120_000);

  it('lets only the manager reach the backup routes: the shell and the router are refused', async () => {
    const orchestrator = `http://127.0.0.1:${source.ports.orchestrator}`;
    const router = `http://127.0.0.1:${source.env.DAIS_ROUTER_PORT}`;
    const calls = [
      [orchestrator, 'orchestrator', 'GET', `/v1/backup/sites/${sites.brochure.id}/files`],
      [orchestrator, 'orchestrator', 'POST', `/v1/backup/databases/${sites.webapp.id}/dump`],
      [orchestrator, 'orchestrator', 'PUT', `/v1/backup/sites/${sites.brochure.id}/files`],
      [router, 'router', 'GET', '/v1/backup/state'],
      [router, 'router', 'PUT', '/v1/backup/state'],
    ] as const;
    for (const [base, audience, method, path] of calls) {
      // The shell is a known caller of the orchestrator, but not on these routes; the router is nobody's caller.
      const asShell = await signedFetch(base, source.signer('shell', audience), method, path);
      expect([asShell.status, (asShell.json as ErrorAnswer).error.code]).toEqual(
        audience === 'orchestrator' ? [403, 'ROUTE_FORBIDDEN'] : [401, 'CALLER_UNKNOWN'],
      );
      const asRouter = await signedFetch(base, source.signer('router', audience), method, path);
      expect([asRouter.status, (asRouter.json as ErrorAnswer).error.code]).toEqual([401, 'CALLER_UNKNOWN']);
    }
    const asManager = await signedFetch(router, source.signer('manager', 'router'), 'GET', '/v1/backup/state');
    expect(asManager.status).toBe(200);
  });

  it('leaves no partial archive when the backup cannot complete', async () => {
    source.signal('router', 'SIGSTOP');
    await source.stopProcess('router');
    const failed = await admin(source, 'backup', '--file', join(work.path, 'failed.tar.gz'));
    source.startProcess('router');
    await source.waitUntilReady();
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^admin: Could not reach the router/);
    expect(failed.stderr).not.toMatch(/\n\s+at /);
    expect((await readdir(work.path)).sort()).toEqual(['backup.tar.gz']);
  }, 60_000);

  describe('refuses a bad archive before changing anything', () => {
    const refused = async (file: string, pattern: RegExp) => {
      const answer = await admin(target, 'restore', '--file', file);
      expect(answer.code).toBe(1);
      expect(answer.stderr).toMatch(pattern);
      expect(answer.stderr).not.toMatch(/\n\s+at /);
      // Nothing changed: the target's own admin token still works and it still has no sites.
      const list = await target.api<{ sites: unknown[] }>('GET', '/api/sites');
      expect(list.status).toBe(200);
      expect(list.json.sites).toEqual([]);
    };

    it('a file altered after the backup (its checksum no longer matches)', async () => {
      const entries = await readRawArchive(archive());
      const index = entries.find((entry) => entry.header.name === `sites/${sites.brochure.id}/files/public/index.html`);
      if (!index?.content) throw new Error('index.html is not in the archive');
      index.content = Buffer.from(index.content.toString().replace('Brochure', 'Hijacked'));
      const file = join(work.path, 'tampered.tar.gz');
      await writeRawArchive(file, entries);
      await refused(file, /does not match its manifest entry/);
    });

    it('an archive cut short', async () => {
      const file = join(work.path, 'cut.tar.gz');
      await copyFile(archive(), file);
      await truncate(file, Math.floor((await stat(file)).size / 2));
      await refused(file, /archive is refused/);
    });

    it('a foreign archive and a future format version', async () => {
      const foreign = join(work.path, 'foreign.tar.gz');
      await writeRawArchive(foreign, [{ header: { name: 'etc/passwd' }, content: Buffer.from('root:x:0:0') }]);
      await refused(foreign, /not start with a Dais backup header/);
      const entries = await readRawArchive(archive());
      const header = entries[0];
      if (!header) throw new Error('empty archive');
      header.content = Buffer.from(JSON.stringify({ ...JSON.parse(String(header.content)), version: 99 }));
      const future = join(work.path, 'future.tar.gz');
      await writeRawArchive(future, entries);
      await refused(future, /format version 99/);
    });
  });

  it('restores every site onto the new installation: same files, same rows, served by its router', async () => {
    const restored = await admin(target, 'restore', '--file', archive());
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    for (const site of Object.values(sites)) {
      expect(await treeDigest(siteDir(target, site.id))).toEqual(await treeDigest(siteDir(source, site.id)));
    }
    // The source's accounts came with the platform database: its admin token works on the target.
    for (const site of [sites.webapp, sites.shop]) {
      const before = await sql(source, site.id, 'SELECT * FROM notes ORDER BY id');
      const after = await sql(target, site.id, 'SELECT * FROM notes ORDER BY id', source.adminToken);
      expect(after.status).toBe(200);
      expect(after.json.rows).toEqual(before.json.rows);
      expect(after.json.rows).toHaveLength(50);
    }
    const brochure = await eventually(
      () => target.visit('brochure.dais.localhost', '/css/deep/site.css'),
      (page) => page.status === 200,
      20_000,
    );
    expect(brochure.body).toBe('h1 { color: teal }\n');
    const app = await eventually(
      () => target.visit('webapp.dais.localhost'),
      (page) => page.status === 200 && page.body.includes('app from the backup'),
      30_000,
    );
    expect(app.body).toBe('app from the backup\n');
  }, 300_000);

  it('backs up on a schedule when a folder is set, keeping the newest archives', async () => {
    const folder = join(work.path, 'scheduled');
    await source.stopProcess('manager');
    source.startProcess('manager', { env: { DAIS_BACKUP_DIR: folder, DAIS_BACKUP_INTERVAL_MS: '3000', DAIS_BACKUP_KEEP: '2' } });
    await source.waitUntilReady();
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'before-upgrade.tar.gz'), 'an admin file, never pruned');
    const archives = () => readdir(folder).then((names) => names.filter((name) => /^dais-backup-\d{8}T\d{6}Z\.tar\.gz$/.test(name)).sort());
    // Three runs have happened once the first archive seen is gone (two kept); each is whole.
    const first = await eventually(archives, (names) => names.length === 1, 30_000);
    const later = await eventually(archives, (names) => names.length === 2 && !names.includes(first[0] ?? ''), 60_000);
    expect((await readdir(folder)).filter((name) => name.includes('partial') || name === 'before-upgrade.tar.gz')).toEqual([
      'before-upgrade.tar.gz',
    ]);
    const manifest = await verifyArchive(join(folder, later[0] ?? ''));
    expect(manifest.sites.map((site) => site.name).sort()).toEqual(['brochure', 'shop', 'webapp']);
    await source.stopProcess('manager');
    source.startProcess('manager');
    await source.waitUntilReady();
  }, 120_000);

  it('refuses to restore onto an installation that has sites, unless forced', async () => {
    const again = await admin(target, 'restore', '--file', archive());
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already has 3 site\(s\).*--force/);
  }, 60_000);
});
