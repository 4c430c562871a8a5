import { isDaisError } from '@dais/shared';
import { PLAIN, SEALED, type SecretBox } from './secret-box';
import { SECRET_COLUMNS, type SecretRepository, type SecretRow, type StoredSecret } from './secret.repository';
import { SealedSecret } from './sealed-secret';
import { SecretsKeyError } from './secrets-keyring';

/** What upkeep needs from the database (the SecretRepository; a fake in unit tests). */
export type SecretStore = Pick<SecretRepository, 'countByKey' | 'startingWith' | 'rowsNotStartingWith' | 'replace'>;

/** Rows read and rewritten at a time. */
export const RESEAL_BATCH = 100;
/** Secrets tried per key: one that opens proves the key is the right one. */
const SAMPLES_PER_KEY = 5;

/** What a reseal did: secrets sealed again, and those that could not be opened (left as they are). */
export interface ResealReport {
  resealed: number;
  unreadable: StoredSecret[];
}

/**
 * Refuses (SecretsKeyError, naming the file) a key file that lacks a key the database uses, or
 * whose key of that id opens none of the secrets it sealed: a wrong or lost file is found at
 * start, not when a site next needs its secrets. One altered secret does not count against the key.
 */
export async function assertKeysOpenSecrets(box: SecretBox, store: SecretStore): Promise<void> {
  for (const [id, count] of await store.countByKey()) {
    if (id === null) continue;
    if (!box.hasKey(id)) {
      throw new SecretsKeyError(
        `the secrets key file ${box.file} has no key "${id}", which seals ${count} secret(s) in the database: restore the file (or that key's line) from your backups.`,
      );
    }
    const samples = await store.startingWith(`${SEALED}${id}:`, SAMPLES_PER_KEY);
    if (samples.length > 0 && !samples.some((sample) => opens(box, sample))) {
      throw new SecretsKeyError(
        `the secrets key file ${box.file} does not open the secrets sealed with its key "${id}": it is another installation's file; restore this one's from your backups.`,
      );
    }
  }
}

/**
 * Seals again, with the box's sealing key, every secret whose stored value does not start with
 * `keep`, in batches (`progress` gets the running count). Values in plain text are sealed; sealed
 * ones are opened first. A row changed by someone else meanwhile is left to them; an interrupted
 * run loses nothing and the next one carries on.
 */
export async function reseal(box: SecretBox, store: SecretStore, keep: string, progress?: (done: number) => void): Promise<ResealReport> {
  const report: ResealReport = { resealed: 0, unreadable: [] };
  for (const column of SECRET_COLUMNS) {
    let after = 0;
    for (;;) {
      const rows = await store.rowsNotStartingWith(column, keep, after, RESEAL_BATCH);
      for (const row of rows) report.resealed += await resealRow(box, store, row, keep, report.unreadable);
      progress?.(report.resealed);
      const last = rows.at(-1);
      if (!last || rows.length < RESEAL_BATCH) break;
      after = last.rowId;
    }
  }
  return report;
}

async function resealRow(box: SecretBox, store: SecretStore, row: SecretRow, keep: string, unreadable: StoredSecret[]): Promise<number> {
  let changed = 0;
  const next = row.secrets.map((secret) => {
    if (secret.stored.startsWith(keep)) return secret.stored;
    const plaintext = plainTextOf(box, secret, unreadable);
    if (plaintext === null) return secret.stored;
    changed++;
    return box.seal(plaintext, secret.place);
  });
  return changed > 0 && (await store.replace(row, next)) ? changed : 0;
}

/** The plain text of a stored value: sealed ones opened, `plain:` (or unmarked, older) ones as they are. */
function plainTextOf(box: SecretBox, secret: StoredSecret, unreadable: StoredSecret[]): string | null {
  if (secret.stored.startsWith(PLAIN)) return secret.stored.slice(PLAIN.length);
  if (!secret.stored.startsWith(SEALED)) return secret.stored;
  try {
    return box.open(new SealedSecret(secret.stored, secret.place));
  } catch (error) {
    if (!isDaisError(error, 'SECRET_UNREADABLE')) throw error;
    unreadable.push(secret);
    return null;
  }
}

function opens(box: SecretBox, secret: StoredSecret): boolean {
  try {
    box.open(new SealedSecret(secret.stored, secret.place));
    return true;
  } catch {
    return false;
  }
}
