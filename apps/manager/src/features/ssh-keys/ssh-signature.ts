import { verify } from 'node:crypto';
import type { SshKeyType, SshPublicKey } from './ssh-public-key';
import { SshWireReader, WireFormatError } from './ssh-wire-reader';

/** How node:crypto checks one SSH signature algorithm: its digest (null: Ed25519 hashes itself) and, for ECDSA, the size of r and s. */
interface SignatureScheme {
  digest: string | null;
  ecdsaBytes?: number;
}

/**
 * The signature algorithms accepted for each key type (RFC 8709, RFC 5656 §3.1.2, RFC 8332).
 * `ssh-rsa` signatures (SHA-1) are refused, as OpenSSH refuses them since 8.8. FIDO keys sign in a
 * format of their own that the shell's SSH library cannot carry, so none is listed for them.
 */
const SCHEMES: Readonly<Partial<Record<SshKeyType, Readonly<Record<string, SignatureScheme>>>>> = {
  'ssh-ed25519': { 'ssh-ed25519': { digest: null } },
  'ecdsa-sha2-nistp256': { 'ecdsa-sha2-nistp256': { digest: 'sha256', ecdsaBytes: 32 } },
  'ecdsa-sha2-nistp384': { 'ecdsa-sha2-nistp384': { digest: 'sha384', ecdsaBytes: 48 } },
  'ecdsa-sha2-nistp521': { 'ecdsa-sha2-nistp521': { digest: 'sha512', ecdsaBytes: 66 } },
  'ssh-rsa': { 'rsa-sha2-256': { digest: 'sha256' }, 'rsa-sha2-512': { digest: 'sha512' } },
};

/** True when Dais verifies `algorithm` signatures made by keys of this type. */
export function acceptsSignatureAlgorithm(type: SshKeyType, algorithm: string): boolean {
  return Object.hasOwn(SCHEMES[type] ?? {}, algorithm);
}

/**
 * Verifies an SSH signature (RFC 4253 §6.6: `string` algorithm name, `string` signature blob) made
 * by `key` over `data` with `algorithm`. Pure; false for anything malformed, never throws.
 */
export function verifySshSignature(key: SshPublicKey, algorithm: string, data: Buffer, signature: Buffer): boolean {
  const scheme = SCHEMES[key.type]?.[algorithm];
  if (!scheme) return false;
  try {
    const reader = new SshWireReader(signature, 'signature');
    // The name inside must be the algorithm the client announced, so an RSA key cannot be checked under a weaker hash.
    if (reader.text('algorithm') !== algorithm) return false;
    const blob = reader.bytes('signature blob');
    if (!reader.done) return false;
    if (scheme.ecdsaBytes === undefined) return verify(scheme.digest, data, key.keyObject, blob);
    return verify(scheme.digest, data, { key: key.keyObject, dsaEncoding: 'ieee-p1363' }, ecdsaRaw(blob, scheme.ecdsaBytes));
  } catch {
    // A malformed blob (WireFormatError) or one OpenSSL refuses to even try (an RSA signature longer than the modulus).
    return false;
  }
}

/** An SSH ECDSA signature blob (`mpint r`, `mpint s`, RFC 5656 §3.1.2) as the fixed-size `r || s` node:crypto takes. */
function ecdsaRaw(blob: Buffer, size: number): Buffer {
  const reader = new SshWireReader(blob, 'signature');
  const r = reader.positiveMpint('r');
  const s = reader.positiveMpint('s');
  if (!reader.done || r.length > size || s.length > size) throw new WireFormatError('the ECDSA signature is malformed');
  const raw = Buffer.alloc(2 * size);
  r.copy(raw, size - r.length);
  s.copy(raw, 2 * size - s.length);
  return raw;
}
