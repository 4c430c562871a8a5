import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One AES-256-GCM key and the id stored beside every ciphertext it sealed. */
export interface SecretsKey {
  id: string;
  key: Buffer;
}

/** A problem with the secrets key file, told in one line that names the file and what to do. */
export class SecretsKeyError extends Error {
  override readonly name = 'SecretsKeyError';
}

/** What a key file holds, and a stamp that changes whenever the file is replaced or edited. */
export interface Keyring {
  keys: readonly SecretsKey[];
  stamp: string;
}

const KEY_BYTES = 32;
const KEY_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const KEY_LINE = /^(\S+)\s+([A-Za-z0-9+/]{43}=)$/;
const HEADER = [
  '# Dais secrets keys (docs/secrets.md): the last key seals new secrets, every key listed opens them.',
  '# Keep this file private (mode 600) and in your backups: without it the secrets in PostgreSQL are lost.',
];

/** A new random key, its id the date and six random hex digits (`20261207-3fa9c1`). */
export function newSecretsKey(now = new Date()): SecretsKey {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  return { id: `${day}-${randomBytes(3).toString('hex')}`, key: randomBytes(KEY_BYTES) };
}

/** Parses a key file's text: `<id> <base64 key>` lines, `#` comments; at least one key, ids unique. */
export function parseKeyring(text: string, file: string): SecretsKey[] {
  const keys: SecretsKey[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = KEY_LINE.exec(line);
    const key = match ? Buffer.from(match[2] ?? '', 'base64') : null;
    if (!match || !KEY_ID.test(match[1] ?? '') || key?.length !== KEY_BYTES) {
      throw new SecretsKeyError(`line ${index + 1} of the secrets key file ${file} is not "<key id> <32-byte key in base64>".`);
    }
    if (keys.some((known) => known.id === match[1]))
      throw new SecretsKeyError(`the secrets key file ${file} lists key "${match[1]}" twice.`);
    keys.push({ id: match[1] ?? '', key });
  }
  if (keys.length === 0)
    throw new SecretsKeyError(`the secrets key file ${file} holds no key: restore it from your backups (or run npm run setup).`);
  return keys;
}

/** The text of a key file holding these keys, the sealing key last. */
export function formatKeyring(keys: readonly SecretsKey[]): string {
  return [...HEADER, ...keys.map((entry) => `${entry.id} ${entry.key.toString('base64')}`), ''].join('\n');
}

/** What changes whenever the file is replaced or edited (a stat, no read), or null if it cannot be seen. */
export function keyringStamp(file: string): string | null {
  try {
    const stat = statSync(file);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.mode}`;
  } catch {
    return null;
  }
}

/** Reads and checks a key file: it must exist, be readable by its owner only, and hold valid keys. */
export function readKeyring(file: string): Keyring {
  let stamp: string;
  let text: string;
  try {
    const stat = statSync(file);
    if ((stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8);
      throw new SecretsKeyError(`the secrets key file ${file} may be read by other users (mode ${mode}): chmod 600 ${file}.`);
    }
    stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.mode}`;
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof SecretsKeyError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    if (code === 'ENOENT') {
      throw new SecretsKeyError(
        `the secrets key file ${file} does not exist: run npm run setup to make one, or restore it from your backups (DAIS_SECRETS_KEY_FILE names it).`,
      );
    }
    throw new SecretsKeyError(`the secrets key file ${file} cannot be read (${code}).`);
  }
  return { keys: parseKeyring(text, file), stamp };
}

/** Writes a key file whole: a private temporary file renamed over the old one, so no reader sees half of it. */
export function writeKeyring(file: string, keys: readonly SecretsKey[]): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, formatKeyring(keys), { mode: 0o600, flag: 'w' });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}
