import { describe, expect, it } from 'vitest';
import { isDaisError } from '@dais/shared';
import { normalizeSitePath, parseSitePath } from './site-path';

const codeOf = (path: string): string | undefined => {
  try {
    parseSitePath(path);
    return undefined;
  } catch (error) {
    return isDaisError(error) ? error.code : 'not a DaisError';
  }
};

describe('parseSitePath', () => {
  it('reads paths relative to the site folder, absolute or not, as a chroot would', () => {
    expect(normalizeSitePath('')).toBe('/');
    expect(normalizeSitePath('/')).toBe('/');
    expect(normalizeSitePath('public/index.html')).toBe('/public/index.html');
    expect(normalizeSitePath('/public//./index.html/')).toBe('/public/index.html');
    expect(normalizeSitePath('/etc/passwd')).toBe('/etc/passwd');
    expect(parseSitePath('/public/a b/ü.txt')).toEqual(['public', 'a b', 'ü.txt']);
  });

  it('resolves .. lexically and refuses to climb above the site folder', () => {
    expect(normalizeSitePath('public/../private/x')).toBe('/private/x');
    expect(normalizeSitePath('a/b/../../c')).toBe('/c');
    for (const path of ['..', '/..', '../x', 'public/../../etc/passwd', 'a/../../a', './../..', `${'a/'.repeat(3)}${'../'.repeat(4)}`]) {
      expect(codeOf(path), path).toBe('PATH_FORBIDDEN');
    }
  });

  it('keeps percent-encoded and look-alike dots as plain names (decoding is the HTTP layer’s job, once)', () => {
    expect(parseSitePath('%2e%2e/%2e%2e/etc/passwd')).toEqual(['%2e%2e', '%2e%2e', 'etc', 'passwd']);
    expect(parseSitePath('．．/x')).toEqual(['．．', 'x']);
    expect(parseSitePath('.../x')).toEqual(['...', 'x']);
  });

  it('refuses NUL, control characters, backslashes and unpaired surrogates', () => {
    for (const path of [
      'a\u0000b',
      'public/index.html\u0000.txt',
      'a\nb',
      'a\rb',
      '\u001b[31m',
      'a\u007fb',
      'a\u0085b',
      '..\\..\\etc',
      '\uD800',
      'x\uDC00',
    ]) {
      expect(codeOf(path), JSON.stringify(path)).toBe('PATH_INVALID');
    }
  });

  it('refuses names past 255 bytes and paths past 4096 bytes, counting UTF-8 bytes', () => {
    expect(parseSitePath('a'.repeat(255))).toHaveLength(1);
    expect(codeOf('a'.repeat(256))).toBe('PATH_INVALID');
    expect(codeOf('é'.repeat(128))).toBe('PATH_INVALID');
    expect(codeOf(`${'a/'.repeat(2_048)}a`)).toBe('PATH_INVALID');
    expect(parseSitePath(`${'a/'.repeat(2_000)}a`)).toHaveLength(2_001);
  });
});
