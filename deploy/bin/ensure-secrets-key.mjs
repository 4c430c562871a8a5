// The manager's secrets key (docs/secrets.md) lives in the manager's own volume, where rotation and
// restore can rewrite it: generated on the first start. An installation made before the key moved
// there kept it in the secrets volume (deploy/init/init.mjs wrote it): that key is carried over.
//   node ensure-secrets-key.mjs <key file>
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensureSecretsKey } from './state-keys.mjs';

const file = process.argv[2];
const earlier = '/etc/dais/secrets/secrets.key';
const log = (text) => console.log(`manager: ${text}`);
mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
if (!existsSync(file) && existsSync(earlier)) {
  copyFileSync(earlier, file);
  log(`carried the secrets key over from ${earlier} to ${file}`);
} else ensureSecretsKey(file, { did: log, ok: () => undefined });
