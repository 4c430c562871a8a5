import { describe, expect, it } from 'vitest';
import { duration, parseLimitEvents } from './build-step';

describe('reading a build step cgroup counters', () => {
  it('reads cgroup v1: forks refused at the pids limit and OOM kills', () => {
    const text = [
      '==> /sys/fs/cgroup/pids/pids.events <==',
      'max 93',
      '',
      '==> /sys/fs/cgroup/memory/memory.oom_control <==',
      'oom_kill_disable 0',
      'under_oom 0',
      'oom_kill 2',
    ].join('\n');
    expect(parseLimitEvents(text)).toEqual({ pidsRefused: 93, oomKills: 2 });
  });

  it("reads cgroup v2, where memory.events' own max line is not the pids limit", () => {
    const text = [
      '==> /sys/fs/cgroup/pids.events <==',
      'max 0',
      '',
      '==> /sys/fs/cgroup/memory.events <==',
      'low 0',
      'high 0',
      'max 17',
      'oom 1',
      'oom_kill 1',
    ].join('\n');
    expect(parseLimitEvents(text)).toEqual({ pidsRefused: 0, oomKills: 1 });
  });

  it('finds nothing in nothing', () => {
    expect(parseLimitEvents('')).toEqual({ pidsRefused: 0, oomKills: 0 });
  });
});

describe('duration', () => {
  it('says seconds under two minutes, minutes above', () => {
    expect(duration(1_500)).toBe('2 seconds');
    expect(duration(90_000)).toBe('90 seconds');
    expect(duration(30 * 60_000)).toBe('30 minutes');
  });
});
