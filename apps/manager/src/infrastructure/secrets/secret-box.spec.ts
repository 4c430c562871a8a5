import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDaisError } from '@dais/shared';
import { keyIdOf, SecretBox } from './secret-box';
import { SealedSecret, databasePasswordPlace, hostPasswordPlace, siteSecretPlace, type SecretPlace } from './sealed-secret';
import { newSecretsKey, readKeyring, SecretsKeyError, writeKeyring } from './secrets-keyring';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dais-secret-box-'));
  file = join(dir, 'secrets/secrets.key');
  writeKeyring(file, [newSecretsKey()]);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const openError = (box: SecretBox, stored: string, place: SecretPlace): unknown => {
  try {
    return box.open(new SealedSecret(stored, place));
  } catch (error) {
    return error;
  }
};

describe('SecretBox', () => {
  it('seals with a fresh IV each time and opens only what it sealed, at the same place', () => {
    const box = SecretBox.load(file);
    const place = siteSecretPlace(7, 'API_KEY');
    const first = box.seal('hunter2 ✓', place);
    const second = box.seal('hunter2 ✓', place);
    expect(first).not.toBe(second);
    expect(first).toMatch(/^s1:\d{8}-[0-9a-f]{6}:[A-Za-z0-9_-]+$/);
    expect(first).not.toContain('hunter2');
    expect(box.open(new SealedSecret(first, place))).toBe('hunter2 ✓');
    expect(box.open(new SealedSecret(box.seal('', place), place))).toBe('');
  });

  it.each<[string, SecretPlace]>([
    ['another site', siteSecretPlace(8, 'API_KEY')],
    ['another secret name', siteSecretPlace(7, 'OTHER')],
    ['another column', databasePasswordPlace(7)],
    ['another table', hostPasswordPlace(7)],
  ])('refuses a ciphertext moved to %s (SECRET_UNREADABLE, naming the place and what to do)', (_label, elsewhere) => {
    const box = SecretBox.load(file);
    const stored = box.seal('s3cret', siteSecretPlace(7, 'API_KEY'));
    const error = openError(box, stored, elsewhere);
    expect(isDaisError(error, 'SECRET_UNREADABLE')).toBe(true);
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('refuses an altered or cut ciphertext, and a value that is not sealed', () => {
    const box = SecretBox.load(file);
    const place = databasePasswordPlace(3);
    const stored = box.seal('p4ssword-p4ssword-p4ssword', place);
    // The character replaced is the second to last: when it already was the one put in, nothing was altered.
    const flipped = `${stored.slice(0, -2)}${stored.at(-2) === 'A' ? 'B' : 'A'}${stored.slice(-1)}`;
    for (const bad of [flipped, stored.slice(0, 30), 'p4ssword-p4ssword-p4ssword', 's1:nokey']) {
      expect(isDaisError(openError(box, bad, place), 'SECRET_UNREADABLE')).toBe(true);
    }
    expect((openError(box, flipped, place) as Error).message).toBe(
      'the database password of site 3 cannot be opened (it was altered, copied from another place, or sealed with another key named "' +
        `${keyIdOf(stored)}"): give it a new one (POST /api/sites/3/database/rotate-password).`,
    );
  });

  it('opens values the migration marked as plain text', () => {
    expect(SecretBox.load(file).open(new SealedSecret('plain:old-password', hostPasswordPlace(1)))).toBe('old-password');
  });

  it('reads the file again when it changes: a new key seals, old ones open until taken out', () => {
    const box = SecretBox.load(file);
    const place = hostPasswordPlace(2);
    const old = box.seal('admin', place);
    const next = newSecretsKey();
    writeKeyring(file, [...readKeyring(file).keys, next]);
    const sealedNow = box.seal('admin', place);
    expect(keyIdOf(sealedNow)).toBe(next.id);
    expect(box.open(new SealedSecret(old, place))).toBe('admin');
    writeKeyring(file, [next]);
    box.seal('read the file again', place);
    expect(isDaisError(openError(box, old, place), 'SECRET_UNREADABLE')).toBe(true);
    expect((openError(box, old, place) as Error).message).toContain(`has no key "${keyIdOf(old)}"`);
  });

  it('keeps the keys it has when the file goes bad while running', () => {
    const warnings: string[] = [];
    const box = SecretBox.load(file, (warning) => warnings.push(warning));
    writeFileSync(file, 'garbage\n');
    const stored = box.seal('still works', siteSecretPlace(1, 'A'));
    expect(box.open(new SealedSecret(stored, siteSecretPlace(1, 'A')))).toBe('still works');
    expect(warnings[0]).toContain(`line 1 of the secrets key file ${file}`);
  });
});

describe('the key file', () => {
  const loadError = (): string => {
    try {
      SecretBox.load(file);
      return 'loaded';
    } catch (error) {
      expect(error).toBeInstanceOf(SecretsKeyError);
      return (error as Error).message;
    }
  };

  it('is refused, in one line naming it, when missing, open to others, malformed, empty or with a key twice', () => {
    const key = newSecretsKey();
    const line = `${key.id} ${key.key.toString('base64')}`;
    const cases: [() => void, string][] = [
      [() => rmSync(file), `the secrets key file ${file} does not exist`],
      [() => chmodSync(file, 0o644), `may be read by other users (mode 644): chmod 600 ${file}`],
      [() => writeFileSync(file, `${line}\nnot a key\n`, { mode: 0o600 }), `line 2 of the secrets key file ${file}`],
      [() => writeFileSync(file, `${key.id} ${key.key.subarray(0, 16).toString('base64')}\n`), `line 1 of the secrets key file`],
      [() => writeFileSync(file, 'Bad_Id AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n'), 'line 1'],
      [() => writeFileSync(file, '# nothing\n'), `the secrets key file ${file} holds no key`],
      [() => writeFileSync(file, `${line}\n${line}\n`), `lists key "${key.id}" twice`],
    ];
    for (const [spoil, message] of cases) {
      writeKeyring(file, [key]);
      spoil();
      const refusal = loadError();
      expect(refusal).toContain(message);
      expect(refusal).not.toContain('\n');
      expect(refusal).not.toContain(key.key.toString('base64'));
    }
  });

  it('is written whole with mode 600, the sealing key last', () => {
    const [first, second] = [newSecretsKey(), newSecretsKey()];
    writeKeyring(file, [first, second]);
    expect(readKeyring(file).keys.map((key) => key.id)).toEqual([first.id, second.id]);
    expect(SecretBox.load(file).sealingKeyId).toBe(second.id);
  });
});
