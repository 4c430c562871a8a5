import { describe, expect, it } from 'vitest';
import { liveOpenSchema, orchestratorStreamPath } from './live-streams';

describe('orchestratorStreamPath', () => {
  it('builds the orchestrator path of each stream', () => {
    const path = (open: unknown) => orchestratorStreamPath(liveOpenSchema.parse(open));
    expect(path({ kind: 'terminal', siteId: 4, cols: 120, rows: 40 })).toBe('/ws/sites/4/terminal?cols=120&rows=40');
    expect(path({ kind: 'logs', siteId: 4 })).toBe('/ws/sites/4/logs?tail=100');
    expect(path({ kind: 'status', siteId: 4 })).toBe('/ws/sites/4/status');
    expect(path({ kind: 'files', siteId: 4, path: '/public/a&b=c' })).toBe('/ws/sites/4/files?path=%2Fpublic%2Fa%26b%3Dc');
  });

  it('clamps absurd terminal sizes before they reach the query', () => {
    expect(orchestratorStreamPath({ kind: 'terminal', siteId: 1, cols: Number.NaN, rows: 1e9 })).toBe(
      '/ws/sites/1/terminal?cols=2&rows=500',
    );
  });

  it('refuses requests that are not streams', () => {
    expect(liveOpenSchema.safeParse({ kind: 'shell-server', siteId: 1 }).success).toBe(false);
    expect(liveOpenSchema.safeParse({ kind: 'files', siteId: 1, path: 'a\u0000b' }).success).toBe(false);
    expect(liveOpenSchema.safeParse({ kind: 'logs', siteId: 1, tail: 1e9 }).success).toBe(false);
  });
});
