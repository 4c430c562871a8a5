import { randomBytes } from 'node:crypto';
import type { LiveSession, SessionRecord } from '../features/auth/credentials';
import type { NewSession, SessionRepository } from '../features/auth/session.repository';
import type { UserRecord } from '../features/users/user';
import type { Clock } from '../infrastructure/clock';

/** The SessionRepository methods services use. */
type SessionStore = Pick<SessionRepository, 'create' | 'findLive' | 'delete' | 'deleteForUser'>;

/**
 * Browser sessions in memory, on the test's clock, answering like the Prisma repository: a session
 * is live until its expiry and while its account is enabled, and a read extends it (sliding expiry).
 * Tokens are kept as given (the real store keeps their hash; no test here reads the table for it).
 */
export class InMemorySessionRepository implements SessionStore {
  readonly rows: (SessionRecord & { token: string })[] = [];
  private nextId = 1;

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    private readonly userOf: (userId: number) => Promise<UserRecord | null>,
  ) {}

  create(userId: number, ttlMs: number, client: { ip: string | null; userAgent: string | null }): Promise<NewSession> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const now = new Date(this.clock.now());
    const expiresAt = new Date(this.clock.now() + ttlMs);
    this.rows.push({
      id: this.nextId++,
      token,
      tokenHash: `hash:${token}`,
      userId,
      csrfToken,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
      ...client,
    });
    return Promise.resolve({ token, csrfToken, expiresAt });
  }

  async findLive(token: string, ttlMs: number): Promise<LiveSession | null> {
    const session = this.rows.find((row) => row.token === token);
    const user = session ? await this.userOf(session.userId) : null;
    if (!session || !user || session.expiresAt.getTime() <= this.clock.now() || user.disabled) return null;
    session.lastSeenAt = new Date(this.clock.now());
    session.expiresAt = new Date(this.clock.now() + ttlMs);
    const { token: _token, ...record } = session;
    return { ...record, user, extended: true };
  }

  delete(token: string): Promise<void> {
    this.remove((row) => row.token === token);
    return Promise.resolve();
  }

  deleteForUser(userId: number, keepSessionId?: number): Promise<void> {
    this.remove((row) => row.userId === userId && row.id !== keepSessionId);
    return Promise.resolve();
  }

  private remove(matches: (row: SessionRecord & { token: string }) => boolean): void {
    const kept = this.rows.filter((row) => !matches(row));
    this.rows.splice(0, this.rows.length, ...kept);
  }
}
