import { usernameSchema } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import { usernameFromClaims, withNumericSuffix } from './oidc-username';

describe('usernames for new single sign-on accounts', () => {
  it.each([
    [{ preferredUsername: 'alice' }, 'alice'],
    [{ preferredUsername: 'Alice.Smith' }, 'alice-smith'],
    [{ preferredUsername: 'José García' }, 'jose-garcia'],
    [{ preferredUsername: 'bob@example.org' }, 'bob'],
    [{ preferredUsername: '  ', email: 'Eve.Smith+dais@example.org' }, 'eve-smith-dais'],
    [{ email: 'carol@example.org' }, 'carol'],
    [{ preferredUsername: '42-dave' }, 'dave'],
    [{ preferredUsername: 'under_score--and--dashes' }, 'under_score-and-dashes'],
    [{ preferredUsername: 'ends-with-dash-' }, 'ends-with-dash'],
    [{ preferredUsername: 'a'.repeat(40) }, 'a'.repeat(32)],
    [{ preferredUsername: '山田太郎' }, 'user'],
    [{ preferredUsername: '1234' }, 'user'],
    [{}, 'user'],
  ])('%j → %s', (claims, expected) => {
    const username = usernameFromClaims(claims);
    expect(username).toBe(expected);
    expect(usernameSchema.safeParse(username).success).toBe(true);
  });

  it('numeric suffixes keep the name valid and within 32 characters', () => {
    expect(withNumericSuffix('alice', 2)).toBe('alice2');
    const long = withNumericSuffix('b'.repeat(32), 123);
    expect(long).toBe(`${'b'.repeat(29)}123`);
    expect(usernameSchema.safeParse(long).success).toBe(true);
  });
});
