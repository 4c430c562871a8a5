// Part of `npm run setup`: the SSH host keys of the shell, made once and kept. A host key that
// changed would make every client warn of an impostor, so existing keys are never replaced.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const state = process.env.DAIS_STATE_DIR;
if (!state) throw new Error('DAIS_STATE_DIR must be set');
const dir = process.env.DAIS_SHELL_HOST_KEYS_DIR ?? join(state, 'shell', 'host-keys');
mkdirSync(dir, { recursive: true, mode: 0o700 });

for (const [type, bits] of [
  ['ed25519', null],
  ['rsa', '3072'],
]) {
  const file = join(dir, `ssh_host_${type}_key`);
  if (existsSync(file)) {
    console.log(`  ✓ shell ${type} host key`);
    continue;
  }
  // ssh-keygen writes the OpenSSH format ssh2 reads, and the .pub beside it for known_hosts.
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(bits ? ['-b', bits] : []), '-N', '', '-C', 'dais-shell', '-f', file], {
    stdio: 'inherit',
  });
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${file}.pub`], { encoding: 'utf8' }).trim();
  console.log(`  + generated the shell ${type} host key (${fingerprint})`);
}
