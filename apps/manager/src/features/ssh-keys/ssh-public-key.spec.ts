import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOf, MAX_COMMENT_LENGTH, parseSshPublicKey, type SshKeyParseResult } from './ssh-public-key';

const run = promisify(execFile);
let dir: string;

/** A key made by the real ssh-keygen: its .pub line and what `ssh-keygen -l` says about it. */
interface PublicKey {
  publicLine: string;
  bits: number;
  fingerprint: string;
}

/** A key ssh-keygen made during the test, with its private key. */
interface GeneratedKey extends PublicKey {
  privateKey: string;
}

/**
 * RSA and DSA keys ssh-keygen made once (`ssh-keygen -t rsa -b 4096 -N '' -C alice@laptop`), checked
 * in as public keys: making an RSA 4096 key takes up to 12 s on a busy machine, and only the public
 * key is parsed. `ssh-keygen -l` still reads each one during the test.
 */
const FIXTURES = join(__dirname, '__fixtures__');

/** What `ssh-keygen -lf` prints for a public key file: bits and fingerprint. */
async function keygenFingerprint(path: string): Promise<{ bits: number; fingerprint: string }> {
  const { stdout } = await run('ssh-keygen', ['-l', '-f', path]);
  const [bits = '', fingerprint = ''] = stdout.trim().split(' ');
  return { bits: Number(bits), fingerprint };
}

/** A checked-in public key (see {@link FIXTURES}), e.g. `rsa-4096`. */
async function fixture(name: string): Promise<PublicKey> {
  const path = join(FIXTURES, `${name}.pub`);
  return { publicLine: (await readFile(path, 'utf8')).trim(), ...(await keygenFingerprint(path)) };
}

/** A fresh key from ssh-keygen (types it makes in milliseconds: Ed25519, ECDSA). */
async function generate(type: 'ed25519' | 'ecdsa', bits?: number): Promise<GeneratedKey> {
  const path = join(dir, `${type}-${bits ?? 'default'}-${randomBytes(3).toString('hex')}`);
  await run('ssh-keygen', ['-q', '-t', type, ...(bits ? ['-b', String(bits)] : []), '-N', '', '-C', 'alice@laptop', '-f', path]);
  const publicLine = (await readFile(`${path}.pub`, 'utf8')).trim();
  return { publicLine, privateKey: await readFile(path, 'utf8'), ...(await keygenFingerprint(`${path}.pub`)) };
}

/** An SSH wire-format blob from its fields (strings are length-prefixed). */
function wire(...fields: (string | Buffer)[]): Buffer {
  return Buffer.concat(
    fields.map((field) => {
      const bytes = typeof field === 'string' ? Buffer.from(field, 'latin1') : field;
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return Buffer.concat([length, bytes]);
    }),
  );
}

const lineOf = (type: string, blob: Buffer, comment = '') => `${type} ${blob.toString('base64')}${comment ? ` ${comment}` : ''}`;
const blobOf = (line: string) => Buffer.from(line.split(' ')[1] ?? '', 'base64');

function refused(result: SshKeyParseResult): { rule: string; message: string } {
  if (result.ok) throw new Error(`expected a refusal, got a ${result.type} key`);
  return result;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dais-ssh-keys-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('keys made by ssh-keygen are accepted with the fingerprint and size ssh-keygen -l reports', () => {
  it.each([
    ['ed25519', undefined, 'ssh-ed25519', 256],
    ['ecdsa', 256, 'ecdsa-sha2-nistp256', 256],
    ['ecdsa', 384, 'ecdsa-sha2-nistp384', 384],
    ['ecdsa', 521, 'ecdsa-sha2-nistp521', 521],
    ['rsa', 3072, 'ssh-rsa', 3072],
    ['rsa', 4096, 'ssh-rsa', 4096],
  ] as const)('%s %s', async (keygenType, keygenBits, type, bits) => {
    const key = keygenType === 'rsa' ? await fixture(`rsa-${keygenBits}`) : await generate(keygenType, keygenBits);
    const parsed = parseSshPublicKey(key.publicLine);
    expect(parsed).toMatchObject({ ok: true, type, bits, fingerprint: key.fingerprint, comment: 'alice@laptop' });
    expect(key.bits).toBe(bits);
    expect(parsed.ok && parsed.canonical).toBe(key.publicLine.split(' ').slice(0, 2).join(' '));
  });

  it('accepts surrounding whitespace, a trailing newline, tabs and no comment', async () => {
    const key = await generate('ed25519');
    const [type, data] = key.publicLine.split(' ');
    for (const text of [`  ${key.publicLine}\n`, `${type}\t${data}`, `${type} ${data}`, `\r\n${key.publicLine}\r\n`]) {
      expect(parseSshPublicKey(text)).toMatchObject({ ok: true, fingerprint: key.fingerprint });
    }
  });
});

describe('FIDO security keys (built by hand: no authenticator here) match ssh-keygen -l', () => {
  const ed25519Point = () => generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const p256Point = () => {
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]);
  };

  it.each([
    ['sk-ssh-ed25519@openssh.com', () => wire('sk-ssh-ed25519@openssh.com', ed25519Point(), 'ssh:')],
    ['sk-ecdsa-sha2-nistp256@openssh.com', () => wire('sk-ecdsa-sha2-nistp256@openssh.com', 'nistp256', p256Point(), 'ssh:')],
  ])('%s', async (type, build) => {
    const line = lineOf(type, build(), 'yubikey');
    const path = join(dir, `sk-${randomBytes(3).toString('hex')}.pub`);
    await writeFile(path, `${line}\n`);
    const expected = await keygenFingerprint(path);
    expect(parseSshPublicKey(line)).toMatchObject({ ok: true, type, bits: expected.bits, fingerprint: expected.fingerprint });
  });
});

describe('refusals name the rule', () => {
  it('a private key pasted by mistake says so', async () => {
    const key = await generate('ed25519');
    const result = refused(parseSshPublicKey(key.privateKey));
    expect(result.rule).toBe('private-key');
    expect(result.message).toMatch(/this is a private key; paste the \.pub file/i);
    expect(refused(parseSshPublicKey('-----BEGIN RSA PRIVATE KEY-----\nMIIE…\n-----END RSA PRIVATE KEY-----')).rule).toBe('private-key');
    expect(refused(parseSshPublicKey('PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none')).rule).toBe('private-key');
  });

  it('DSA keys and RSA keys under 3072 bits, made by ssh-keygen', async () => {
    expect(refused(parseSshPublicKey((await fixture('dsa-1024')).publicLine))).toMatchObject({ rule: 'type', message: /DSA/ });
    const small = refused(parseSshPublicKey((await fixture('rsa-2048')).publicLine));
    expect(small).toMatchObject({ rule: 'rsa-size', message: /this one has 2048/ });
  });

  it('a type in the line that differs from the type inside the blob', async () => {
    const key = await generate('ed25519');
    expect(refused(parseSshPublicKey(key.publicLine.replace('ssh-ed25519', 'ssh-rsa'))).rule).toBe('type-mismatch');
  });

  it('an ECDSA key whose curve name inside differs from its type', async () => {
    const key = await generate('ecdsa', 256);
    const body = blobOf(key.publicLine).subarray(4 + 'ecdsa-sha2-nistp256'.length + 4 + 'nistp256'.length);
    const forged = Buffer.concat([wire('ecdsa-sha2-nistp256', 'nistp384'), body]);
    expect(refused(parseSshPublicKey(lineOf('ecdsa-sha2-nistp256', forged)))).toMatchObject({ rule: 'curve-mismatch' });
  });

  it('an ECDSA point that is not on its curve', async () => {
    const blob = blobOf((await generate('ecdsa', 256)).publicLine);
    blob[blob.length - 1] = (blob[blob.length - 1] ?? 0) ^ 1;
    expect(refused(parseSshPublicKey(lineOf('ecdsa-sha2-nistp256', blob))).rule).toBe('key-data');
  });

  it('trailing garbage inside the blob', async () => {
    const blob = Buffer.concat([blobOf((await generate('ed25519')).publicLine), Buffer.from([0, 0, 0, 0])]);
    expect(refused(parseSshPublicKey(lineOf('ssh-ed25519', blob))).rule).toBe('trailing-data');
  });

  it('bad or non-canonical base64', async () => {
    const key = await generate('ed25519');
    const data = key.publicLine.split(' ')[1] ?? '';
    for (const broken of [`${data.slice(0, -1)}!`, data.slice(0, -2), `${data}AAAA=`, 'AR==', '====']) {
      expect(refused(parseSshPublicKey(`ssh-ed25519 ${broken}`)).rule).toBe('base64');
    }
  });

  it('several keys in one request, on several lines or on one', async () => {
    const [a, b] = [await generate('ed25519'), await generate('ed25519')];
    expect(refused(parseSshPublicKey(`${a.publicLine}\n${b.publicLine}`)).rule).toBe('single-key');
    const [bType, bData] = b.publicLine.split(' ');
    expect(refused(parseSshPublicKey(`${a.publicLine} ${bType} ${bData}`)).rule).toBe('single-key');
  });

  it('an over-long comment', async () => {
    const [type, data] = (await generate('ed25519')).publicLine.split(' ');
    expect(parseSshPublicKey(`${type} ${data} ${'c'.repeat(MAX_COMMENT_LENGTH)}`).ok).toBe(true);
    expect(refused(parseSshPublicKey(`${type} ${data} ${'c'.repeat(MAX_COMMENT_LENGTH + 1)}`)).rule).toBe('comment-length');
  });

  it.each([
    ['nothing', '  \n ', 'required'],
    ['an unknown type', 'ssh-foo AAAAB3NzaC1yc2E= me', 'type'],
    ['authorized_keys options', 'command="rm -rf /" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5', 'type'],
    ['a certificate', 'ssh-ed25519-cert-v01@openssh.com AAAA', 'type'],
    ['the RFC 4716 format', '---- BEGIN SSH2 PUBLIC KEY ----\nAAAAC3Nz\n---- END SSH2 PUBLIC KEY ----', 'format'],
    ['control characters', 'ssh-ed25519 AAAA\u0000 me', 'charset'],
    ['a type alone', 'ssh-ed25519', 'base64'],
  ])('%s', (_label, text, rule) => {
    expect(refused(parseSshPublicKey(text)).rule).toBe(rule);
  });

  it.each([
    ['a truncated blob', () => blobOf(lineOf('ssh-ed25519', wire('ssh-ed25519', Buffer.alloc(32)))).subarray(0, 30)],
    ['a length field past the end', () => Buffer.concat([wire('ssh-ed25519'), Buffer.from([0xff, 0xff, 0xff, 0xff])])],
    ['a short Ed25519 key', () => wire('ssh-ed25519', Buffer.alloc(31))],
    ['a negative RSA modulus', () => wire('ssh-rsa', Buffer.from([1, 0, 1]), Buffer.alloc(384, 0xff))],
    ['an even RSA exponent', () => wire('ssh-rsa', Buffer.from([1, 0, 0]), Buffer.concat([Buffer.from([0]), Buffer.alloc(384, 0xc1)]))],
    ['a FIDO key without application', () => wire('sk-ssh-ed25519@openssh.com', Buffer.alloc(32, 7), '')],
  ])('%s is malformed key data', (_label, build) => {
    const blob = build();
    const type = blob.subarray(4, 4 + blob.readUInt32BE(0)).toString('latin1');
    expect(refused(parseSshPublicKey(lineOf(type, blob))).rule).toBe('key-data');
  });

  it('an RSA key over 16384 bits is refused by size, not by crashing', () => {
    const modulus = Buffer.concat([Buffer.from([0]), Buffer.alloc(16_384 / 8 + 1, 0xc3)]);
    const result = refused(parseSshPublicKey(lineOf('ssh-rsa', wire('ssh-rsa', Buffer.from([1, 0, 1]), modulus))));
    expect(result.rule).toBe('rsa-size');
  });
});

describe('hostile blobs never throw', () => {
  it('random corruptions of real keys end in a verdict', async () => {
    const keys = [await generate('ed25519'), await generate('ecdsa', 384), await fixture('rsa-3072')];
    for (const key of keys) {
      const [type = '', data = ''] = key.publicLine.split(' ');
      const blob = Buffer.from(data, 'base64');
      for (let round = 0; round < 300; round += 1) {
        const mutated = Buffer.from(blob.subarray(0, 1 + Math.floor(Math.random() * blob.length)));
        mutated[Math.floor(Math.random() * mutated.length)] = Math.floor(Math.random() * 256);
        const result = parseSshPublicKey(lineOf(type, mutated));
        if (result.ok) expect(result.fingerprint).toBe(fingerprintOf(mutated));
      }
    }
  });
});
