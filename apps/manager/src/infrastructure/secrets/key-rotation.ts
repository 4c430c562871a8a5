import { keyIdOf, SEALED, SecretBox } from './secret-box';
import type { StoredSecret } from './secret.repository';
import { newSecretsKey, readKeyring, writeKeyring, type SecretsKey } from './secrets-keyring';
import { assertKeysOpenSecrets, reseal, type SecretStore } from './secrets-upkeep';

/** What a rotation did. */
export interface RotationReport {
  /** The key every secret is now sealed with. */
  keyId: string;
  /** Whether this run made that key (false: it finished a rotation an earlier run began). */
  added: boolean;
  resealed: number;
  /** Keys taken out of the file. */
  retired: string[];
  /** Secrets that could not be opened: left as they are, their keys kept in the file. */
  unreadable: StoredSecret[];
}

/** How a rotation tells what it does. */
export interface RotationOutput {
  /** Secrets sealed again so far, out of how many (an estimate: users may change secrets meanwhile). */
  progress(done: number, total: number): void;
  say(line: string): void;
}

/**
 * Rotates the key that seals secrets: adds a new key to the file (running managers read it again at
 * their next write), seals every secret again with it, then takes the old keys out of the file once
 * no secret needs them. Safe to interrupt: a run that finds an older key still in the file finishes
 * that rotation instead of starting another.
 */
export async function rotateSecretsKey(file: string, store: SecretStore, output: RotationOutput): Promise<RotationReport> {
  const box = SecretBox.load(file);
  await assertKeysOpenSecrets(box, store);
  let keys = readKeyring(file).keys;
  const added = keys.length === 1;
  if (added) {
    keys = [...keys, newSecretsKey()];
    writeKeyring(file, keys);
    box.refresh();
  }
  const target = keys.at(-1) as SecretsKey;
  output.say(added ? `added key ${target.id} to ${file}` : `finishing the rotation to key ${target.id} that an earlier run began`);
  const usage = await store.countByKey();
  const total = [...usage].reduce((sum, [id, count]) => (id === target.id ? sum : sum + count), 0);
  const report: RotationReport = { keyId: target.id, added, resealed: 0, retired: [], unreadable: [] };
  for (;;) {
    await resealUntilDone(box, store, target, report, (done) => output.progress(done, Math.max(total, done)));
    const keep = new Set([target.id, ...report.unreadable.map((secret) => keyIdOf(secret.stored))]);
    writeKeyring(file, [...keys.filter((key) => keep.has(key.id) && key.id !== target.id), target]);
    // A manager that sealed with an old key between the last pass and now: put the keys back and go on.
    const after = await store.countByKey();
    const stragglers = keys.filter((key) => !keep.has(key.id) && (after.get(key.id) ?? 0) > 0);
    if (stragglers.length === 0) {
      report.retired = keys.filter((key) => !keep.has(key.id)).map((key) => key.id);
      return report;
    }
    writeKeyring(file, keys);
    box.refresh();
  }
}

/** Passes over every secret until one finds nothing left to seal again (others may write meanwhile). */
async function resealUntilDone(
  box: SecretBox,
  store: SecretStore,
  target: SecretsKey,
  report: RotationReport,
  progress: (done: number) => void,
): Promise<void> {
  for (;;) {
    const start = report.resealed;
    const pass = await reseal(box, store, `${SEALED}${target.id}:`, (done) => progress(start + done));
    report.resealed += pass.resealed;
    report.unreadable = pass.unreadable;
    if (pass.resealed === 0) return;
  }
}
