import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { scramSha256Keys, scramSha256Verifier } from './scram-verifier';

// The SCRAM-SHA-256 exchange of RFC 7677 §3 (user "user", password "pencil").
const RFC7677 = {
  password: 'pencil',
  salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
  authMessage: [
    'n=user,r=rOprNGfwEbeRWgbNEkqO',
    'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  ].join(','),
  clientProof: 'dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverSignature: '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

describe('scramSha256Keys', () => {
  it('derives keys that verify the RFC 7677 exchange', () => {
    const { storedKey, serverKey } = scramSha256Keys(RFC7677.password, RFC7677.salt, 4096);
    const serverSignature = createHmac('sha256', serverKey).update(RFC7677.authMessage).digest('base64');
    expect(serverSignature).toBe(RFC7677.serverSignature);
    // The server checks a proof by recovering ClientKey = proof XOR HMAC(StoredKey, AuthMessage).
    const clientSignature = createHmac('sha256', storedKey).update(RFC7677.authMessage).digest();
    const proof = Buffer.from(RFC7677.clientProof, 'base64');
    const clientKey = Buffer.from(proof.map((byte, index) => byte ^ (clientSignature[index] ?? 0)));
    expect(createHash('sha256').update(clientKey).digest().equals(storedKey)).toBe(true);
  });
});

describe('scramSha256Verifier', () => {
  it("has PostgreSQL's format and never contains the password", () => {
    const verifier = scramSha256Verifier('pencil', RFC7677.salt);
    expect(verifier).toMatch(/^SCRAM-SHA-256\$4096:W22ZaJ0SNY7soEsUEjb6gQ==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    expect(verifier).not.toContain('pencil');
  });

  it('salts every verifier', () => {
    expect(scramSha256Verifier('same-password-for-both')).not.toBe(scramSha256Verifier('same-password-for-both'));
  });
});
