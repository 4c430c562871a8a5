import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseConnection } from '@dais/shared';
import type { BackupClient } from '../../infrastructure/peers/backup.client';
import { formatKeyring, newSecretsKey, readKeyring, writeKeyring } from '../../infrastructure/secrets/secrets-keyring';
import { refusal } from '../../testing/refusal';
import { strictFake } from '../../testing/strict-fake';
import { entriesOf, peerAnswer, type TarEntry } from '../../testing/tar-bodies';
import { ArchiveWriter } from './archive-writer';
import type { PlatformDatabaseAdapter } from './platform-database.adapter';
import { restoreBackup, type RestoreTargets } from './restore.service';
import type { RestoreStore } from './restore.store';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dais-restore-spec-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const archivedKey = newSecretsKey(new Date(Date.UTC(2026, 0, 1)));
const ownKey = newSecretsKey(new Date(Date.UTC(2026, 5, 1)));
const shopConnection: DatabaseConnection = { engine: 'mysql', host: 'db', port: 3306, name: 'new_shop', username: 'shop', password: 'pw' };

/** An archive from an installation (prefix `old_`) with sites blog (id 3, files) and shop (id 5, dynamic, files and a database). */
async function archive(migrations = ['0001_init']): Promise<string> {
  const file = join(dir, 'backup.tar.gz');
  const writer = new ArchiveWriter(file);
  const put = (path: string, content: string, mode = 0o644) => writer.file(path, Buffer.byteLength(content), mode, [Buffer.from(content)]);
  await writer.start();
  await put('platform/database.sql', '-- platform dump\n', 0o600);
  await writer.directory('platform/state/keys', 0o700);
  await put('platform/state/keys/private/manager.pem', 'OLD PRIVATE KEY', 0o600);
  await put('platform/state/secrets/secrets.key', formatKeyring([archivedKey]), 0o600);
  await put('router/certificates/example.org.pem', 'CERT');
  await writer.directory('sites/3/files/public', 0o755);
  await put('sites/3/files/public/index.html', '<h1>blog</h1>');
  await writer.symlink('sites/3/files/public/latest', 'index.html');
  await put('sites/5/files/app.js', 'run()');
  await put('sites/5/database.sql', '-- shop dump\n', 0o600);
  const site = (id: number, name: string) => ({ id, name, changedFiles: [], skippedFiles: [] });
  await writer.finish({
    migrations,
    databaseNamePrefix: 'old_',
    sites: [
      { ...site(3, 'blog'), database: null },
      { ...site(5, 'shop'), database: { engine: 'mysql', name: 'old_shop' } },
    ],
  });
  return file;
}

/**
 * An empty installation (prefix `new_`, its own secrets key) that records, in order, what the
 * restore did to its platform database, its store and its peers. `sites` is how many sites it
 * already has; `connection` the shop's database after the restore (null: none).
 */
function target(options: { sites?: number; force?: boolean; connection?: DatabaseConnection | null } = {}) {
  const steps: string[] = [];
  const uploads: { peer: string; path: string; contentType: string; entries?: TarEntry[]; text?: string }[] = [];
  const loaded: string[] = [];
  const platform = strictFake<PlatformDatabaseAdapter>('platform', {
    migrations: () => Promise.resolve(['0001_init', '0002_later']),
    load: async (sql) => {
      loaded.push(await text(sql));
      steps.push('load platform');
    },
  });
  const peers = strictFake<BackupClient>('peers', {
    upload: async (peer, path, body, contentType) => {
      const received = contentType === 'application/x-tar' ? { entries: await entriesOf(body) } : { text: await text(body) };
      uploads.push({ peer, path, contentType, ...received });
      steps.push(`upload ${peer} ${path.split('?')[0] ?? ''}`);
      return { entries: 1 };
    },
    download: (peer, method, path) => {
      steps.push(`${method} ${peer} ${path}`);
      return Promise.resolve(peerAnswer('{}'));
    },
  });
  const store = strictFake<RestoreStore>('store', {
    siteCount: () => Promise.resolve(options.sites ?? 0),
    ownDatabaseHosts: () => Promise.resolve([]),
    keepDatabaseHosts: () => Promise.resolve(['local-mysql']),
    renameDatabases: (from, to) => Promise.resolve(void steps.push(`rename databases ${from}* → ${to}*`)),
    repairAll: (siteIds) => Promise.resolve(void steps.push(`repair ${siteIds.join(',')}`)),
    dynamicSiteIds: () => Promise.resolve([5]),
    connectionOf: (siteId) =>
      Promise.resolve(siteId === 5 ? (options.connection === undefined ? shopConnection : options.connection) : null),
  });
  const keyFile = join(dir, 'secrets.key');
  writeKeyring(keyFile, [ownKey]);
  const said: string[] = [];
  const targets: RestoreTargets = {
    platform,
    peers,
    store,
    keyFile,
    asideDir: join(dir, 'aside'),
    databaseNamePrefix: 'new_',
    force: options.force ?? false,
    say: (line) => said.push(line),
    repairTimeoutMs: 60_000,
  };
  return { targets, steps, uploads, loaded, said };
}

describe('restoring an archive', () => {
  it('loads the platform database, rebuilds every site, then puts files, databases and the router’s state back', async () => {
    const { targets, steps, loaded } = target();
    const manifest = await restoreBackup(await archive(), targets);
    expect(manifest.sites.map((site) => site.name)).toEqual(['blog', 'shop']);
    expect(loaded).toEqual(['-- platform dump\n']);
    expect(steps).toEqual([
      'load platform',
      'rename databases old_* → new_*',
      'repair 3,5',
      'upload router /v1/backup/state',
      'upload orchestrator /v1/backup/sites/3/files',
      'upload orchestrator /v1/backup/sites/5/files',
      'upload orchestrator /v1/backup/databases/5/restore',
      'repair 5',
      'POST orchestrator /v1/sites/5/restart',
    ]);
  });

  it('sends each site’s files as one tar under files/, and the router’s state without its prefix', async () => {
    const { targets, uploads } = target();
    await restoreBackup(await archive(), targets);
    expect(uploads.filter((upload) => upload.contentType === 'application/x-tar').map((upload) => upload.entries)).toEqual([
      [{ name: 'certificates/example.org.pem', type: 'file', content: 'CERT', mode: 0o644 }],
      [
        { name: 'files/public/', type: 'directory', mode: 0o755 },
        { name: 'files/public/index.html', type: 'file', content: '<h1>blog</h1>', mode: 0o644 },
        { name: 'files/public/latest', type: 'symlink', target: 'index.html' },
      ],
      [{ name: 'files/app.js', type: 'file', content: 'run()', mode: 0o644 }],
    ]);
  });

  it('restores a database dump into the site’s database as it is after the restore, with the dump’s size and SHA-256', async () => {
    const { targets, uploads } = target();
    const manifest = await restoreBackup(await archive(), targets);
    const dump = uploads.find((upload) => upload.path.startsWith('/v1/backup/databases/5/restore'));
    expect(dump).toMatchObject({ peer: 'orchestrator', contentType: 'application/sql', text: '-- shop dump\n' });
    const query = new URL(dump!.path, 'http://orchestrator').searchParams;
    const listed = manifest.entries.find((entry) => entry.path === 'sites/5/database.sql');
    expect({ sha256: query.get('sha256'), size: Number(query.get('size')) }).toEqual({
      sha256: listed?.type === 'file' ? listed.sha256 : 'missing',
      size: 13,
    });
    expect(JSON.parse(Buffer.from(query.get('request') ?? '', 'base64url').toString())).toEqual({ siteId: 5, connection: shopConnection });
  });

  it('adds the archive’s secrets keys before this installation’s own (which keeps sealing), and puts the rest of its state aside', async () => {
    const { targets } = target();
    await restoreBackup(await archive(), targets);
    expect(readKeyring(targets.keyFile).keys.map((key) => key.id)).toEqual([archivedKey.id, ownKey.id]);
    expect(await readFile(join(targets.asideDir, 'keys/private/manager.pem'), 'utf8')).toBe('OLD PRIVATE KEY');
  });
});

describe('what a restore refuses, before changing anything', () => {
  it('an archive from a newer Dais (BACKUP_ARCHIVE_UNSUPPORTED), naming the unknown migrations', async () => {
    const { targets, steps } = target();
    const answer = await refusal(restoreBackup(await archive(['0001_init', '0003_future']), targets));
    expect(answer).toMatchObject({ code: 'BACKUP_ARCHIVE_UNSUPPORTED', message: expect.stringContaining('0003_future') as string });
    expect(steps).toEqual([]);
    expect(readKeyring(targets.keyFile).keys.map((key) => key.id)).toEqual([ownKey.id]);
  });

  it('an installation that already has sites (BACKUP_TARGET_NOT_EMPTY), unless forced', async () => {
    const refused = target({ sites: 2 });
    expect((await refusal(restoreBackup(await archive(), refused.targets))).code).toBe('BACKUP_TARGET_NOT_EMPTY');
    expect(refused.steps).toEqual([]);
    const forced = target({ sites: 2, force: true });
    await restoreBackup(await archive(), forced.targets);
    expect(forced.steps[0]).toBe('load platform');
  });

  it('a damaged archive (BACKUP_ARCHIVE_INVALID)', async () => {
    const { targets, steps } = target();
    const file = await archive();
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 64));
    expect((await refusal(restoreBackup(file, targets))).code).toBe('BACKUP_ARCHIVE_INVALID');
    expect(steps).toEqual([]);
  });
});

it('stops with DATABASE_NOT_FOUND when a site has a dump but no database after the restore', async () => {
  const { targets } = target({ connection: null });
  const answer = await refusal(restoreBackup(await archive(), targets));
  expect(answer).toMatchObject({ code: 'DATABASE_NOT_FOUND', message: expect.stringContaining('Site 5') as string });
});
