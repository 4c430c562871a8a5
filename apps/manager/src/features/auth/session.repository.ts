import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../infrastructure/prisma/prisma.service';
import type { LiveSession } from './credentials';

/** The session's cookie value is random; only its hash is stored. */
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
/** Sliding expiry is refreshed at most this often (each refresh is a write), and at least four times a lifetime. */
const TOUCH_INTERVAL_MS = 5 * 60_000;

/** A new session as the browser gets it. */
export interface NewSession {
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

/** Browser sessions in PostgreSQL. */
@Injectable()
export class SessionRepository {
  constructor(private readonly prisma: PrismaService) {}

  async create(userId: number, ttlMs: number, client: { ip: string | null; userAgent: string | null }): Promise<NewSession> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = new Date(Date.now() + ttlMs);
    await this.prisma.session.create({
      data: { tokenHash: hashOf(token), userId, csrfToken, expiresAt, ip: client.ip, userAgent: client.userAgent?.slice(0, 300) ?? null },
    });
    return { token, csrfToken, expiresAt };
  }

  /**
   * The live session and its (enabled) user for a cookie value, extending it while in use
   * (`extended` then says so, for the cookies to follow); null otherwise.
   */
  async findLive(token: string, ttlMs: number): Promise<LiveSession | null> {
    const session = await this.prisma.session.findUnique({ where: { tokenHash: hashOf(token) }, include: { user: true } });
    if (!session || session.expiresAt.getTime() <= Date.now() || session.user.disabled) return null;
    if (Date.now() - session.lastSeenAt.getTime() <= Math.min(TOUCH_INTERVAL_MS, ttlMs / 4)) return { ...session, extended: false };
    const touched = { lastSeenAt: new Date(), expiresAt: new Date(Date.now() + ttlMs) };
    await this.prisma.session.update({ where: { id: session.id }, data: touched });
    return { ...session, ...touched, extended: true };
  }

  async delete(token: string): Promise<void> {
    await this.prisma.session.deleteMany({ where: { tokenHash: hashOf(token) } });
  }

  /** Signs a user out everywhere but (optionally) the session in use. */
  async deleteForUser(userId: number, keepSessionId?: number): Promise<void> {
    await this.prisma.session.deleteMany({ where: { userId, ...(keepSessionId === undefined ? {} : { id: { not: keepSessionId } }) } });
  }

  /** Forgets expired sessions. */
  async deleteExpired(): Promise<void> {
    await this.prisma.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  }
}
