import { createPublicKey, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKeyPair, keyFilePaths } from '@dais/shared';

/** A keys folder (`DAIS_KEYS_DIR`) holding a fresh key pair for `componentId`, and its public key. */
export function keysDirWith(componentId: string): { dir: string; publicKey: KeyObject } {
  const dir = mkdtempSync(join(tmpdir(), 'dais-unit-keys-'));
  const paths = keyFilePaths(dir, componentId);
  const pair = generateSigningKeyPair();
  mkdirSync(join(dir, 'private'));
  mkdirSync(join(dir, 'public'));
  writeFileSync(paths.privateKey, pair.privateKeyPem, { mode: 0o600 });
  writeFileSync(paths.publicKey, pair.publicKeyPem);
  return { dir, publicKey: createPublicKey(pair.publicKeyPem) };
}
