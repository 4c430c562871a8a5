import { describe, expect, it } from 'vitest';
import { isPlainPath, isRouteAllowed } from './route-allowlist';

describe('route allow-list', () => {
  const shellRules = [{ prefix: '/ws/shell-server/', methods: ['GET'] }];

  it.each(['/ws/shell-server/1', '/ws/shell-server/1?token=abc', '/ws/shell-server'])('allows %j for the shell', (path) => {
    expect(isRouteAllowed(shellRules, 'GET', path)).toBe(true);
  });

  it.each([
    '/ws/shell-serverX',
    '/ws/shell-server/../../v1/sites',
    '/ws/shell-server/%2e%2e/v1/sites',
    '/ws/shell-server/%2E%2E%2Fv1',
    '/ws/shell-server//v1',
    '/ws/shell-server/.\\v1',
    '/ws/shell-server/./x',
    '/v1/sites/1',
    'ws/shell-server/1',
    '/ws/shell-server/%00',
  ])('refuses %j for the shell', (path) => {
    expect(isRouteAllowed(shellRules, 'GET', path)).toBe(false);
  });

  it('checks methods when the rule names them', () => {
    expect(isRouteAllowed(shellRules, 'POST', '/ws/shell-server/1')).toBe(false);
  });

  it('treats a prefix without trailing slash as exact', () => {
    expect(isRouteAllowed([{ prefix: '/v1/health' }], 'GET', '/v1/health')).toBe(true);
    expect(isRouteAllowed([{ prefix: '/v1/health' }], 'GET', '/v1/healthz')).toBe(false);
  });

  it('recognizes plain paths', () => {
    expect(isPlainPath('/a/b-c/d.txt')).toBe(true);
    expect(isPlainPath('/a/../b')).toBe(false);
  });
});
