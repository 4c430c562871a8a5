// Part of `npm run setup`: the internal CA the load balancers trust (docs/load-balancers.md) and
// the certificates issued by it, in <state>/tls/. Creates what is missing and reissues a
// certificate only when it is not signed by the current CA, no longer matches its key, lacks a
// requested server name or expires within 30 days; everything else is kept. Keys are 0600 in a
// 0700 folder. Run again after deleting a file to rotate it.
//   node scripts/setup-internal-ca.mjs [--state DIR] [--server-name NAME]...
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { state: { type: 'string' }, 'server-name': { type: 'string', multiple: true } } });
const state = values.state ?? process.env.DAIS_STATE_DIR;
if (!state) throw new Error('pass --state DIR or set DAIS_STATE_DIR');
const extraNames = values['server-name'] ?? [];
for (const name of extraNames) {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9.:-]{0,252})$/.test(name)) throw new Error(`refusing server name ${JSON.stringify(name)}`);
}
process.umask(0o077); // keys must never exist with looser permissions, even for a moment
const did = (text) => console.log(`  + ${text}`);
const ok = (text) => console.log(`  ✓ ${text}`);

const dir = join(state, 'tls');
mkdirSync(dir, { recursive: true, mode: 0o700 });
chmodSync(dir, 0o700);
const file = (name) => join(dir, name);
const openssl = (...args) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const succeeds = (...args) => {
  try {
    openssl(...args);
    return true;
  } catch {
    return false;
  }
};
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const THIRTY_DAYS = String(30 * 24 * 3600);

// The CA: made once. Losing ca.key means reissuing every certificate below (they are then re-made).
if (existsSync(file('ca.key')) && existsSync(file('ca.crt'))) ok('internal CA kept');
else {
  openssl(
    'req',
    '-x509',
    '-new',
    ...EC_KEY,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
    '-days',
    '3650',
    '-subj',
    '/O=Dais/CN=Dais internal CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  did(`created the internal CA in ${dir}`);
}
chmodSync(file('ca.key'), 0o600);
chmodSync(file('ca.crt'), 0o644);

const leaves = [
  { name: 'shell', subject: '/O=Dais/CN=dais-shell', usage: 'clientAuth', why: 'the shell presents it to the balancers' },
  { name: 'manager', subject: '/O=Dais/CN=dais-manager', usage: 'clientAuth', why: 'the manager presents it to the control balancer' },
  {
    name: 'balancer',
    subject: '/O=Dais/CN=dais-balancer',
    usage: 'serverAuth',
    why: 'the balancers serve it',
    names: ['localhost', '127.0.0.1', '::1', ...extraNames],
  },
];

function isCurrent(leaf) {
  const crt = file(`${leaf.name}.crt`);
  const key = file(`${leaf.name}.key`);
  if (!existsSync(crt) || !existsSync(key)) return false;
  if (!succeeds('verify', '-CAfile', file('ca.crt'), crt) || !succeeds('x509', '-checkend', THIRTY_DAYS, '-noout', '-in', crt))
    return false;
  if (openssl('x509', '-pubkey', '-noout', '-in', crt) !== openssl('pkey', '-pubout', '-in', key)) return false;
  const san = leaf.names ? openssl('x509', '-noout', '-ext', 'subjectAltName', '-in', crt) : '';
  return (leaf.names ?? []).every((name) =>
    san.includes(name.includes(':') || /^[\d.]+$/.test(name) ? `IP Address:${name.replace(/^::1$/, '0:0:0:0:0:0:0:1')}` : `DNS:${name}`),
  );
}

function issue(leaf) {
  const work = mkdtempSync(join(tmpdir(), 'dais-ca-'));
  try {
    const alt = (leaf.names ?? []).map((name) => (name.includes(':') || /^[\d.]+$/.test(name) ? `IP:${name}` : `DNS:${name}`));
    const extensions = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', `extendedKeyUsage=${leaf.usage}`];
    if (alt.length > 0) extensions.push(`subjectAltName=${alt.join(',')}`);
    writeFileSync(join(work, 'ext'), `${extensions.join('\n')}\n`);
    openssl('req', '-new', ...EC_KEY, '-keyout', file(`${leaf.name}.key`), '-out', join(work, 'csr'), '-subj', leaf.subject);
    chmodSync(file(`${leaf.name}.key`), 0o600);
    const serial = `0x${execFileSync('openssl', ['rand', '-hex', '16']).toString().trim()}`;
    openssl(
      'x509',
      '-req',
      '-in',
      join(work, 'csr'),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-set_serial',
      serial,
      '-days',
      '397',
      '-extfile',
      join(work, 'ext'),
      '-out',
      file(`${leaf.name}.crt`),
    );
    chmodSync(file(`${leaf.name}.crt`), 0o644);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

for (const leaf of leaves) {
  if (isCurrent(leaf)) ok(`${leaf.name} certificate kept`);
  else {
    issue(leaf);
    did(`issued the ${leaf.name} certificate (${leaf.why})`);
  }
}
