import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DiskTools } from './disk-tools';
import type { MountEntry } from './mount-table';
import { XfsQuotaDisks } from './xfs-quota-disks';

/** Records every command; answers `xfs_io lsproj` with the project the test says the folder has. */
class FakeTools implements DiskTools {
  readonly calls: string[][] = [];
  project = 0;
  missing = new Set<string>();

  run(file: string, args: readonly string[]): Promise<string> {
    this.calls.push([file, ...args]);
    if (file === 'rm') return rm(args.at(-1) ?? '', { recursive: true, force: true }).then(() => '');
    return Promise.resolve(file === 'xfs_io' ? `projid = ${this.project}\n` : '');
  }

  has(file: string): Promise<boolean> {
    return Promise.resolve(!this.missing.has(file));
  }

  quotaCommands(): string[] {
    return this.calls.filter(([file]) => file === 'xfs_quota').map((call) => call.slice(1).join(' '));
  }
}

describe('xfs project quota driver (xfs_quota argv checked against a fake; this machine has no quota support)', () => {
  let root: string;
  let sitesRoot: string;
  let tools: FakeTools;
  let mounts: MountEntry[];

  const driver = () =>
    new XfsQuotaDisks({ sitesRoot, projectOf: (siteId) => 200_000 + siteId, tools, mounts: () => Promise.resolve(mounts) });

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'dais-xfs-'));
    sitesRoot = join(root, 'sites');
    await mkdir(sitesRoot);
    tools = new FakeTools();
    mounts = [
      { mountPoint: '/', fsType: 'ext4', source: '/dev/sda1', options: ['rw'] },
      { mountPoint: root, fsType: 'xfs', source: '/dev/sdb1', options: ['rw', 'noatime', 'prjquota'] },
    ];
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('refuses to start unless the sites folder is on XFS mounted with prjquota, saying where it is', async () => {
    mounts = [{ mountPoint: '/', fsType: 'ext4', source: '/dev/sda1', options: ['rw', 'relatime'] }];
    await expect(driver().prepare()).rejects.toThrow(
      /needs .*\/sites on an XFS filesystem mounted with prjquota; it is on ext4 at \/ \(rw,relatime\)/,
    );
    mounts = [{ mountPoint: root, fsType: 'xfs', source: '/dev/sdb1', options: ['rw', 'usrquota'] }];
    await expect(driver().prepare()).rejects.toThrow(/mounted with prjquota/);
    mounts = [{ mountPoint: root, fsType: 'xfs', source: '/dev/sdb1', options: ['rw', 'pquota'] }];
    tools.missing.add('xfs_quota');
    await expect(driver().prepare()).rejects.toThrow(/needs xfs_quota \(Debian package xfsprogs\)/);
  });

  it('makes a site an XFS project (id = its uid) with a hard block limit, on the filesystem it is on', async () => {
    const disks = driver();
    await disks.prepare();
    const staging = join(sitesRoot, '.new-42');
    await mkdir(join(staging, 'public'), { recursive: true });
    await disks.create(42, staging, 64);
    expect(await readdir(sitesRoot)).toEqual(['42']);
    expect(tools.calls.filter(([file]) => file === 'xfs_quota')).toEqual([
      ['xfs_quota', '-x', '-c', `project -s -p ${sitesRoot}/42 200042`, root],
      ['xfs_quota', '-x', '-c', 'limit -p bhard=64m 200042', root],
    ]);
  });

  it('changes a limit with one command, tagging the folder first if it lost its project', async () => {
    const disks = driver();
    await disks.prepare();
    await mkdir(join(sitesRoot, '7'));
    tools.project = 200_007;
    expect(await disks.setLimit(7, 2_048, () => Promise.resolve())).toEqual([]);
    expect(tools.quotaCommands()).toEqual([`-x -c limit -p bhard=2048m 200007 ${root}`]);
    tools.calls.length = 0;
    tools.project = 0;
    await disks.setLimit(7, 16, () => Promise.resolve());
    expect(tools.quotaCommands()).toEqual([`-x -c project -s -p ${sitesRoot}/7 200007 ${root}`, `-x -c limit -p bhard=16m 200007 ${root}`]);
  });

  it('deletes the folder and clears the project limit', async () => {
    const disks = driver();
    await disks.prepare();
    await mkdir(join(sitesRoot, '9', 'public'), { recursive: true });
    expect(await disks.remove(9)).toBe(true);
    expect(await readdir(sitesRoot)).toEqual([]);
    expect(tools.quotaCommands()).toEqual([`-x -c limit -p bhard=0 200009 ${root}`]);
  });

  it('never hands xfs_quota a path it would split (its commands are one string)', async () => {
    const spaced = join(root, 'my sites');
    await mkdir(spaced);
    const disks = new XfsQuotaDisks({ sitesRoot: spaced, projectOf: (id) => id, tools, mounts: () => Promise.resolve(mounts) });
    await expect(disks.prepare()).rejects.toThrow(/letters, digits and \._\/- only/);
  });
});
