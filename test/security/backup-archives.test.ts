import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pack as tarPack } from 'tar-stream';
import { isDaisError, type BackupEntry, type ErrorCode } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyArchive } from '../../apps/manager/src/features/backup/archive-reader';
import { restoreSiteFolder, SiteFolder } from '../../apps/orchestrator/src/files';
import { writeRawArchive, type RawEntry } from '../support/backup-archives';
import { tempDir } from '../support/temp-dir';

/**
 * Threat: whoever can hand the admin an archive (a stolen or swapped backup, a compromised backup
 * store) tries to make `dais-admin restore` write outside the places it restores to: an absolute
 * path, `..`, a link out of a site's folder then a file through it, a hard link to a host file,
 * a device node. Both layers are attacked: the manager's whole-archive check (before anything is
 * changed) and the orchestrator's extraction into a real site folder (in case the first one fails).
 */
describe('hostile backup archives change nothing outside where a restore writes', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const header: RawEntry = {
    header: { name: 'dais-backup.json' },
    content: Buffer.from(JSON.stringify({ format: 'dais-backup', version: 1, createdAt: new Date().toISOString() })),
  };

  /** An archive whose manifest lists the hostile entries truthfully, so only the path rules can refuse it. */
  const listedArchive = async (name: string, hostile: RawEntry[]): Promise<string> => {
    const entries: BackupEntry[] = hostile.map((entry) => {
      const path = entry.header.name.replace(/\/$/, '');
      if (entry.header.type === 'symlink') return { type: 'symlink', path, target: entry.header.linkname ?? '' };
      if (entry.header.type === 'directory') return { type: 'directory', path, mode: 0o755 };
      const content = entry.content ?? Buffer.alloc(0);
      return { type: 'file', path, size: content.length, sha256: createHash('sha256').update(content).digest('hex'), mode: 0o644 };
    });
    const manifest = {
      format: 'dais-backup',
      version: 1,
      createdAt: new Date().toISOString(),
      migrations: [],
      databaseNamePrefix: '',
      sites: [],
      entries,
    };
    const file = join(dir.path, name);
    await writeRawArchive(file, [
      header,
      ...hostile.map((e) => ({ ...e, header: { mode: 0o644, ...e.header } })),
      { header: { name: 'manifest.json' }, content: Buffer.from(JSON.stringify(manifest)) },
    ]);
    return file;
  };

  const codeOf = async (promise: Promise<unknown>): Promise<ErrorCode | 'accepted'> => {
    try {
      await promise;
      return 'accepted';
    } catch (error) {
      if (isDaisError(error)) return error.code;
      throw error;
    }
  };

  beforeAll(async () => {
    dir = await tempDir('backup-hostile');
  });
  afterAll(() => dir.remove());

  describe('the manager refuses the archive before changing anything', () => {
    it.each<[string, RawEntry[]]>([
      ['an absolute path', [{ header: { name: '/etc/cron.d/pwned' }, content: Buffer.from('* * * * * root id\n') }]],
      ['a .. path', [{ header: { name: 'sites/1/files/../../../../etc/pwned' }, content: Buffer.from('x') }]],
      [
        'a link out of the site folder',
        [{ header: { name: 'sites/1/files/public/out', type: 'symlink', linkname: '../../../../../../etc' } }],
      ],
      ['an absolute link', [{ header: { name: 'sites/1/files/public/out', type: 'symlink', linkname: '/etc/shadow' } }]],
      ['a link among the platform state', [{ header: { name: 'platform/state/keys/manager.key', type: 'symlink', linkname: 'x' } }]],
      ['a hard link to a host file', [{ header: { name: 'sites/1/files/public/shadow', type: 'link', linkname: '/etc/shadow' } }]],
      ['a character device', [{ header: { name: 'sites/1/files/public/mem', type: 'character-device', devmajor: 1, devminor: 1 } }]],
      ['a block device', [{ header: { name: 'sites/1/files/public/disk', type: 'block-device', devmajor: 8, devminor: 0 } }]],
      ['a FIFO', [{ header: { name: 'sites/1/files/public/pipe', type: 'fifo' } }]],
      ['a path outside every part', [{ header: { name: 'elsewhere/file' }, content: Buffer.from('x') }]],
    ])('%s', async (label, hostile) => {
      const file = await listedArchive(`${label.replace(/\W+/g, '-')}.tar.gz`, hostile);
      expect(await codeOf(verifyArchive(file))).toBe('BACKUP_ARCHIVE_INVALID');
    });

    it('an entry the manifest does not list, and a listed entry that is missing', async () => {
      const extra = join(dir.path, 'extra.tar.gz');
      const manifest = {
        format: 'dais-backup',
        version: 1,
        createdAt: new Date().toISOString(),
        migrations: [],
        databaseNamePrefix: '',
        sites: [],
        entries: [],
      };
      await writeRawArchive(extra, [
        header,
        { header: { name: 'sites/1/files/public/x' }, content: Buffer.from('x') },
        { header: { name: 'manifest.json' }, content: Buffer.from(JSON.stringify(manifest)) },
      ]);
      expect(await codeOf(verifyArchive(extra))).toBe('BACKUP_ARCHIVE_INVALID');
      const missing = join(dir.path, 'missing.tar.gz');
      const listed = {
        ...manifest,
        entries: [{ type: 'file', path: 'sites/1/files/public/x', size: 1, sha256: '0'.repeat(64), mode: 0o644 }],
      };
      await writeRawArchive(missing, [header, { header: { name: 'manifest.json' }, content: Buffer.from(JSON.stringify(listed)) }]);
      expect(await codeOf(verifyArchive(missing))).toBe('BACKUP_ARCHIVE_INVALID');
    });
  });

  describe("the orchestrator's extraction stays inside the site folder anyway", () => {
    let root: string;
    let outside: string;

    beforeAll(async () => {
      root = join(dir.path, 'sites/7');
      outside = join(dir.path, 'outside');
      await mkdir(join(root, 'public'), { recursive: true });
      await mkdir(outside, { recursive: true });
      await writeFile(join(outside, 'keep.txt'), 'untouched');
    });

    const tarOf = (entries: RawEntry[]): Readable => {
      const pack = tarPack();
      for (const entry of entries) pack.entry({ ...entry.header, size: entry.content?.length ?? 0 }, entry.content ?? Buffer.alloc(0));
      pack.finalize();
      return Readable.from(pack);
    };

    it.each<[string, RawEntry[]]>([
      ['a .. path', [{ header: { name: 'files/../../outside/pwned' }, content: Buffer.from('x') }]],
      ['an absolute path', [{ header: { name: 'files//tmp/dais-backup-pwned' }, content: Buffer.from('x') }]],
      [
        'a link out, then a file through it',
        [
          { header: { name: 'files/public/out', type: 'symlink', linkname: '../../../outside' } },
          { header: { name: 'files/public/out/pwned' }, content: Buffer.from('x') },
        ],
      ],
      ['a link out alone', [{ header: { name: 'files/public/out', type: 'symlink', linkname: '../../../outside' } }]],
      ['a hard link', [{ header: { name: 'files/public/h', type: 'link', linkname: '../../outside/keep.txt' } }]],
      ['a device', [{ header: { name: 'files/public/mem', type: 'character-device', devmajor: 1, devminor: 1 } }]],
      ['an entry outside files/', [{ header: { name: 'report.json' }, content: Buffer.from('{}') }]],
    ])('%s is refused and nothing lands outside', async (_label, hostile) => {
      const folder = new SiteFolder({ root, owner: null });
      expect(await codeOf(restoreSiteFolder(folder, tarOf(hostile)))).not.toBe('accepted');
      expect((await readdir(outside)).sort()).toEqual(['keep.txt']);
      expect(existsSync('/tmp/dais-backup-pwned')).toBe(false);
      const kept = createReadStream(join(outside, 'keep.txt'));
      let text = '';
      for await (const chunk of kept) text += String(chunk);
      expect(text).toBe('untouched');
    });

    it('a well-formed archive is restored', async () => {
      const folder = new SiteFolder({ root, owner: null });
      const result = await restoreSiteFolder(
        folder,
        tarOf([
          { header: { name: 'files/public/', type: 'directory', mode: 0o755 } },
          { header: { name: 'files/public/index.html', mode: 0o644 }, content: Buffer.from('hello') },
          { header: { name: 'files/public/latest', type: 'symlink', linkname: 'index.html' } },
        ]),
      );
      expect(result.entries).toBe(3);
      expect((await readdir(join(root, 'public'))).sort()).toEqual(['index.html', 'latest']);
    });
  });
});
