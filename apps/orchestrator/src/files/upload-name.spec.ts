import { describe, expect, it } from 'vitest';
import { isDaisError } from '@dais/shared';
import { checkUploadName } from './upload-name';

const codeOf = (name: string): string => {
  try {
    checkUploadName(name);
    return 'ok';
  } catch (error) {
    return isDaisError(error) ? error.code : String(error);
  }
};

describe('checkUploadName (the file name of a multipart part)', () => {
  it('keeps ordinary names exactly as sent, Unicode and dots included', () => {
    for (const name of ['index.html', 'héllo wörld.txt', '.htaccess', '..hidden', 'a..b', '%2e%2e', 'new%0Aline', '…', 'x'.repeat(255)]) {
      expect(checkUploadName(name)).toBe(name);
    }
    expect(checkUploadName('é'.repeat(127))).toBe('é'.repeat(127));
  });

  it('refuses with PATH_INVALID (400) anything that is not exactly one name', () => {
    const hostile = [
      '',
      '.',
      '..',
      '/',
      '../x',
      '../../etc/passwd',
      '/etc/passwd',
      'public/index.html',
      'a/',
      '..\\..\\etc\\passwd',
      'a\\b',
      'index.html\u0000.png',
      '\u0000',
      'new\nline',
      'carriage\rreturn',
      '\u001b[31mred',
      'del\u007f',
      'c1\u0085',
      '\uD800',
      'x'.repeat(256),
      'é'.repeat(128),
      '.dais-upload-0123456789abcdef',
    ];
    for (const name of hostile) expect(codeOf(name), JSON.stringify(name)).toBe('PATH_INVALID');
  });
});
