import { describe, expect, it } from 'vitest';
import { isDaisError } from '@dais/shared';
import { matchLiveRoute } from './ws-routes';

const codeOf = (target: string): string => {
  try {
    matchLiveRoute(target);
    return 'accepted';
  } catch (error) {
    return isDaisError(error) ? error.code : 'not coded';
  }
};

describe('matchLiveRoute', () => {
  it('names the stream, the site and the query', () => {
    expect(matchLiveRoute('/ws/sites/12/terminal?cols=80&rows=24')).toEqual({
      kind: 'terminal',
      siteId: 12,
      query: { cols: '80', rows: '24' },
    });
    expect(matchLiveRoute('/ws/sites/3/files?path=%2Fpublic%2Fa%20b')).toMatchObject({ kind: 'files', query: { path: '/public/a b' } });
    expect(matchLiveRoute('/ws/shell-server/7?mode=sftp')).toEqual({ kind: 'shell-server', siteId: 7, query: { mode: 'sftp' } });
  });

  it.each([
    ['/ws/sites/1/shell', 'NOT_FOUND'],
    ['/ws/sites/0/terminal', 'NOT_FOUND'],
    ['/ws/sites/01/terminal', 'NOT_FOUND'],
    ['/ws/sites/-1/terminal', 'NOT_FOUND'],
    ['/ws/sites/1/terminal/', 'NOT_FOUND'],
    ['/ws/sites/1/../2/terminal', 'NOT_FOUND'],
    ['/ws/sites/99999999999/terminal', 'NOT_FOUND'],
    ['/ws/sites/9999999999/terminal', 'SITE_NOT_FOUND'],
    ['/ws/shell-server/1/extra', 'NOT_FOUND'],
    ['/v1/sites/1', 'NOT_FOUND'],
    ['/ws/sites/1/logs?tail=1&tail=2', 'VALIDATION_FAILED'],
  ])('refuses %s with %s', (target, code) => {
    expect(codeOf(target)).toBe(code);
  });
});
