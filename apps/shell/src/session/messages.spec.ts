import { DaisError } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import { sessionFailureMessage, standInNotice } from './messages';

describe('sessionFailureMessage', () => {
  it('explains an expired token and a stopped site in words a person can act on', () => {
    expect(sessionFailureMessage(new DaisError('SHELL_TOKEN_EXPIRED', 'x'), 'blog')).toMatch(
      /^Your sign-in for blog expired.*connect again and choose sooner\.$/,
    );
    expect(sessionFailureMessage(new DaisError('SITE_NOT_RUNNING', 'Site 4 is stopped.'), 'blog')).toMatch(
      /^blog is not running: start it/,
    );
  });

  it('tells, in one line, that a session opened beside a stopped site', () => {
    expect(standInNotice('blog')).toMatch(/^blog is not running: this session is in a stand-in container[^\n]*dashboard/);
  });

  it('keeps a peer message to one clean line', () => {
    const message = sessionFailureMessage(new DaisError('PEER_ERROR', 'first line\u001b[2J\nsecond line'), 'blog');
    expect(message).toBe('blog: first line[2J');
  });
});
