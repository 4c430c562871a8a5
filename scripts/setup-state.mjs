// Part of `npm run setup`: the component keys and the local config in the state folder. Creates
// what is missing, never overwrites what exists, and says which it did.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSecretsKey, ensureSigningKeys } from './state-keys.mjs';

const state = process.env.DAIS_STATE_DIR;
if (!state) throw new Error('DAIS_STATE_DIR must be set');
const did = (text) => console.log(`  + ${text}`);
const ok = (text) => console.log(`  ✓ ${text}`);

mkdirSync(state, { recursive: true, mode: 0o755 });
chmodSync(state, 0o755); // nginx workers must walk into the site folders below it

ensureSigningKeys(join(state, 'keys'), { did, ok });
mkdirSync(join(state, 'secrets'), { recursive: true, mode: 0o700 });
ensureSecretsKey(join(state, 'secrets/secrets.key'), { did, ok });

/**
 * Whether this host can loop-mount an ext4 image (root, loop devices, e2fsprogs): then the
 * orchestrator holds every site to its disk limit with the `loop` driver (docs/files.md#disk-limits).
 */
function canLoopMount() {
  const dir = mkdtempSync(join(tmpdir(), 'dais-loop-check-'));
  const image = join(dir, 'check.img');
  const mountPoint = join(dir, 'mnt');
  try {
    mkdirSync(mountPoint);
    writeFileSync(image, '');
    execFileSync('truncate', ['-s', '16M', image]);
    execFileSync('mkfs.ext4', ['-q', '-F', image], { stdio: 'ignore' });
    execFileSync('mount', ['-o', 'loop', image, mountPoint], { stdio: 'ignore' });
    execFileSync('umount', [mountPoint]);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The local configuration every component reads through DAIS_ENV_FILE. Missing keys are appended;
// values already there (perhaps edited by you) are kept.
const password = readFileSync(join(state, 'secrets/postgres-password'), 'utf8').trim();
const defaults = {
  DAIS_STATE_DIR: state,
  DATABASE_URL: `postgresql://dais:${password}@127.0.0.1:5432/dais`,
  REDIS_URL: 'redis://127.0.0.1:6379',
  DAIS_SITES_DOMAIN: 'dais.localhost',
  DAIS_MANAGER_PORT: '7000',
  DAIS_ORCHESTRATOR_PORT: '7100',
  DAIS_ORCHESTRATOR_SITES_PORT: '7101',
  DAIS_ROUTER_PORT: '7200',
  DAIS_ROUTER_HTTP_PORT: '8080',
  DAIS_SITES_PUBLIC_PORT: '8080',
  DAIS_ROUTER_ORCHESTRATORS: '127.0.0.1:7101',
  DAIS_SHELL_PORT: '2222',
  DAIS_SHELL_MANAGER_URL: 'http://127.0.0.1:7000',
  DAIS_SHELL_ORCHESTRATOR_URL: 'http://127.0.0.1:7100',
  // The shell's identity at the load balancers: files made by scripts/setup-internal-ca.mjs, used
  // on https:// manager and orchestrator URLs (docs/load-balancers.md).
  DAIS_SHELL_CLIENT_CERT: join(state, 'tls/shell.crt'),
  DAIS_SHELL_CLIENT_KEY: join(state, 'tls/shell.key'),
  DAIS_SHELL_CA_CERT: join(state, 'tls/ca.crt'),
  // The manager's identity at balancers in front of orchestrators and routers (https:// URLs only).
  DAIS_MANAGER_CLIENT_CERT: join(state, 'tls/manager.crt'),
  DAIS_MANAGER_CLIENT_KEY: join(state, 'tls/manager.key'),
  DAIS_MANAGER_CA_CERT: join(state, 'tls/ca.crt'),
};
const envFile = join(state, 'dais.env');
// Probed only when the key is missing: an admin's own choice stays.
if (!(existsSync(envFile) && /^\s*(?:export\s+)?DAIS_DISK_DRIVER\s*=/m.test(readFileSync(envFile, 'utf8')))) {
  defaults.DAIS_DISK_DRIVER = canLoopMount() ? 'loop' : 'none';
  if (defaults.DAIS_DISK_DRIVER === 'none')
    console.log('  ! loop mounts do not work here: sites get no disk limit (DAIS_DISK_DRIVER=none)');
}
const existing = existsSync(envFile) ? readFileSync(envFile, 'utf8') : null;
if (existing === null) {
  const header =
    '# Dais local configuration, written by `npm run setup`. Edit freely: setup only adds missing keys.\n# Every key is documented in docs/configuration.md.\n';
  writeFileSync(
    envFile,
    header +
      Object.entries(defaults)
        .map(([key, value]) => `${key}=${value}\n`)
        .join(''),
    { mode: 0o600 },
  );
  did(`wrote ${envFile}`);
} else {
  refreshLocalDatabaseUrl(existing);
  const present = new Set([...existing.matchAll(/^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)\s*=/gm)].map((match) => match[1]));
  const missing = Object.entries(defaults).filter(([key]) => !present.has(key));
  if (missing.length === 0) ok(`${envFile} kept as it is`);
  else {
    appendFileSync(envFile, (existing.endsWith('\n') ? '' : '\n') + missing.map(([key, value]) => `${key}=${value}\n`).join(''));
    did(`added ${missing.map(([key]) => key).join(', ')} to ${envFile}`);
  }
}

/**
 * The password of the local role `dais` is setup's to keep (scripts/machine-secret.sh: one per machine,
 * shared by its checkouts), so a DATABASE_URL that still names that role on this host follows it; a URL
 * an admin pointed elsewhere is left alone.
 */
function refreshLocalDatabaseUrl(current) {
  const local = /^(\s*(?:export\s+)?DATABASE_URL\s*=\s*)postgresql:\/\/dais:[^@\s]*@127\.0\.0\.1:5432\/dais\s*$/m;
  const match = current.match(local);
  if (!match || match[0].trim() === `${match[1].trim()}${defaults.DATABASE_URL}`) return;
  writeFileSync(envFile, current.replace(local, `${match[1]}${defaults.DATABASE_URL}`), { mode: 0o600 });
  did(`DATABASE_URL in ${envFile} follows the password of role dais`);
}
