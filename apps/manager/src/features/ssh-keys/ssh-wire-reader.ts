/** A field of a key blob that is missing, truncated or malformed (the parser turns it into a refusal). */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
}

/**
 * Reads the SSH wire format (RFC 4251 §5) that public key blobs, signatures and signed sign-in
 * requests are written in: `string` is a uint32 length then that many bytes, `mpint` a `string`
 * holding a two's complement integer. Every read is bounds-checked, so a hostile blob can only
 * ever end in a WireFormatError.
 */
export class SshWireReader {
  private offset = 0;

  /** `subject` names what is read, in error messages ("the key data ends before its …"). */
  constructor(
    private readonly buffer: Buffer,
    private readonly subject = 'key',
  ) {}

  /** True when every byte was read: anything left over is trailing garbage. */
  get done(): boolean {
    return this.offset === this.buffer.length;
  }

  /** The next `byte`. */
  byte(field: string): number {
    const value = this.buffer[this.offset];
    if (value === undefined) throw new WireFormatError(`the ${this.subject} data ends before its ${field}`);
    this.offset += 1;
    return value;
  }

  /** The next `string` as raw bytes. */
  bytes(field: string): Buffer {
    if (this.buffer.length - this.offset < 4) throw new WireFormatError(`the ${this.subject} data ends before its ${field}`);
    const length = this.buffer.readUInt32BE(this.offset);
    const start = this.offset + 4;
    if (length > this.buffer.length - start) throw new WireFormatError(`the ${this.subject} data ends inside its ${field}`);
    this.offset = start + length;
    return this.buffer.subarray(start, this.offset);
  }

  /** The next `string` as printable ASCII text (type and curve names, FIDO application ids). */
  text(field: string): string {
    const raw = this.bytes(field);
    if (!/^[\x21-\x7e]*$/.test(raw.toString('latin1'))) throw new WireFormatError(`the ${this.subject}'s ${field} is not printable text`);
    return raw.toString('latin1');
  }

  /** The next `mpint`, which must be positive and minimally encoded; returned without a sign byte. */
  positiveMpint(field: string): Buffer {
    const raw = this.bytes(field);
    const first = raw[0];
    if (first === undefined) throw new WireFormatError(`the ${this.subject}'s ${field} is zero`);
    if (first & 0x80) throw new WireFormatError(`the ${this.subject}'s ${field} is negative`);
    if (first === 0 && raw.length > 1 && !((raw[1] ?? 0) & 0x80)) {
      throw new WireFormatError(`the ${this.subject}'s ${field} has a needless leading zero`);
    }
    const value = first === 0 ? raw.subarray(1) : raw;
    if (value.length === 0) throw new WireFormatError(`the ${this.subject}'s ${field} is zero`);
    return value;
  }
}

/** Bit length of a big-endian unsigned integer without leading zero bytes. */
export function bitLength(value: Buffer): number {
  const first = value[0] ?? 0;
  return first === 0 ? 0 : (value.length - 1) * 8 + (32 - Math.clz32(first));
}
