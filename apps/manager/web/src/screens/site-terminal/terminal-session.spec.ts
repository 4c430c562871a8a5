import { describe, expect, it } from 'vitest';
import { describeSession, sessionAfter, sessionEnded, type TerminalSession } from './terminal-session';

describe('terminal session state', () => {
  const connecting: TerminalSession = { phase: 'connecting' };

  it('follows ready, exit and error messages and ignores the others', () => {
    const ready = sessionAfter(connecting, { type: 'ready' });
    expect(ready).toEqual({ phase: 'ready', siteRunning: true });
    expect(sessionAfter(ready, { type: 'pong' })).toBe(ready);
    expect(sessionAfter(ready, { type: 'exit', code: 3 })).toEqual({ phase: 'exited', code: 3 });
    expect(sessionAfter(ready, { type: 'error', code: 'SESSION_TIMED_OUT', message: 'Idle too long.' })).toEqual({
      phase: 'failed',
      message: 'Idle too long.',
    });
  });

  it('says when the shell runs beside a site that is not running, and when it is over', () => {
    expect(describeSession(sessionAfter(connecting, { type: 'ready', siteRunning: false }))).toContain('not running');
    expect(describeSession({ phase: 'exited', code: 0 })).toBe('The shell exited with code 0.');
    expect(sessionEnded({ phase: 'exited', code: 0 })).toBe(true);
    expect(sessionEnded({ phase: 'ready', siteRunning: true })).toBe(false);
  });
});
