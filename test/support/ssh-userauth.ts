import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/** An Ed25519 key as an SSH client holds it: the private key and the public `.pub` line. */
export interface TestSshKey {
  privateKey: KeyObject;
  /** `ssh-ed25519 AAAA…`, as pasted into the dashboard. */
  publicLine: string;
  blob: Buffer;
}

/** What one `publickey` sign-in sends the manager, as the shell forwards it (base64). */
export interface TestKeyProof {
  publicKey: string;
  signedData: string;
  signature: string;
}

/** An SSH wire-format `string`. */
export function sshString(bytes: Buffer | string): Buffer {
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
}

/** A fresh Ed25519 key, made with node:crypto and written the way ssh-keygen writes its `.pub`. */
export function newSshKey(): TestSshKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  const blob = Buffer.concat([sshString('ssh-ed25519'), sshString(raw)]);
  return { privateKey, publicLine: `ssh-ed25519 ${blob.toString('base64')}`, blob };
}

/** The data an SSH client signs for a `publickey` sign-in (RFC 4252 §7); every field may be bent for an attack. */
export function userauthData(fields: {
  sessionId?: Buffer;
  user: string;
  keyBlob: Buffer;
  service?: string;
  method?: string;
  algorithm?: string;
  signatureFlag?: number;
}): Buffer {
  return Buffer.concat([
    sshString(fields.sessionId ?? randomBytes(32)),
    Buffer.from([50]),
    sshString(fields.user),
    sshString(fields.service ?? 'ssh-connection'),
    sshString(fields.method ?? 'publickey'),
    Buffer.from([fields.signatureFlag ?? 1]),
    sshString(fields.algorithm ?? 'ssh-ed25519'),
    sshString(fields.keyBlob),
  ]);
}

/** Signs `data` with an Ed25519 key the way an SSH client does, in SSH form (`string` algorithm, `string` signature). */
export function sshSignature(privateKey: KeyObject, data: Buffer): Buffer {
  return Buffer.concat([sshString('ssh-ed25519'), sshString(sign(null, data, privateKey))]);
}

/** A complete, valid proof for `user` signing in with `key` on a new connection (or the one named by `sessionId`). */
export function keyProof(key: TestSshKey, user: string, sessionId?: Buffer): TestKeyProof {
  const data = userauthData({ user, keyBlob: key.blob, ...(sessionId ? { sessionId } : {}) });
  return {
    publicKey: key.publicLine,
    signedData: data.toString('base64'),
    signature: sshSignature(key.privateKey, data).toString('base64'),
  };
}
