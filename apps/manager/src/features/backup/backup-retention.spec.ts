import { describe, expect, it } from 'vitest';
import { archivesToPrune, scheduledArchiveName } from './backup-retention';

describe('scheduled backup names and retention', () => {
  it('names archives by UTC time, sortable', () => {
    expect(scheduledArchiveName(new Date('2026-12-07T13:05:09.123Z'))).toBe('dais-backup-20261207T130509Z.tar.gz');
  });

  it('keeps the newest N scheduled archives and never touches other files', () => {
    const names = [
      'dais-backup-20261201T000000Z.tar.gz',
      'dais-backup-20261203T000000Z.tar.gz',
      'dais-backup-20261202T000000Z.tar.gz',
      '.dais-backup-20261204T000000Z.tar.gz.1a2b3c4d.partial',
      'before-upgrade.tar.gz',
      'dais-backup-notes.txt',
    ];
    expect(archivesToPrune(names, 2)).toEqual(['dais-backup-20261201T000000Z.tar.gz']);
    expect(archivesToPrune(names, 5)).toEqual([]);
  });
});
