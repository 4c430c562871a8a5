import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A component's Ed25519 key pair in PEM form, as written by setup. */
export interface PemKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

/** Generates a fresh Ed25519 key pair for a component. */
export function generateSigningKeyPair(): PemKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/** Loads an Ed25519 private key from a PEM file, refusing any other key type. */
export function loadPrivateKey(file: string): KeyObject {
  const key = createPrivateKey(readFileSync(file));
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 private key`);
  return key;
}

/** Loads an Ed25519 public key from a PEM file, refusing any other key type. */
export function loadPublicKey(file: string): KeyObject {
  const key = createPublicKey(readFileSync(file));
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 public key`);
  return key;
}
