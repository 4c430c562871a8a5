import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { bitLength, SshWireReader, WireFormatError } from './ssh-wire-reader';

/** The key types Dais accepts. DSA is gone from OpenSSH; certificates are not user keys. */
export const SSH_KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;

/** One of {@link SSH_KEY_TYPES}. */
export type SshKeyType = (typeof SSH_KEY_TYPES)[number];

/** RSA below this is refused (NIST: 3072 bits for security past 2030); OpenSSH's own ceiling above. */
export const RSA_BITS = { min: 3072, max: 16_384 } as const;

/** A comment longer than this is refused (it is not stored, but it travels in every request). */
export const MAX_COMMENT_LENGTH = 200;

/** A public key that passed every check. */
export interface SshPublicKey {
  type: SshKeyType;
  bits: number;
  /** The decoded wire-format blob: what the SSH server sees during authentication. */
  blob: Buffer;
  /** `SHA256:` + unpadded base64 of sha256(blob), exactly as `ssh-keygen -l` prints it. */
  fingerprint: string;
  /** `type base64`, without the comment: the form Dais stores. */
  canonical: string;
  comment: string;
  /** The key as node:crypto takes it, to verify sign-in signatures (for FIDO keys, the inner Ed25519/ECDSA key). */
  keyObject: KeyObject;
}

/** Why a pasted key was refused: `rule` is stable for clients, `message` says what to do. */
export interface SshKeyRefusal {
  rule: string;
  message: string;
}

/** The answer of {@link parseSshPublicKey}. */
export type SshKeyParseResult = ({ ok: true } & SshPublicKey) | ({ ok: false } & SshKeyRefusal);

/** What a key type's blob holds after its type string. */
interface KeyBody {
  bits: number;
  keyObject: KeyObject;
}

/** Reads the rest of a key type's blob after its type string. */
type BodyReader = (reader: SshWireReader) => KeyBody;

const EC_CURVES = {
  nistp256: { jwk: 'P-256', coordinate: 32, bits: 256 },
  nistp384: { jwk: 'P-384', coordinate: 48, bits: 384 },
  nistp521: { jwk: 'P-521', coordinate: 66, bits: 521 },
} as const;

const BODY_READERS: Record<SshKeyType, BodyReader> = {
  'ssh-ed25519': (reader) => readEd25519(reader),
  'ecdsa-sha2-nistp256': (reader) => readEcdsa(reader, 'nistp256'),
  'ecdsa-sha2-nistp384': (reader) => readEcdsa(reader, 'nistp384'),
  'ecdsa-sha2-nistp521': (reader) => readEcdsa(reader, 'nistp521'),
  'ssh-rsa': (reader) => readRsa(reader),
  'sk-ssh-ed25519@openssh.com': (reader) => readFidoApplication(reader, readEd25519(reader)),
  'sk-ecdsa-sha2-nistp256@openssh.com': (reader) => readFidoApplication(reader, readEcdsa(reader, 'nistp256')),
};

/** Internal: thrown by the checks below, turned into a refusal by the parser. */
class Refusal extends Error {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

const isKeyType = (value: string): value is SshKeyType => (SSH_KEY_TYPES as readonly string[]).includes(value);

/** The fingerprint of a key blob, as `ssh-keygen -l` prints it. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Parses one OpenSSH public key line (`type base64 [comment]`, as in a `.pub` file) and checks
 * everything inside the blob. Pure: no I/O, never throws.
 */
export function parseSshPublicKey(text: string): SshKeyParseResult {
  try {
    return { ok: true, ...parseLine(text) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, rule: error.rule, message: error.message };
    if (error instanceof WireFormatError) return { ok: false, rule: 'key-data', message: `${error.message}; paste the .pub file again.` };
    throw error;
  }
}

function parseLine(text: string): SshPublicKey {
  const line = singleLine(text);
  const [type = '', data = '', ...rest] = line.split(/[ \t]+/);
  const comment = rest.join(' ');
  checkType(type);
  const blob = decodeBase64(data);
  if (comment.length > MAX_COMMENT_LENGTH) {
    throw new Refusal(
      'comment-length',
      `The comment after the key is ${comment.length} characters; at most ${MAX_COMMENT_LENGTH} are accepted.`,
    );
  }
  if (/(^|\s)(ssh|ecdsa|sk)-\S+\s+AAAA/.test(comment)) throw severalKeys();
  const { bits, keyObject } = readBlob(blob, type);
  return { type, bits, blob, fingerprint: fingerprintOf(blob), canonical: `${type} ${data}`, comment, keyObject };
}

/** The one non-empty line of the paste, after refusing whatever is clearly not a public key line. */
function singleLine(text: string): string {
  if (/PRIVATE KEY-----|PuTTY-User-Key-File/.test(text)) {
    throw new Refusal('private-key', 'This is a private key; paste the .pub file (e.g. ~/.ssh/id_ed25519.pub) instead.');
  }
  if (/^-+ ?BEGIN SSH2 PUBLIC KEY/m.test(text)) {
    throw new Refusal(
      'format',
      'This key is in the RFC 4716 (SSH2) format; convert it with `ssh-keygen -i -f key.pub` and paste the result.',
    );
  }
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new Refusal('required', 'Paste a public key, e.g. the contents of ~/.ssh/id_ed25519.pub.');
  if (lines.length > 1) throw severalKeys();
  const line = (lines[0] ?? '').trim();
  if (/(?!\t)\p{Cc}/u.test(line)) throw new Refusal('charset', 'The key line contains control characters.');
  return line;
}

function severalKeys(): Refusal {
  return new Refusal('single-key', 'Paste one key at a time (one line of a .pub file).');
}

function checkType(type: string): asserts type is SshKeyType {
  if (isKeyType(type)) return;
  if (type === 'ssh-dss') {
    throw new Refusal('type', 'DSA keys are not accepted (OpenSSH retired them as too weak); generate one with `ssh-keygen -t ed25519`.');
  }
  if (type.endsWith('-cert-v01@openssh.com')) throw new Refusal('type', 'This is an SSH certificate; paste the plain public key instead.');
  throw new Refusal(
    'type',
    `A key line starts with its type, one of ${SSH_KEY_TYPES.join(', ')}; this one starts with "${type.slice(0, 40)}" (key options are not accepted either).`,
  );
}

function decodeBase64(data: string): Buffer {
  const wellFormed = data.length > 0 && data.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(data);
  const blob = wellFormed ? Buffer.from(data, 'base64') : Buffer.alloc(0);
  // Round-tripping refuses non-canonical encodings too, so one key has exactly one stored form.
  if (!wellFormed || blob.toString('base64') !== data) {
    throw new Refusal('base64', 'The key data (the part after the type) is not valid base64; copy the whole line again.');
  }
  return blob;
}

function readBlob(blob: Buffer, type: SshKeyType): KeyBody {
  const reader = new SshWireReader(blob);
  const inner = reader.text('type');
  if (inner !== type) {
    throw new Refusal('type-mismatch', `The line says ${type} but the key data inside is ${inner.slice(0, 40) || 'of no type'}.`);
  }
  const body = BODY_READERS[type](reader);
  if (!reader.done) throw new Refusal('trailing-data', 'The key data has extra bytes after the key; paste the .pub file again.');
  return body;
}

function readEd25519(reader: SshWireReader): KeyBody {
  const key = reader.bytes('public key');
  if (key.length !== 32) throw new WireFormatError('an Ed25519 public key is 32 bytes; this one is not');
  return { bits: 256, keyObject: importJwk({ kty: 'OKP', crv: 'Ed25519', x: key.toString('base64url') }, 'the Ed25519 key is malformed') };
}

function readEcdsa(reader: SshWireReader, expected: keyof typeof EC_CURVES): KeyBody {
  const curveName = reader.text('curve name');
  if (curveName !== expected) {
    throw new Refusal(
      'curve-mismatch',
      `The key type names curve ${expected} but the key data is on ${curveName.slice(0, 40) || 'no curve'}.`,
    );
  }
  const curve = EC_CURVES[expected];
  const point = reader.bytes('public point');
  if (point.length !== 1 + 2 * curve.coordinate || point[0] !== 0x04) {
    throw new WireFormatError(`the key's public point is not an uncompressed ${expected} point`);
  }
  const x = point.subarray(1, 1 + curve.coordinate).toString('base64url');
  const y = point.subarray(1 + curve.coordinate).toString('base64url');
  const keyObject = importJwk({ kty: 'EC', crv: curve.jwk, x, y }, `the key's public point is not on curve ${expected}`);
  return { bits: curve.bits, keyObject };
}

function readRsa(reader: SshWireReader): KeyBody {
  const exponent = reader.positiveMpint('exponent');
  const modulus = reader.positiveMpint('modulus');
  if (exponent.length > 8 || ((exponent.at(-1) ?? 0) & 1) === 0 || (exponent.length === 1 && (exponent[0] ?? 0) < 3)) {
    throw new WireFormatError('the RSA exponent is not a valid public exponent');
  }
  const bits = bitLength(modulus);
  if (bits < RSA_BITS.min || bits > RSA_BITS.max) {
    throw new Refusal(
      'rsa-size',
      `RSA keys must have ${RSA_BITS.min} to ${RSA_BITS.max} bits; this one has ${bits}. Generate a new key with \`ssh-keygen -t ed25519\`.`,
    );
  }
  const keyObject = importJwk(
    { kty: 'RSA', n: modulus.toString('base64url'), e: exponent.toString('base64url') },
    'the RSA key is malformed',
  );
  return { bits, keyObject };
}

/** FIDO keys end with the relying party ("application") the authenticator registered, e.g. `ssh:`. */
function readFidoApplication(reader: SshWireReader, body: KeyBody): KeyBody {
  if (reader.text('application').length === 0) throw new WireFormatError('the security key names no application');
  return body;
}

/** Lets OpenSSL check what the wire format cannot (an EC point on its curve, a sane RSA key), and keeps the key. */
function importJwk(jwk: Record<string, string>, message: string): KeyObject {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    throw new WireFormatError(message);
  }
}
