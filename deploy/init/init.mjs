// The compose `init` service: on the first start of a deployment, generates into the `secrets`
// volume (mounted at /etc/dais) everything the components share and nothing image-baked: signing
// keys, database passwords, the internal CA with the manager's, shell's and
// balancers' certificates (docs/load-balancers.md), and the shell's SSH host keys. Later starts keep
// every file and only renew certificates close to expiry. Each file is then owned by the one user
// that reads it (uids of deploy/images/*/Dockerfile), so a component can read only its own keys.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSigningKeys } from './state-keys.mjs';

const ROOT = '/etc/dais';
/** Who reads what: root (orchestrator, and the database images before they drop to their users) reads all. */
const UID = { root: 0, manager: 10001, router: 10002, shell: 10003, balancer: 10004 };
const GID = 10000;
const did = (text) => console.log(`init: + ${text}`);
const ok = (text) => console.log(`init: ✓ ${text}`);

ensureSigningKeys(join(ROOT, 'keys'), { did, ok });
// The manager's secrets key is not here: it lives in the manager's own volume, where rotation and
// restore rewrite it (deploy/bin/ensure-secrets-key.mjs).
mkdirSync(join(ROOT, 'secrets'), { recursive: true, mode: 0o711 });

/** A random password of 32 URL-safe characters, written once. */
function ensurePassword(name) {
  const file = join(ROOT, 'secrets', name);
  if (existsSync(file)) return ok(`${name} kept`);
  writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  did(`generated ${name}`);
}
ensurePassword('postgres-password');
ensurePassword('sites-postgres-password');

// The balancers' server certificate names every address the components dial them at.
const serverNames = ['internal-balancer', process.env.DAIS_HOST_GATEWAY ?? ''].filter(Boolean);
execFileSync(
  process.execPath,
  ['/usr/local/lib/dais/setup-internal-ca.mjs', '--state', ROOT, ...serverNames.flatMap((name) => ['--server-name', name])],
  { stdio: 'inherit' },
);

const hostKeys = join(ROOT, 'shell-host-keys');
mkdirSync(hostKeys, { recursive: true, mode: 0o700 });
for (const [type, bits] of [
  ['ed25519', []],
  ['rsa', ['-b', '3072']],
]) {
  const file = join(hostKeys, `ssh_host_${type}_key`);
  if (existsSync(file)) ok(`shell ${type} host key kept`);
  else {
    execFileSync('ssh-keygen', ['-q', '-t', type, ...bits, '-N', '', '-C', 'dais-shell', '-f', file]);
    did(`generated the shell ${type} host key`);
  }
}

/** Owner and mode of each path; folders are 0711 so each user reaches only the files it owns. */
const owners = [
  // Public keys are for every component; the folder above them must let each one through.
  ['keys', UID.root, 0o755],
  ['keys/public', UID.root, 0o755],
  ['keys/private', UID.root, 0o711],
  ['keys/private/manager.key', UID.manager, 0o600],
  ['keys/private/router.key', UID.router, 0o600],
  ['keys/private/shell.key', UID.shell, 0o600],
  ['secrets', UID.root, 0o711],
  ['secrets/postgres-password', UID.manager, 0o400],
  ['secrets/sites-postgres-password', UID.manager, 0o400],
  ['tls', UID.root, 0o711],
  ['tls/manager.key', UID.manager, 0o600],
  ['tls/shell.key', UID.shell, 0o600],
  ['tls/balancer.key', UID.balancer, 0o600],
  ['shell-host-keys', UID.shell, 0o700],
  ['shell-host-keys/ssh_host_ed25519_key', UID.shell, 0o600],
  ['shell-host-keys/ssh_host_rsa_key', UID.shell, 0o600],
];
for (const [path, uid, mode] of owners) {
  chownSync(join(ROOT, path), uid, GID);
  chmodSync(join(ROOT, path), mode);
}
ok('every file owned by the component that reads it');
