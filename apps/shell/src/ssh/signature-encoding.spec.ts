import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureAlgorithm, sshSignatureBlob } from './signature-encoding';

/** Reads `string` fields of an SSH wire blob. */
function strings(blob: Buffer): Buffer[] {
  const fields: Buffer[] = [];
  for (let offset = 0; offset < blob.length;) {
    const length = blob.readUInt32BE(offset);
    fields.push(blob.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return fields;
}

describe('signatures go back to their SSH form for the manager', () => {
  it.each([
    ['P-256', 'ecdsa-sha2-nistp256', 'sha256', 32],
    ['P-384', 'ecdsa-sha2-nistp384', 'sha384', 48],
    ['P-521', 'ecdsa-sha2-nistp521', 'sha512', 66],
  ])('ECDSA %s: DER (as ssh2 hands it over) becomes mpint r, mpint s that still verify', (curve, algorithm, digest, size) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
    for (let round = 0; round < 20; round += 1) {
      const data = Buffer.from(`signed data ${round}`);
      const [name, inner] = strings(sshSignatureBlob(algorithm, sign(digest, data, privateKey)));
      expect(name?.toString()).toBe(algorithm);
      const [r, s] = strings(inner!);
      for (const part of [r!, s!]) expect(part[0]! & 0x80).toBe(0); // positive mpints
      const raw = Buffer.concat([r!, s!].map((part) => Buffer.concat([Buffer.alloc(size + 1 - part.length), part]).subarray(1)));
      expect(verify(digest, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw)).toBe(true);
    }
  });

  it('wraps Ed25519 and RSA signatures as they are, under the algorithm the client used', () => {
    const raw = Buffer.alloc(64, 7);
    expect(strings(sshSignatureBlob('ssh-ed25519', raw))).toEqual([Buffer.from('ssh-ed25519'), raw]);
    expect(signatureAlgorithm('ssh-rsa', 'sha512')).toBe('rsa-sha2-512');
    expect(signatureAlgorithm('ssh-rsa', 'sha256')).toBe('rsa-sha2-256');
    expect(signatureAlgorithm('ssh-rsa', undefined)).toBe('ssh-rsa');
    expect(signatureAlgorithm('ssh-ed25519', undefined)).toBe('ssh-ed25519');
  });

  it('throws on an ECDSA signature that is not DER', () => {
    for (const junk of [
      Buffer.alloc(0),
      Buffer.from([0x30, 0x05, 0x02]),
      Buffer.from([0x31, 0x00]),
      Buffer.from([0x30, 0x84, 1, 1, 1, 1]),
    ]) {
      expect(() => sshSignatureBlob('ecdsa-sha2-nistp256', junk)).toThrow();
    }
  });
});
