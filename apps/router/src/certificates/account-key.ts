import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The router's one ACME account key: read from `file`, or created once (EC P-256, PKCS#8 PEM,
 * 0600) and kept, because an ACME account is its key: a new key would be a new account and
 * lose its rate-limit history. Written by rename so a crash never leaves half a key.
 */
export async function loadOrCreateAccountKey(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${randomBytes(4).toString('hex')}`;
  await writeFile(temp, privateKey, { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, file);
  return privateKey;
}
