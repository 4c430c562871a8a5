import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DaisError } from '@dais/shared';
import { describePlace, remedyFor, type SealedSecret, type SecretOpener, type SecretPlace } from './sealed-secret';
import { keyringStamp, readKeyring, type Keyring, type SecretsKey } from './secrets-keyring';

/** The prefix of a sealed value (format version 1). */
export const SEALED = 's1:';
/** The prefix the migration put before values that were in plain text; the manager seals them at start. */
export const PLAIN = 'plain:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The key id of a sealed value, or null for a value that is not sealed. */
export function keyIdOf(stored: string): string | null {
  if (!stored.startsWith(SEALED)) return null;
  const end = stored.indexOf(':', SEALED.length);
  return end < 0 ? null : stored.slice(SEALED.length, end);
}

/** The associated data of a place: the ciphertext opens only there. */
function associatedData(place: SecretPlace): Buffer {
  return Buffer.from(JSON.stringify(['dais-secret', place.column, place.rowId, place.name ?? null]), 'utf8');
}

/**
 * Seals and opens the secrets the manager keeps in PostgreSQL with AES-256-GCM, under keys kept
 * outside the database (docs/secrets.md). The newest key of the file seals; every key in it opens.
 * The file is read again when it changes, so a key rotation reaches running managers.
 */
export class SecretBox implements SecretOpener {
  private keyring: Keyring;

  private constructor(
    readonly file: string,
    private readonly warn: (message: string) => void,
  ) {
    this.keyring = readKeyring(file);
  }

  /** Reads the key file; throws a SecretsKeyError naming it when it is missing, open to others or malformed. */
  static load(file: string, warn: (message: string) => void = () => undefined): SecretBox {
    return new SecretBox(file, warn);
  }

  /** The id of the key new secrets are sealed with. */
  get sealingKeyId(): string {
    return this.sealingKey().id;
  }

  /** Whether the file (as last read) holds this key. */
  hasKey(id: string): boolean {
    return this.keyring.keys.some((entry) => entry.id === id);
  }

  /** Seals a secret for one place with the newest key. */
  seal(plaintext: string, place: SecretPlace): string {
    this.refresh();
    const { id, key } = this.sealingKey();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(associatedData(place));
    const sealed = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${SEALED}${id}:${sealed.toString('base64url')}`;
  }

  /** The plain text of a secret; SECRET_UNREADABLE when its key is gone or it was altered or moved. */
  open(secret: SealedSecret): string {
    const { stored, place } = secret;
    if (stored.startsWith(PLAIN)) return stored.slice(PLAIN.length);
    const id = keyIdOf(stored);
    if (id === null) throw unreadable(place, 'it is not a sealed value');
    if (!this.hasKey(id)) this.refresh();
    const key = this.keyring.keys.find((entry) => entry.id === id);
    if (!key) throw unreadable(place, `the key file ${this.file} has no key "${id}" any more`);
    const sealed = Buffer.from(stored.slice(SEALED.length + id.length + 1), 'base64url');
    if (sealed.length < IV_BYTES + TAG_BYTES) throw unreadable(place, 'it is cut short');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, sealed.subarray(0, IV_BYTES)).setAAD(associatedData(place));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw unreadable(place, `it was altered, copied from another place, or sealed with another key named "${id}"`);
    }
  }

  /** Reads the key file again if it changed (one stat); a file that went bad keeps the keys already known, with a warning. */
  refresh(): void {
    if (keyringStamp(this.file) === this.keyring.stamp) return;
    try {
      this.keyring = readKeyring(this.file);
    } catch (error) {
      this.warn(`keeping the secrets keys already loaded: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private sealingKey(): SecretsKey {
    const key = this.keyring.keys.at(-1);
    if (!key) throw new Error('a keyring always holds a key');
    return key;
  }
}

function unreadable(place: SecretPlace, why: string): DaisError {
  return new DaisError('SECRET_UNREADABLE', `${describePlace(place)} cannot be opened (${why}): ${remedyFor(place)}.`, {
    column: place.column,
    rowId: place.rowId,
  });
}
