import { describe, expect, it } from 'vitest';
import { isDaisError } from '@dais/shared';
import { checkEntryHeader, siteIdOfEntry } from './archive-format';

const refused = (header: Parameters<typeof checkEntryHeader>[0]) => {
  try {
    checkEntryHeader(header);
  } catch (error) {
    return isDaisError(error, 'BACKUP_ARCHIVE_INVALID');
  }
  return false;
};

describe('archive entry names and kinds', () => {
  it('accepts the parts a backup is made of', () => {
    expect(checkEntryHeader({ name: 'platform/database.sql', type: 'file' })).toBe('file');
    expect(checkEntryHeader({ name: 'platform/state/keys/', type: 'directory' })).toBe('directory');
    expect(checkEntryHeader({ name: 'router/acme/account.key', type: 'file' })).toBe('file');
    expect(checkEntryHeader({ name: 'sites/12/files/public/a b.html', type: 'file' })).toBe('file');
    expect(checkEntryHeader({ name: 'sites/12/database.sql', type: 'file' })).toBe('file');
    expect(checkEntryHeader({ name: 'sites/12/files/public/latest', type: 'symlink', linkname: 'index.html' })).toBe('symlink');
    expect(checkEntryHeader({ name: 'sites/12/files/public/up', type: 'symlink', linkname: '../private/x' })).toBe('symlink');
  });

  it.each([
    ['/etc/passwd', 'an absolute path'],
    ['sites/1/files/../../../etc/passwd', 'a .. segment'],
    ['sites/1/files/./a', 'a . segment'],
    ['sites/1/files//a', 'an empty segment'],
    ['sites/1/files/a\\..\\b', 'a backslash'],
    ['sites/1/files/a\u0000b', 'a NUL'],
    ['sites/0/files/a', 'site id 0'],
    ['sites/01/files/a', 'a non-canonical site id'],
    ['elsewhere/a', 'an unknown part'],
    ['', 'an empty name'],
  ])('refuses %j (%s)', (name) => {
    expect(refused({ name, type: 'file' })).toBe(true);
  });

  it.each(['link', 'character-device', 'block-device', 'fifo', 'contiguous-file'])('refuses %s entries', (type) => {
    expect(refused({ name: 'sites/1/files/public/x', type })).toBe(true);
  });

  it.each([
    ['/etc/passwd', 'absolute'],
    ['../../outside', 'above the site folder'],
    ['a/../../../x', 'climbing past the root in the middle'],
    ['', 'empty'],
  ])('refuses a link to %j (%s)', (linkname) => {
    expect(refused({ name: 'sites/1/files/public/x', type: 'symlink', linkname })).toBe(true);
  });

  it('refuses links outside site files', () => {
    expect(refused({ name: 'platform/state/keys/manager.key', type: 'symlink', linkname: 'x' })).toBe(true);
    expect(refused({ name: 'router/acme/account.key', type: 'symlink', linkname: 'x' })).toBe(true);
  });

  it('names the site of a site entry', () => {
    expect(siteIdOfEntry('sites/42/files/a')).toBe(42);
    expect(siteIdOfEntry('platform/database.sql')).toBeNull();
  });
});
