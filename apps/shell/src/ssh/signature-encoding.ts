/**
 * ssh2 hands a client's signature over converted for OpenSSL (ECDSA as DER, the algorithm name
 * stripped); the manager verifies signatures in their SSH form (RFC 4253 §6.6), so this puts back
 * what ssh2 took off. Pure; throws on a signature that is not what ssh2 produces.
 */
export function sshSignatureBlob(algorithm: string, signature: Buffer): Buffer {
  const inner = algorithm.startsWith('ecdsa-sha2-') ? ecdsaFromDer(signature) : signature;
  return Buffer.concat([sshString(Buffer.from(algorithm, 'latin1')), sshString(inner)]);
}

/** The algorithm the client signed with: ssh2 names RSA keys `ssh-rsa` and reports the hash apart. */
export function signatureAlgorithm(keyAlgorithm: string, hashAlgorithm: string | undefined): string {
  if (keyAlgorithm !== 'ssh-rsa') return keyAlgorithm;
  if (hashAlgorithm === 'sha256') return 'rsa-sha2-256';
  if (hashAlgorithm === 'sha512') return 'rsa-sha2-512';
  return keyAlgorithm;
}

function sshString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/**
 * `SEQUENCE { INTEGER r, INTEGER s }` back to `mpint r, mpint s`. ssh2 copied the client's mpint
 * bytes into the INTEGERs unchanged (both are minimal two's complement), so they are copied back.
 */
function ecdsaFromDer(der: Buffer): Buffer {
  const outer = new DerReader(der);
  const sequence = new DerReader(outer.element(0x30));
  const r = sequence.element(0x02);
  const s = sequence.element(0x02);
  if (!outer.done || !sequence.done) throw new Error('the ECDSA signature has extra bytes');
  return Buffer.concat([sshString(r), sshString(s)]);
}

/** Reads definite-length DER elements, bounds-checked. */
class DerReader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  get done(): boolean {
    return this.offset === this.buffer.length;
  }

  /** The content of the next element, which must carry `tag`. */
  element(tag: number): Buffer {
    if (this.next() !== tag) throw new Error('unexpected DER tag in the ECDSA signature');
    let length = this.next();
    if (length & 0x80) {
      const bytes = length & 0x7f;
      if (bytes === 0 || bytes > 2) throw new Error('unsupported DER length in the ECDSA signature');
      length = 0;
      for (let i = 0; i < bytes; i += 1) length = length * 256 + this.next();
    }
    if (length > this.buffer.length - this.offset) throw new Error('the ECDSA signature is truncated');
    const content = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return content;
  }

  private next(): number {
    const value = this.buffer[this.offset];
    if (value === undefined) throw new Error('the ECDSA signature is truncated');
    this.offset += 1;
    return value;
  }
}
