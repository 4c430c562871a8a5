import { describe, expect, it } from 'vitest';
import { mountAt, mountContaining, parseMountInfo } from './mount-table';

const MOUNTINFO = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro',
  '40 22 8:17 / /srv rw,noatime shared:20 - xfs /dev/sdb1 rw,attr2,inode64,prjquota',
  '61 40 7:3 / /srv/dais/sites/3 rw,nosuid,nodev,relatime shared:31 - ext4 /dev/loop3 rw',
  '62 22 7:4 / /tmp/with\\040space rw,relatime - ext4 /dev/loop4 rw',
  'not a mountinfo line',
].join('\n');

describe('mount table', () => {
  const entries = parseMountInfo(MOUNTINFO);

  it('reads mount points, types, sources and both kinds of options, unescaping names', () => {
    expect(entries).toHaveLength(4);
    expect(entries[1]).toEqual({
      mountPoint: '/srv',
      fsType: 'xfs',
      source: '/dev/sdb1',
      options: ['rw', 'noatime', 'rw', 'attr2', 'inode64', 'prjquota'],
    });
    expect(entries[3]?.mountPoint).toBe('/tmp/with space');
  });

  it('finds what is mounted at a folder, and which filesystem a path is on', () => {
    expect(mountAt(entries, '/srv/dais/sites/3')?.source).toBe('/dev/loop3');
    expect(mountAt(entries, '/srv/dais/sites/4')).toBeUndefined();
    expect(mountContaining(entries, '/srv/dais/sites')?.mountPoint).toBe('/srv');
    expect(mountContaining(entries, '/srv/dais/sites/3/public')?.mountPoint).toBe('/srv/dais/sites/3');
    expect(mountContaining(entries, '/srvx')?.mountPoint).toBe('/');
  });
});
