import { describe, expect, it } from 'vitest';
import { parseLoginName } from './login-name';

describe('parseLoginName', () => {
  it('reads user, user+site and user/site', () => {
    expect(parseLoginName('alice')).toEqual({ ok: true, username: 'alice' });
    expect(parseLoginName('alice+blog')).toEqual({ ok: true, username: 'alice', site: 'blog' });
    expect(parseLoginName('alice/my-blog2')).toEqual({ ok: true, username: 'alice', site: 'my-blog2' });
    expect(parseLoginName('a_b-c+x1')).toEqual({ ok: true, username: 'a_b-c', site: 'x1' });
  });

  it.each([
    ['a NUL byte', 'alice\u0000'],
    ['an escape sequence', 'alice\u001b[2J'],
    ['a newline (log forging)', 'alice\nroot logged in'],
    ['a carriage return', 'alice+blog\r'],
    ['DEL', 'al\u007fice'],
    ['a C1 control', 'alice\u009b31m'],
  ])('refuses %s with a one-line message', (_label, raw) => {
    const parsed = parseLoginName(raw);
    expect(parsed).toEqual({ ok: false, message: 'The user name contains control characters.' });
  });

  it('refuses overlong names without echoing them', () => {
    const parsed = parseLoginName('a'.repeat(5000));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.message).toContain('longer than 80');
      expect(parsed.message.length).toBeLessThan(100);
    }
  });

  it.each(['', 'Alice', '1alice', 'al ice', '../etc', 'alice+', 'alice+Blog', 'alice+../x', 'alice+a/b', '+blog', 'ålice', 'alice;id'])(
    'refuses %j',
    (raw) => {
      const parsed = parseLoginName(raw);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.message).not.toMatch(/\n/);
    },
  );
});
