import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryNonceStore } from './nonce-store';
import { issueShellToken, verifyShellToken } from './shell-token';

const manager = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const grant = { siteId: 7, userId: 3, username: 'alice' };

/** The code a check refuses the token with; undefined if it accepts it. */
async function codeOf(check: Promise<unknown>): Promise<string | undefined> {
  try {
    await check;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('shell tokens', () => {
  it('are accepted once, for their site, before they expire', async () => {
    const nonces = new MemoryNonceStore();
    const token = issueShellToken(manager.privateKey, grant, 60_000);
    expect(await verifyShellToken(manager.publicKey, token, { siteId: 7, nonces })).toMatchObject(grant);
    expect(await codeOf(verifyShellToken(manager.publicKey, token, { siteId: 7, nonces }))).toBe('SHELL_TOKEN_INVALID');
  });

  it('never live longer than 60 s, whatever is asked', async () => {
    const now = Date.now();
    const token = issueShellToken(manager.privateKey, grant, 3_600_000, now);
    expect(await codeOf(verifyShellToken(manager.publicKey, token, { siteId: 7, nonces: new MemoryNonceStore(), now: now + 61_000 }))).toBe(
      'SHELL_TOKEN_EXPIRED',
    );
  });

  it('refuses another site, another signer, tampered claims and garbage', async () => {
    const token = issueShellToken(manager.privateKey, grant, 30_000);
    const check = (key: typeof manager.publicKey, candidate: string, siteId = 7) =>
      codeOf(verifyShellToken(key, candidate, { siteId, nonces: new MemoryNonceStore() }));
    expect(await check(manager.publicKey, token, 8)).toBe('SHELL_TOKEN_INVALID');
    expect(await check(manager.publicKey, issueShellToken(other.privateKey, grant, 30_000))).toBe('SHELL_TOKEN_INVALID');
    const [payload, signature] = token.split('.');
    const forged = Buffer.from(
      Buffer.from(payload ?? '', 'base64url')
        .toString()
        .replace('"siteId":7', '"siteId":9'),
    ).toString('base64url');
    expect(await check(manager.publicKey, `${forged}.${signature ?? ''}`, 9)).toBe('SHELL_TOKEN_INVALID');
    for (const junk of ['', '.', 'a.b.c', 'x'.repeat(3_000)]) expect(await check(manager.publicKey, junk)).toBe('SHELL_TOKEN_INVALID');
  });
});
