import type { NewUser, UserRepository } from '../features/auth/user.repository';
import type { UserChanges, UserRecord as User } from '../features/users/user';
import type { Clock } from '../infrastructure/clock';

/** The UserRepository methods services use. */
type UserStore = Pick<UserRepository, 'findById' | 'findByUsername' | 'findByEmail' | 'create' | 'updateUnique' | 'list'>;

/**
 * Accounts in memory, answering like the Prisma repository: ids in order from 1, a taken username,
 * e-mail address or SSO identity makes `create`/`updateUnique` answer null, e-mail found in any case.
 */
export class InMemoryUserRepository implements UserStore {
  readonly rows: User[] = [];
  private nextId = 1;

  constructor(private readonly clock: Pick<Clock, 'date'> = { date: () => new Date() }) {}

  /** Adds an account directly (test arrangement), with defaults for what is not given. */
  seed(user: Partial<User> & Pick<User, 'username'>): User {
    const row: User = {
      id: user.id ?? this.nextId,
      displayName: '',
      email: null,
      role: 'user',
      passwordHash: null,
      passwordChangedAt: null,
      oidcSubject: null,
      disabled: false,
      createdAt: this.clock.date(),
      ...user,
    };
    this.nextId = Math.max(this.nextId, row.id + 1);
    this.rows.push(row);
    return row;
  }

  findById(id: number): Promise<User | null> {
    return Promise.resolve(copyOf(this.rows.find((user) => user.id === id)));
  }

  findByUsername(username: string): Promise<User | null> {
    return Promise.resolve(copyOf(this.rows.find((user) => user.username === username)));
  }

  findByEmail(email: string): Promise<User | null> {
    return Promise.resolve(copyOf(this.rows.find((user) => user.email === email.toLowerCase())));
  }

  create(user: NewUser): Promise<User | null> {
    if (this.clashes(user)) return Promise.resolve(null);
    return Promise.resolve(copyOf(this.seed({ ...user, passwordChangedAt: user.passwordHash ? this.clock.date() : null })));
  }

  updateUnique(id: number, changes: UserChanges): Promise<User | null> {
    const current = this.rows.find((user) => user.id === id);
    // Prisma's update throws P2025 for a missing row; the repository does not catch it.
    if (!current) return Promise.reject(new Error(`No User ${id} to update (P2025)`));
    const updated = { ...current, ...(changes as Partial<User>) };
    if (this.clashes(updated, id)) return Promise.resolve(null);
    this.rows[this.rows.indexOf(current)] = updated;
    return Promise.resolve({ ...updated });
  }

  list(limit: number, cursor?: number): Promise<User[]> {
    const after = this.rows.filter((user) => cursor === undefined || user.id > cursor).sort((a, b) => a.id - b.id);
    return Promise.resolve(after.slice(0, limit).map((user) => ({ ...user })));
  }

  /** Whether another account holds one of the unique fields (username, e-mail, SSO identity). */
  private clashes(user: Pick<NewUser, 'username' | 'email' | 'oidcSubject'>, exceptId?: number): boolean {
    return this.rows.some(
      (other) =>
        other.id !== exceptId &&
        (other.username === user.username ||
          (user.email != null && other.email === user.email) ||
          (user.oidcSubject != null && other.oidcSubject === user.oidcSubject)),
    );
  }
}

/** A row as a fresh read returns it (a later change does not show through it). */
function copyOf<T extends object>(row: T | undefined): T | null {
  return row ? { ...row } : null;
}
