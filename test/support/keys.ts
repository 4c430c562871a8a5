import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { generateSigningKeyPair, keyFilePaths } from '@dais/shared';

/** Writes a key pair per component the way setup does; returns the private keys for signing in tests. */
export async function writeComponentKeys(keysDir: string, ids: readonly string[]): Promise<Record<string, KeyObject>> {
  const keys: Record<string, KeyObject> = {};
  for (const id of ids) {
    const pair = generateSigningKeyPair();
    const paths = keyFilePaths(keysDir, id);
    await mkdir(`${keysDir}/private`, { recursive: true, mode: 0o700 });
    await mkdir(`${keysDir}/public`, { recursive: true });
    await writeFile(paths.privateKey, pair.privateKeyPem, { mode: 0o600 });
    await writeFile(paths.publicKey, pair.publicKeyPem);
    keys[id] = createPrivateKey(pair.privateKeyPem);
  }
  return keys;
}
