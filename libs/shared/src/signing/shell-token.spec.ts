import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NonceCache } from './nonce-cache';
import { issueShellToken, verifyShellToken } from './shell-token';
import { codeOf } from '../../../../test/support/error-code';

const manager = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const grant = { siteId: 7, userId: 3, username: 'alice' };

describe('shell tokens', () => {
  it('are accepted once, for their site, before they expire', () => {
    const nonces = new NonceCache();
    const token = issueShellToken(manager.privateKey, grant, 60_000);
    expect(verifyShellToken(manager.publicKey, token, { siteId: 7, nonces })).toMatchObject(grant);
    expect(codeOf(() => verifyShellToken(manager.publicKey, token, { siteId: 7, nonces }))).toBe('SHELL_TOKEN_INVALID');
  });

  it('never live longer than 60 s, whatever is asked', () => {
    const now = Date.now();
    const token = issueShellToken(manager.privateKey, grant, 3_600_000, now);
    expect(codeOf(() => verifyShellToken(manager.publicKey, token, { siteId: 7, nonces: new NonceCache(), now: now + 61_000 }))).toBe(
      'SHELL_TOKEN_EXPIRED',
    );
  });

  it('refuses another site, another signer, tampered claims and garbage', () => {
    const token = issueShellToken(manager.privateKey, grant, 30_000);
    expect(codeOf(() => verifyShellToken(manager.publicKey, token, { siteId: 8, nonces: new NonceCache() }))).toBe('SHELL_TOKEN_INVALID');
    expect(
      codeOf(() =>
        verifyShellToken(manager.publicKey, issueShellToken(other.privateKey, grant, 30_000), { siteId: 7, nonces: new NonceCache() }),
      ),
    ).toBe('SHELL_TOKEN_INVALID');
    const [payload, signature] = token.split('.');
    const forged = Buffer.from(
      Buffer.from(payload ?? '', 'base64url')
        .toString()
        .replace('"siteId":7', '"siteId":9'),
    ).toString('base64url');
    expect(codeOf(() => verifyShellToken(manager.publicKey, `${forged}.${signature ?? ''}`, { siteId: 9, nonces: new NonceCache() }))).toBe(
      'SHELL_TOKEN_INVALID',
    );
    for (const junk of ['', '.', 'a.b.c', 'x'.repeat(3_000)])
      expect(codeOf(() => verifyShellToken(manager.publicKey, junk, { siteId: 7, nonces: new NonceCache() }))).toBe('SHELL_TOKEN_INVALID');
  });
});
