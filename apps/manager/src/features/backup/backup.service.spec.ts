import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseConnection } from '@dais/shared';
import type { BackupClient } from '../../infrastructure/peers/backup.client';
import { fakeSeal, fakeSecretOpener } from '../../testing/fake-secrets';
import { strictFake } from '../../testing/strict-fake';
import { peerAnswer, tarOf } from '../../testing/tar-bodies';
import { readArchive, verifyArchive } from './archive-reader';
import { createBackup, type BackupSources } from './backup.service';
import type { PlatformDatabaseAdapter, PlatformSnapshot, SnapshotSite } from './platform-database.adapter';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dais-backup-spec-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const blog: SnapshotSite = { id: 3, name: 'blog', type: 'static', database: null };
const shop: SnapshotSite = {
  id: 5,
  name: 'shop',
  type: 'dynamic',
  database: {
    engine: 'postgresql',
    name: 'dais_shop',
    username: 'shop',
    sealedPassword: fakeSeal('shop-db-password', { column: 'SiteDatabase.password', rowId: 5 }).stored,
    adminHost: 'db.internal',
    adminPort: 5432,
  },
};

/**
 * An installation with sites blog (files only) and shop (files and a database): the snapshot's dump,
 * the router's state, each site's files and the shop's dump come from fakes, which record what was
 * asked of them; `failOn` makes the peer fail that path.
 */
async function installation(options: { failOn?: string } = {}) {
  const state = join(dir, 'state');
  await mkdir(join(state, 'keys', 'public'), { recursive: true });
  await writeFile(join(state, 'keys', 'public', 'manager.pem'), 'PUBLIC KEY');
  await writeFile(join(state, 'secrets.key'), 'KEYRING');
  const snapshot = { closed: false };
  const platform = strictFake<PlatformDatabaseAdapter>('platform', {
    snapshot: (): Promise<PlatformSnapshot> =>
      Promise.resolve({
        sites: [blog, shop],
        migrations: ['0001_init', '0002_sites'],
        dump: () => Object.assign(Readable.from([Buffer.from('-- platform dump\n')]), { finished: Promise.resolve() }),
        close: () => Promise.resolve(void (snapshot.closed = true)),
      }),
  });
  const requests: { peer: string; method: string; path: string; json: unknown }[] = [];
  const peers = strictFake<BackupClient>('peers', {
    download: async (peer, method, path, json) => {
      requests.push({ peer, method, path, json });
      if (path === options.failOn) throw new Error(`${peer} is unreachable`);
      if (path === '/v1/backup/state')
        return peerAnswer(await tarOf([{ name: 'certificates/example.org.pem', type: 'file', content: 'CERT' }]));
      if (path.endsWith('/dump')) return peerAnswer('-- shop dump\n', { 'content-length': '13' });
      const report = { changedFiles: path.includes('/5/') ? ['public/log.txt'] : [], skippedFiles: [] };
      return peerAnswer(
        await tarOf([
          { name: 'files/public', type: 'directory' },
          { name: 'files/public/index.html', type: 'file', content: `<h1>${path}</h1>` },
          { name: 'files/public/latest', type: 'symlink', target: 'index.html' },
          { name: 'report.json', type: 'file', content: JSON.stringify(report) },
        ]),
      );
    },
  });
  const said: string[] = [];
  const sources: BackupSources = {
    platform,
    peers,
    secrets: fakeSecretOpener,
    stateFiles: [
      { name: 'keys', path: join(state, 'keys') },
      { name: 'tls', path: join(state, 'no-such-folder') },
      { name: 'secrets/secrets.key', path: join(state, 'secrets.key') },
    ],
    databaseNamePrefix: 'dais_',
    say: (line) => said.push(line),
  };
  return { sources, requests, said, snapshot };
}

/** The text of every file in the archive, by path. */
async function filesIn(file: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  await readArchive(file, async ({ entry, content }) => {
    if (entry.type !== 'file') return;
    const chunks: Buffer[] = [];
    for await (const chunk of content) chunks.push(chunk as Buffer);
    files[entry.path] = Buffer.concat(chunks).toString('utf8');
  });
  return files;
}

describe('a backup', () => {
  it('holds the platform dump, the manager’s state, the router’s state and each site’s files and database', async () => {
    const { sources, snapshot } = await installation();
    const file = join(dir, 'backup.tar.gz');
    const manifest = await createBackup(file, sources);
    expect(await verifyArchive(file)).toEqual(manifest);
    expect(manifest).toMatchObject({
      migrations: ['0001_init', '0002_sites'],
      databaseNamePrefix: 'dais_',
      sites: [
        { id: 3, name: 'blog', database: null, changedFiles: [], skippedFiles: [] },
        { id: 5, name: 'shop', database: { engine: 'postgresql', name: 'dais_shop' }, changedFiles: ['public/log.txt'], skippedFiles: [] },
      ],
    });
    expect(manifest.entries.map((entry) => `${entry.type} ${entry.path}`)).toEqual([
      'file platform/database.sql',
      'directory platform/state/keys',
      'directory platform/state/keys/public',
      'file platform/state/keys/public/manager.pem',
      'file platform/state/secrets/secrets.key',
      'file router/certificates/example.org.pem',
      'directory sites/3/files/public',
      'file sites/3/files/public/index.html',
      'symlink sites/3/files/public/latest',
      'directory sites/5/files/public',
      'file sites/5/files/public/index.html',
      'symlink sites/5/files/public/latest',
      'file sites/5/database.sql',
    ]);
    expect(await filesIn(file)).toMatchObject({
      'platform/database.sql': '-- platform dump\n',
      'platform/state/secrets/secrets.key': 'KEYRING',
      'sites/5/database.sql': '-- shop dump\n',
      'sites/3/files/public/index.html': '<h1>/v1/backup/sites/3/files</h1>',
    });
    expect(snapshot.closed).toBe(true);
  });

  it('asks the orchestrator for a site’s dump with the database password opened from its sealed form', async () => {
    const { sources, requests } = await installation();
    await createBackup(join(dir, 'backup.tar.gz'), sources);
    const dump = requests.find((request) => request.path.endsWith('/dump'));
    const connection: DatabaseConnection = {
      engine: 'postgresql',
      host: 'db.internal',
      port: 5432,
      name: 'dais_shop',
      username: 'shop',
      password: 'shop-db-password',
    };
    expect(dump).toEqual({ peer: 'orchestrator', method: 'POST', path: '/v1/backup/databases/5/dump', json: { siteId: 5, connection } });
  });

  it('says how far it got, site by site', async () => {
    const { sources, said } = await installation();
    await createBackup(join(dir, 'backup.tar.gz'), sources);
    expect(said).toEqual(['platform database: 2 sites', 'router: certificates and ACME account', 'site 1/2: blog', 'site 2/2: shop']);
  });

  it('leaves nothing that looks like an archive when a peer fails midway, and passes the failure on', async () => {
    const { sources, snapshot } = await installation({ failOn: '/v1/backup/sites/5/files' });
    await expect(createBackup(join(dir, 'backup.tar.gz'), sources)).rejects.toThrow('orchestrator is unreachable');
    expect(await readdir(dir)).toEqual(['state']);
    expect(snapshot.closed).toBe(true);
  });

  it('refuses a dump the orchestrator sends without its length (PEER_ERROR), keeping no archive', async () => {
    const { sources } = await installation();
    const download = sources.peers.download.bind(sources.peers);
    const peers = strictFake<BackupClient>('peers', {
      download: async (peer, method, path, json) => {
        const answer = await download(peer, method, path, json);
        if (path.endsWith('/dump')) answer.headers = {};
        return answer;
      },
    });
    await expect(createBackup(join(dir, 'backup.tar.gz'), { ...sources, peers })).rejects.toMatchObject({ code: 'PEER_ERROR' });
    expect(await readdir(dir)).toEqual(['state']);
  });

  it('refuses a site tar with an entry outside files/ (PEER_ERROR)', async () => {
    const { sources } = await installation();
    const download = sources.peers.download.bind(sources.peers);
    const peers = strictFake<BackupClient>('peers', {
      download: async (peer, method, path, json) =>
        path === '/v1/backup/sites/3/files'
          ? peerAnswer(await tarOf([{ name: '../escape', type: 'file', content: 'x' }]))
          : download(peer, method, path, json),
    });
    await expect(createBackup(join(dir, 'backup.tar.gz'), { ...sources, peers })).rejects.toMatchObject({ code: 'PEER_ERROR' });
  });
});
