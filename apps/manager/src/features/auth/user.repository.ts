import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../infrastructure/prisma/prisma.service';
import { Prisma } from '../../generated/prisma/client';
import type { Role, UserChanges, UserRecord } from '../users/user';
import type { ApiTokenRecord } from './credentials';
import { hashApiToken } from './api-token';

/** A new account as an admin (or setup) creates it. */
export interface NewUser {
  username: string;
  displayName?: string;
  role: Role;
  passwordHash?: string | null;
  oidcSubject?: string | null;
  /** Lowercase (the contracts' e-mail schema folds it). */
  email?: string | null;
}

/** Users and their API tokens in PostgreSQL. */
@Injectable()
export class UserRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The enabled user owning a live (not revoked) token, or null. Records `now` (the caller's clock)
   * as when the token was last used.
   */
  async findByToken(token: string, now: Date): Promise<UserRecord | null> {
    const found = await this.prisma.apiToken.findUnique({ where: { tokenHash: hashApiToken(token) }, include: { user: true } });
    if (!found || found.revokedAt || found.user.disabled) return null;
    // At most one write a minute per token keeps hot tokens from hammering the table.
    if (!found.lastUsedAt || now.getTime() - found.lastUsedAt.getTime() > 60_000) {
      await this.prisma.apiToken.update({ where: { id: found.id }, data: { lastUsedAt: now } });
    }
    return found.user;
  }

  findById(id: number): Promise<UserRecord | null> {
    return this.prisma.user.findUnique({ where: { id } });
  }

  findByUsername(username: string): Promise<UserRecord | null> {
    return this.prisma.user.findUnique({ where: { username } });
  }

  /** The account with this e-mail address (any case). */
  findByEmail(email: string): Promise<UserRecord | null> {
    return this.prisma.user.findUnique({ where: { email: email.toLowerCase() } });
  }

  findByOidcSubject(subject: string): Promise<UserRecord | null> {
    return this.prisma.user.findUnique({ where: { oidcSubject: subject } });
  }

  /** Creates an account; null if the username, e-mail address or SSO identity is taken. */
  async create(user: NewUser): Promise<UserRecord | null> {
    try {
      return await this.prisma.user.create({ data: { ...user, passwordChangedAt: user.passwordHash ? new Date() : null } });
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  update(id: number, changes: UserChanges): Promise<UserRecord> {
    return this.prisma.user.update({ where: { id }, data: changes });
  }

  /** Changes an account; null if its new e-mail address is another account's (the only unique field that changes). */
  async updateUnique(id: number, changes: UserChanges): Promise<UserRecord | null> {
    try {
      return await this.update(id, changes);
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  /** Users, by id, `limit` at most after `cursor`. */
  list(limit: number, cursor?: number): Promise<UserRecord[]> {
    return this.prisma.user.findMany({ where: cursor === undefined ? {} : { id: { gt: cursor } }, orderBy: { id: 'asc' }, take: limit });
  }

  /** Creates the user if missing (role is applied either way); returns it. */
  ensureUser(username: string, role: Role): Promise<UserRecord> {
    return this.prisma.user.upsert({ where: { username }, create: { username, role }, update: { role } });
  }

  /** Stores a token's hash for a user. */
  async addToken(userId: number, name: string, token: string): Promise<ApiTokenRecord> {
    return this.prisma.apiToken.create({ data: { userId, name, tokenHash: hashApiToken(token) } });
  }

  /** A user's live tokens. */
  listTokens(userId: number): Promise<ApiTokenRecord[]> {
    return this.prisma.apiToken.findMany({ where: { userId, revokedAt: null }, orderBy: { id: 'asc' } });
  }

  /** Revokes one of the user's tokens; false if it was not theirs or already revoked. */
  async revokeToken(userId: number, tokenId: number): Promise<boolean> {
    const revoked = await this.prisma.apiToken.updateMany({
      where: { id: tokenId, userId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return revoked.count > 0;
  }

  /** Revokes every live token of the user; returns how many. */
  async revokeAllTokens(userId: number): Promise<number> {
    const revoked = await this.prisma.apiToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
    return revoked.count;
  }

  /**
   * Creates the installation's first account, or returns null when any account exists. The check
   * and the insert hold one lock, so managers starting at once create it once between them.
   */
  createFirstUser(user: NewUser): Promise<UserRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FIRST_USER_LOCK_KEY})`;
      if ((await tx.user.count()) > 0) return null;
      return tx.user.create({ data: { ...user, passwordChangedAt: user.passwordHash ? new Date() : null } });
    });
  }

  /** Whether a token is live. */
  async isTokenLive(token: string): Promise<boolean> {
    const found = await this.prisma.apiToken.findUnique({ where: { tokenHash: hashApiToken(token) } });
    return found !== null && found.revokedAt === null;
  }
}

/** The advisory lock key that serialises {@link UserRepository.createFirstUser} across processes. */
const FIRST_USER_LOCK_KEY = 0x6461_6975;

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
