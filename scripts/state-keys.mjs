// The keys both `npm run setup` (scripts/setup-state.mjs) and the compose init service
// (deploy/init/init.mjs) make: one Ed25519 signing key pair per component, and the key that seals
// secrets in PostgreSQL. Each is created when missing and never replaced.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const COMPONENTS = ['manager', 'orchestrator', 'router', 'shell'];

/** `<keysDir>/private/<component>.key` (0600) and `<keysDir>/public/<component>.pub` for every component. */
export function ensureSigningKeys(keysDir, { did, ok }) {
  mkdirSync(join(keysDir, 'private'), { recursive: true, mode: 0o700 });
  mkdirSync(join(keysDir, 'public'), { recursive: true, mode: 0o755 });
  for (const component of COMPONENTS) {
    const privateFile = join(keysDir, 'private', `${component}.key`);
    const publicFile = join(keysDir, 'public', `${component}.pub`);
    if (existsSync(privateFile) && existsSync(publicFile)) {
      ok(`${component} signing key`);
      continue;
    }
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    writeFileSync(privateFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    writeFileSync(publicFile, publicKey.export({ format: 'pem', type: 'spki' }), { mode: 0o644 });
    did(`generated the ${component} signing key`);
  }
}

/**
 * The key file that seals the secrets the manager keeps in PostgreSQL (DAIS_SECRETS_KEY_FILE,
 * docs/secrets.md). Never replaced: the secrets sealed with it would be lost. The format is
 * apps/manager/src/infrastructure/secrets/secrets-keyring.ts's.
 */
export function ensureSecretsKey(file, { did, ok }) {
  if (existsSync(file)) {
    ok(`secrets key in ${file}`);
    return;
  }
  const id = `${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;
  const header =
    '# Dais secrets keys (docs/secrets.md): the last key seals new secrets, every key listed opens them.\n' +
    '# Keep this file private (mode 600) and in your backups: without it the secrets in PostgreSQL are lost.\n';
  writeFileSync(file, `${header}${id} ${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  did(`generated the secrets key in ${file} (back it up with the database)`);
}
