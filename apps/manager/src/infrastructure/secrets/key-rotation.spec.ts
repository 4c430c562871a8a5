import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rotateSecretsKey, type RotationOutput } from './key-rotation';
import { keyIdOf, SEALED, SecretBox } from './secret-box';
import type { SecretRow, StoredSecret } from './secret.repository';
import { SECRET_COLUMNS } from './secret.repository';
import { SealedSecret, databasePasswordPlace, hostPasswordPlace, siteSecretPlace, type SecretPlace } from './sealed-secret';
import { newSecretsKey, readKeyring, SecretsKeyError, writeKeyring } from './secrets-keyring';
import { assertKeysOpenSecrets, reseal, RESEAL_BATCH, type SecretStore } from './secrets-upkeep';

/** A strict in-memory SecretStore: rows as the repository returns them, conditional writes, and hooks to interfere. */
class MemoryStore implements SecretStore {
  readonly rows: SecretRow[] = [];
  writes = 0;
  /** Runs before each write (to interrupt a run, or to write concurrently as a user would). */
  beforeWrite: (row: SecretRow) => void = () => undefined;

  add(place: SecretPlace, stored: string): void {
    const row = this.rows.find((candidate) => candidate.column === place.column && candidate.rowId === place.rowId);
    if (row) row.secrets.push({ place, stored });
    else this.rows.push({ column: place.column, rowId: place.rowId, secrets: [{ place, stored }] });
  }

  all(): StoredSecret[] {
    return this.rows.flatMap((row) => row.secrets);
  }

  countByKey(): Promise<Map<string | null, number>> {
    const counts = new Map<string | null, number>();
    for (const { stored } of this.all()) counts.set(keyIdOf(stored), (counts.get(keyIdOf(stored)) ?? 0) + 1);
    return Promise.resolve(counts);
  }

  startingWith(prefix: string, limit: number): Promise<StoredSecret[]> {
    return Promise.resolve(
      this.all()
        .filter((secret) => secret.stored.startsWith(prefix))
        .slice(0, limit),
    );
  }

  rowsNotStartingWith(column: SecretRow['column'], prefix: string, afterRowId: number, limit: number): Promise<SecretRow[]> {
    const found = this.rows
      .filter((row) => row.column === column && row.rowId > afterRowId && row.secrets.some((secret) => !secret.stored.startsWith(prefix)))
      .sort((a, b) => a.rowId - b.rowId)
      .slice(0, limit)
      .map((row) => ({ ...row, secrets: row.secrets.map((secret) => ({ ...secret })) }));
    return Promise.resolve(found);
  }

  replace(read: SecretRow, next: readonly string[]): Promise<boolean> {
    const row = this.rows.find((candidate) => candidate.column === read.column && candidate.rowId === read.rowId);
    this.beforeWrite(read);
    if (!row || row.secrets.some((secret, index) => secret.stored !== read.secrets[index]?.stored)) return Promise.resolve(false);
    row.secrets.forEach((secret, index) => (secret.stored = next[index] ?? secret.stored));
    this.writes++;
    return Promise.resolve(true);
  }
}

let dir: string;
let file: string;
let store: MemoryStore;
const lines: string[] = [];
const output: RotationOutput = { progress: () => undefined, say: (line) => lines.push(line) };

/** A site's secret, a database password and a host password per site, sealed with the file's key. */
function fill(box: SecretBox, sites: number): Map<SecretPlace, string> {
  const plain = new Map<SecretPlace, string>();
  for (let id = 1; id <= sites; id++) {
    for (const place of [siteSecretPlace(id, 'API_KEY'), siteSecretPlace(id, 'TOKEN'), databasePasswordPlace(id), hostPasswordPlace(id)]) {
      plain.set(place, `value-${place.column}-${id}-${place.name ?? ''}`);
      store.add(place, box.seal(plain.get(place) ?? '', place));
    }
  }
  return plain;
}

function expectAllOpen(plain: Map<SecretPlace, string>): void {
  const box = SecretBox.load(file);
  for (const secret of store.all()) expect(box.open(new SealedSecret(secret.stored, secret.place))).toBe(plain.get(secret.place));
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dais-rotation-'));
  file = join(dir, 'secrets.key');
  writeKeyring(file, [newSecretsKey()]);
  store = new MemoryStore();
  lines.length = 0;
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('rotating the secrets key', () => {
  it('seals every secret with a new key in batches, then takes the old key out of the file', async () => {
    const old = readKeyring(file).keys[0]!;
    const plain = fill(SecretBox.load(file), RESEAL_BATCH + 20);
    const report = await rotateSecretsKey(file, store, output);
    expect(report).toMatchObject({ added: true, resealed: plain.size, retired: [old.id], unreadable: [] });
    expect(readKeyring(file).keys.map((key) => key.id)).toEqual([report.keyId]);
    expect(new Set(store.all().map((secret) => keyIdOf(secret.stored)))).toEqual(new Set([report.keyId]));
    expectAllOpen(plain);
  });

  it('can be interrupted anywhere: a second run finishes the same rotation without another key', async () => {
    const plain = fill(SecretBox.load(file), 30);
    store.beforeWrite = () => {
      if (store.writes === 25) throw new Error('killed');
    };
    await expect(rotateSecretsKey(file, store, output)).rejects.toThrow('killed');
    const keysAfterCrash = readKeyring(file).keys.map((key) => key.id);
    expect(keysAfterCrash).toHaveLength(2);
    expectAllOpen(plain);

    store.beforeWrite = () => undefined;
    const report = await rotateSecretsKey(file, store, output);
    expect(report.added).toBe(false);
    expect(lines.at(-1)).toBe(`finishing the rotation to key ${keysAfterCrash[1]} that an earlier run began`);
    expect(readKeyring(file).keys.map((key) => key.id)).toEqual([keysAfterCrash[1]]);
    expectAllOpen(plain);
  });

  it('never overwrites a secret a user changed meanwhile, and seals that one too before retiring the old key', async () => {
    const plain = fill(SecretBox.load(file), 5);
    const old = readKeyring(file).keys[0]!;
    let changed = false;
    store.beforeWrite = (row) => {
      if (changed || row.column !== 'SiteDatabase.password' || row.rowId !== 3) return;
      changed = true;
      // A manager that has not read the file since the new key was added seals with the old key.
      writeKeyring(join(dir, 'stale.key'), [old]);
      const stored = store.rows.find((candidate) => candidate.column === row.column && candidate.rowId === 3)!.secrets[0]!;
      stored.stored = SecretBox.load(join(dir, 'stale.key')).seal('new', stored.place);
      plain.set(stored.place, 'new');
    };
    const report = await rotateSecretsKey(file, store, output);
    expect(changed).toBe(true);
    expect(new Set(store.all().map((secret) => keyIdOf(secret.stored)))).toEqual(new Set([report.keyId]));
    expect(readKeyring(file).keys.map((key) => key.id)).toEqual([report.keyId]);
    expectAllOpen(plain);
  });

  it('leaves a secret it cannot open as it is, with its key, and says so', async () => {
    const box = SecretBox.load(file);
    const plain = fill(box, 3);
    const old = readKeyring(file).keys[0]!;
    const swapped = store.rows.find((row) => row.column === 'SiteDatabase.password' && row.rowId === 1)!;
    swapped.secrets[0]!.stored = store.rows.find((row) => row.column === 'SiteDatabase.password' && row.rowId === 2)!.secrets[0]!.stored;
    const report = await rotateSecretsKey(file, store, output);
    expect(report.unreadable.map((secret) => secret.place)).toEqual([databasePasswordPlace(1)]);
    expect(report.retired).toEqual([]);
    expect(readKeyring(file).keys.map((key) => key.id)).toEqual([old.id, report.keyId]);
    plain.delete([...plain.keys()].find((place) => place.column === 'SiteDatabase.password' && place.rowId === 1)!);
    const fresh = SecretBox.load(file);
    for (const secret of store.all().filter((secret) => plain.has(secret.place)))
      expect(fresh.open(new SealedSecret(secret.stored, secret.place))).toBe(plain.get(secret.place));
  });
});

describe('at start', () => {
  it('seals values kept in plain text, and nothing else', async () => {
    const box = SecretBox.load(file);
    store.add(hostPasswordPlace(1), 'plain:admin-password');
    store.add(siteSecretPlace(2, 'A'), 'plain:');
    store.add(siteSecretPlace(2, 'B'), box.seal('b', siteSecretPlace(2, 'B')));
    const sealedBefore = store.all()[2]!.stored;
    expect((await reseal(box, store, SEALED)).resealed).toBe(2);
    expect(store.all().every((secret) => secret.stored.startsWith(SEALED))).toBe(true);
    expect(store.all()[2]!.stored).toBe(sealedBefore);
    expect(box.open(new SealedSecret(store.all()[0]!.stored, hostPasswordPlace(1)))).toBe('admin-password');
    expect(box.open(new SealedSecret(store.all()[1]!.stored, siteSecretPlace(2, 'A')))).toBe('');
  });

  it('refuses a key file without a key the database uses, or whose key does not open its secrets', async () => {
    fill(SecretBox.load(file), 2);
    const used = readKeyring(file).keys[0]!.id;
    writeKeyring(file, [newSecretsKey()]);
    await expect(assertKeysOpenSecrets(SecretBox.load(file), store)).rejects.toThrow(
      new SecretsKeyError(
        `the secrets key file ${file} has no key "${used}", which seals 8 secret(s) in the database: restore the file (or that key's line) from your backups.`,
      ),
    );
    writeKeyring(file, [{ ...newSecretsKey(), id: used }]);
    await expect(assertKeysOpenSecrets(SecretBox.load(file), store)).rejects.toThrow(
      `does not open the secrets sealed with its key "${used}"`,
    );
  });

  it('does not blame the key for one altered secret', async () => {
    fill(SecretBox.load(file), 2);
    const first = store.rows[0]!.secrets[0]!;
    first.stored = store.rows[1]!.secrets[0]!.stored;
    await expect(assertKeysOpenSecrets(SecretBox.load(file), store)).resolves.toBeUndefined();
    expect(SECRET_COLUMNS).toHaveLength(3);
  });
});
