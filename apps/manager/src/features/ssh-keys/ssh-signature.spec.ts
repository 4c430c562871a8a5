import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshString } from '../../../../../test/support/ssh-userauth';
import { parseSshPublicKey, type SshPublicKey } from './ssh-public-key';
import { acceptsSignatureAlgorithm, verifySshSignature } from './ssh-signature';
import { SshWireReader } from './ssh-wire-reader';

const run = promisify(execFile);
let dir: string;

/** A signature made by OpenSSH itself: `ssh-keygen -Y sign` wraps a standard SSH signature (PROTOCOL.sshsig). */
interface OpenSshSignature {
  key: SshPublicKey;
  keyFile: string;
  algorithm: string;
  /** The SSH signature blob: `string` algorithm, `string` signature. */
  signature: Buffer;
  /** The bytes OpenSSH signed. */
  data: Buffer;
}

/**
 * The key as sign-in sees it. RSA keys here are 1024 bits, which Dais refuses to register (that is
 * ssh-public-key.spec's business) but which sign exactly like 3072-bit ones, and ssh-keygen makes
 * them in milliseconds rather than seconds on a busy machine.
 */
async function keyOf(keyFile: string): Promise<SshPublicKey> {
  const line = await readFile(`${keyFile}.pub`, 'utf8');
  const parsed = parseSshPublicKey(line);
  if (parsed.ok) return parsed;
  const keyObject = createPublicKey(createPrivateKey(await readFile(keyFile)));
  return { type: 'ssh-rsa', bits: 1024, blob: Buffer.alloc(0), fingerprint: '', canonical: line, comment: '', keyObject };
}

async function openSshSignature(type: string, bits?: number): Promise<OpenSshSignature> {
  const keyFile = join(dir, `${type}-${bits ?? 'default'}-${randomBytes(4).toString('hex')}`);
  await run('ssh-keygen', ['-q', '-t', type, ...(bits ? ['-b', String(bits)] : []), '-m', 'PEM', '-N', '', '-f', keyFile]);
  const message = Buffer.from(`a message for ${type}`);
  await writeFile(`${keyFile}.msg`, message);
  await run('ssh-keygen', ['-Y', 'sign', '-f', keyFile, '-n', 'dais-test', `${keyFile}.msg`]);
  const armored = await readFile(`${keyFile}.msg.sig`, 'utf8');
  const reader = new SshWireReader(Buffer.from(armored.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64').subarray(10), 'sshsig');
  reader.bytes('public key');
  const namespace = reader.bytes('namespace');
  const reserved = reader.bytes('reserved');
  const hash = reader.text('hash');
  const signature = reader.bytes('signature');
  const digest = createHash(hash).update(message).digest();
  const data = Buffer.concat([Buffer.from('SSHSIG'), sshString(namespace), sshString(reserved), sshString(hash), sshString(digest)]);
  const algorithm = new SshWireReader(signature).text('algorithm');
  return { key: await keyOf(keyFile), keyFile, algorithm, signature, data };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dais-ssh-signature-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('SSH signatures made by OpenSSH verify, and nothing else does', () => {
  it.each([
    ['ed25519', undefined, 'ssh-ed25519'],
    ['ecdsa', 256, 'ecdsa-sha2-nistp256'],
    ['ecdsa', 384, 'ecdsa-sha2-nistp384'],
    ['ecdsa', 521, 'ecdsa-sha2-nistp521'],
    ['rsa', 1024, 'rsa-sha2-512'],
  ])('%s %s (%s)', async (type, bits, algorithm) => {
    const made = await openSshSignature(type, bits);
    expect(made.algorithm).toBe(algorithm);
    expect(verifySshSignature(made.key, algorithm, made.data, made.signature)).toBe(true);

    const otherData = Buffer.concat([made.data, Buffer.from('x')]);
    expect(verifySshSignature(made.key, algorithm, otherData, made.signature)).toBe(false);
    const flipped = Buffer.from(made.signature);
    flipped[flipped.length - 3]! ^= 0x01;
    expect(verifySshSignature(made.key, algorithm, made.data, flipped)).toBe(false);
    expect(verifySshSignature(made.key, algorithm, made.data, Buffer.concat([made.signature, Buffer.from([0])]))).toBe(false);
    expect(verifySshSignature(made.key, algorithm, made.data, made.signature.subarray(0, made.signature.length - 1))).toBe(false);
    const other = await openSshSignature(type, bits);
    expect(verifySshSignature(other.key, algorithm, made.data, made.signature)).toBe(false);
  });

  it('checks RSA under the hash the client named, and refuses SHA-1 (ssh-rsa) signatures', async () => {
    const made = await openSshSignature('rsa', 1024);
    const rsaKey = createPrivateKey(await readFile(made.keyFile));
    const as = (algorithm: string, digest: string) => Buffer.concat([sshString(algorithm), sshString(sign(digest, made.data, rsaKey))]);
    expect(verifySshSignature(made.key, 'rsa-sha2-256', made.data, as('rsa-sha2-256', 'sha256'))).toBe(true);
    // A SHA-512 signature announced as SHA-256, and the other way round.
    expect(verifySshSignature(made.key, 'rsa-sha2-256', made.data, as('rsa-sha2-256', 'sha512'))).toBe(false);
    expect(verifySshSignature(made.key, 'rsa-sha2-256', made.data, made.signature)).toBe(false);
    expect(acceptsSignatureAlgorithm('ssh-rsa', 'ssh-rsa')).toBe(false);
    expect(verifySshSignature(made.key, 'ssh-rsa', made.data, as('ssh-rsa', 'sha1'))).toBe(false);
  });

  it('never takes one key type for another, nor FIDO keys (the shell cannot carry their signatures)', async () => {
    const ed25519 = await openSshSignature('ed25519');
    expect(verifySshSignature(ed25519.key, 'ecdsa-sha2-nistp256', ed25519.data, ed25519.signature)).toBe(false);
    expect(acceptsSignatureAlgorithm('ssh-ed25519', 'rsa-sha2-512')).toBe(false);
    expect(acceptsSignatureAlgorithm('sk-ssh-ed25519@openssh.com', 'sk-ssh-ed25519@openssh.com')).toBe(false);
  });

  it('answers false, never throws, for garbage', async () => {
    const made = await openSshSignature('ecdsa', 256);
    for (const junk of [Buffer.alloc(0), Buffer.from('garbage'), Buffer.alloc(4, 0xff), sshString('ecdsa-sha2-nistp256')]) {
      expect(verifySshSignature(made.key, 'ecdsa-sha2-nistp256', made.data, junk)).toBe(false);
    }
    // An ECDSA blob whose r is negative or longer than the curve allows.
    const negative = Buffer.concat([
      sshString('ecdsa-sha2-nistp256'),
      sshString(Buffer.concat([sshString(Buffer.alloc(32, 0xff)), sshString(Buffer.alloc(32, 1))])),
    ]);
    const long = Buffer.concat([
      sshString('ecdsa-sha2-nistp256'),
      sshString(Buffer.concat([sshString(Buffer.alloc(40, 1)), sshString(Buffer.alloc(32, 1))])),
    ]);
    expect(verifySshSignature(made.key, 'ecdsa-sha2-nistp256', made.data, negative)).toBe(false);
    expect(verifySshSignature(made.key, 'ecdsa-sha2-nistp256', made.data, long)).toBe(false);
  });
});
