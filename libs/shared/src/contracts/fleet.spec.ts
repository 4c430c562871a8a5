import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalPublicKeyPem,
  FLEET_PROTOCOL_VERSION,
  identityRequestSchema,
  parsePublicKeyPem,
  proveIdentity,
  verifyIdentitySignature,
} from './fleet';
import { peerUrlSchema } from './fleet-admin';

describe('fleet identity proof', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const challenge = 'c'.repeat(43);

  it('is signed with the peer’s own key over its id and this challenge only', () => {
    const proof = proveIdentity({ id: 'orchestrator-2', component: 'orchestrator', privateKey }, { challenge });
    expect(proof).toMatchObject({ id: 'orchestrator-2', component: 'orchestrator', publicKey: canonicalPublicKeyPem(publicKey) });
    expect(proof.version.protocol).toBe(FLEET_PROTOCOL_VERSION);
    expect(verifyIdentitySignature(proof, challenge, publicKey)).toBe(true);
    expect(verifyIdentitySignature(proof, 'd'.repeat(43), publicKey)).toBe(false);
    expect(verifyIdentitySignature({ ...proof, id: 'orchestrator' }, challenge, publicKey)).toBe(false);
    expect(verifyIdentitySignature(proof, challenge, generateKeyPairSync('ed25519').publicKey)).toBe(false);
    expect(verifyIdentitySignature({ ...proof, signature: '!!' }, challenge, publicKey)).toBe(false);
  });

  it('takes only a challenge of 32 to 128 base64url characters', () => {
    for (const bad of ['', 'short', 'a'.repeat(129), `${'a'.repeat(40)}\n`, `${'a'.repeat(40)}=`, 123, null])
      expect(identityRequestSchema.safeParse({ challenge: bad }).success, JSON.stringify(bad)).toBe(false);
    expect(identityRequestSchema.safeParse({ challenge, extra: 1 }).success).toBe(false);
    expect(identityRequestSchema.safeParse({ challenge }).success).toBe(true);
  });

  it('reads Ed25519 public keys only: never a private key, an RSA key or garbage', () => {
    expect(parsePublicKeyPem(canonicalPublicKeyPem(publicKey))?.equals(publicKey)).toBe(true);
    expect(parsePublicKeyPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())).toBeNull();
    expect(
      parsePublicKeyPem(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    ).toBeNull();
    expect(parsePublicKeyPem('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')).toBeNull();
  });

  it('keeps peer URLs in one spelling, refusing credentials, queries and other schemes', () => {
    expect(peerUrlSchema.parse('HTTP://Host.Example:7100/')).toBe('http://host.example:7100');
    expect(peerUrlSchema.parse('https://10.0.0.2/dais/')).toBe('https://10.0.0.2/dais');
    for (const bad of ['ftp://x', 'http://u:p@x', 'http://x/?a=1', 'http://x/#f', 'x', '', 'http://'])
      expect(peerUrlSchema.safeParse(bad).success, bad).toBe(false);
  });
});
