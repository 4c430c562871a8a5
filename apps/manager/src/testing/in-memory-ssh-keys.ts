import type { NewSshKey, SshKeyRepository } from '../features/ssh-keys/ssh-key.repository';
import type { SshKeyRecord as SshKey } from '../features/ssh-keys/ssh-key';
import type { UserRecord as User } from '../features/users/user';
import type { Clock } from '../infrastructure/clock';

/** The SshKeyRepository methods the key service uses. */
type SshKeyStore = Pick<SshKeyRepository, 'create' | 'listForUser' | 'findByFingerprint' | 'deleteOwned' | 'findOwnerByFingerprint'>;

/** As the real repository: `lastUsedAt` is written at most this often. */
const TOUCH_INTERVAL_MS = 60_000;

/** SSH keys in memory, answering like the Prisma repository: ids in order, a fingerprint registered once. */
export class InMemorySshKeyRepository implements SshKeyStore {
  readonly rows: SshKey[] = [];
  private nextId = 1;

  /** `users`: the accounts keys belong to (for the shell's owner look-up). */
  constructor(
    private readonly clock: Pick<Clock, 'date'> = { date: () => new Date() },
    private readonly users: { readonly rows: readonly User[] } = { rows: [] },
  ) {}

  create(key: NewSshKey): Promise<SshKey | null> {
    if (this.rows.some((row) => row.fingerprint === key.fingerprint)) return Promise.resolve(null);
    const row: SshKey = { ...key, id: this.nextId++, createdAt: this.clock.date(), lastUsedAt: null };
    this.rows.push(row);
    return Promise.resolve({ ...row });
  }

  listForUser(userId: number): Promise<SshKey[]> {
    return Promise.resolve(
      this.rows
        .filter((row) => row.userId === userId)
        .sort((a, b) => a.id - b.id)
        .map((row) => ({ ...row })),
    );
  }

  findByFingerprint(fingerprint: string): Promise<SshKey | null> {
    return Promise.resolve(copyOf(this.rows.find((row) => row.fingerprint === fingerprint)));
  }

  findOwnerByFingerprint(fingerprint: string, touch = true): Promise<{ key: SshKey; user: User } | null> {
    const key = this.rows.find((row) => row.fingerprint === fingerprint);
    const user = key && this.users.rows.find((row) => row.id === key.userId);
    if (!key || !user || user.disabled) return Promise.resolve(null);
    const now = this.clock.date();
    if (touch && (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > TOUCH_INTERVAL_MS)) key.lastUsedAt = now;
    return Promise.resolve({ key: { ...key }, user: { ...user } });
  }

  deleteOwned(userId: number, id: number): Promise<SshKey | null> {
    const key = this.rows.find((row) => row.id === id && row.userId === userId);
    if (!key) return Promise.resolve(null);
    this.rows.splice(this.rows.indexOf(key), 1);
    return Promise.resolve(key);
  }
}

/** A row as a fresh read returns it (a later change does not show through it). */
function copyOf<T extends object>(row: T | undefined): T | null {
  return row ? { ...row } : null;
}
