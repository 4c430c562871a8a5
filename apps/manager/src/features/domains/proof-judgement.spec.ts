import { describe, expect, it } from 'vitest';
import { challengeRecordName, judgeProof, newVerificationToken } from './proof-judgement';

const expected = { recordName: '_dais-challenge.shop.example.org', token: '0123456789abcdef0123456789abcdef' };

describe('the proof record', () => {
  it('lives under _dais-challenge, at the zone of a wildcard, and not at all when the name would be too long', () => {
    expect(challengeRecordName('shop.example.org')).toBe('_dais-challenge.shop.example.org');
    expect(challengeRecordName('*.example.org')).toBe('_dais-challenge.example.org');
    const longest = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.org`;
    expect(longest).toHaveLength(253);
    expect(challengeRecordName(longest)).toBeNull();
    expect(challengeRecordName(longest.slice(16))).toHaveLength(253);
    expect(challengeRecordName(longest.slice(15))).toBeNull();
  });

  it('holds a fresh 128-bit token per claim', () => {
    const tokens = new Set(Array.from({ length: 100 }, newVerificationToken));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(token).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('judging a lookup', () => {
  it('is proven by any record holding the token, pasted with spaces or quotes', () => {
    expect(judgeProof({ kind: 'records', values: ['google-site-verification=x', expected.token] }, expected)).toEqual({ proven: true });
    expect(judgeProof({ kind: 'records', values: [`  "${expected.token}" `] }, expected)).toEqual({ proven: true });
  });

  it('is not proven by a record that merely contains the token, or another case of it', () => {
    for (const value of [`x${expected.token}`, `${expected.token}x`, expected.token.toUpperCase(), `"${expected.token}`]) {
      expect(judgeProof({ kind: 'records', values: [value] }, expected)).toMatchObject({ proven: false, problem: 'wrong-value' });
    }
  });

  it('says what is wrong and what to publish, never repeating what the DNS answered', () => {
    const hostile = '<script>alert(1)</script>'.repeat(2_000);
    const outcome = judgeProof({ kind: 'records', values: [hostile, 'v=spf1 -all'] }, expected);
    expect(outcome).toMatchObject({ proven: false, problem: 'wrong-value', definite: true });
    const message = outcome.proven ? '' : outcome.message;
    expect(message).toContain('_dais-challenge.shop.example.org has 2 TXT records, but none holds');
    expect(message).toContain(expected.token);
    expect(message).not.toContain('script');
    expect(message.length).toBeLessThan(300);
  });

  it.each([
    [{ kind: 'no-domain' } as const, 'no-domain', true, /does not exist \(NXDOMAIN\)/],
    [{ kind: 'no-record' } as const, 'no-record', true, /has no TXT record/],
    [{ kind: 'timeout' } as const, 'timeout', false, /did not answer in time/],
    [{ kind: 'failed', code: 'ESERVFAIL' } as const, 'dns-failed', false, /failed \(ESERVFAIL\)/],
  ])('reads %o as %s', (lookup, problem, definite, message) => {
    const outcome = judgeProof(lookup, expected);
    expect(outcome).toMatchObject({ proven: false, problem, definite });
    expect(outcome.proven ? '' : outcome.message).toMatch(message);
  });
});
