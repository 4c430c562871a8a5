import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@dais/shared';
import { utils } from 'ssh2';

/** The host key files setup writes (scripts/setup-shell.mjs), in the order they are offered. */
export const HOST_KEY_FILES = ['ssh_host_ed25519_key', 'ssh_host_rsa_key'] as const;

/**
 * Loads the shell's host keys. They are generated once by setup and kept, so clients keep
 * recognising this server; the shell never makes its own (a new key on every start would teach
 * people to ignore host key warnings).
 */
export function loadHostKeys(dir: string): Buffer[] {
  const keys: Buffer[] = [];
  for (const name of HOST_KEY_FILES) {
    let pem: Buffer;
    try {
      pem = readFileSync(join(dir, name));
    } catch {
      continue;
    }
    const parsed = utils.parseKey(pem);
    if (parsed instanceof Error)
      throw new ConfigError([`DAIS_SHELL_HOST_KEYS_DIR: ${name} is not a usable SSH private key (${parsed.message})`]);
    keys.push(pem);
  }
  if (keys.length === 0) {
    throw new ConfigError([`DAIS_SHELL_HOST_KEYS_DIR: no host key in ${dir} (${HOST_KEY_FILES.join(' or ')}); run \`npm run setup\``]);
  }
  return keys;
}
