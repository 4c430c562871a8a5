import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import type { Role } from '../generated/prisma/enums';
import type { AuthenticatedUser } from './authenticated-user';
import { hashApiToken } from './api-token';

/** Users and their API tokens in PostgreSQL. */
@Injectable()
export class UserRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The user owning a live (not revoked) token, or null. Records when the token was last used. */
  async findByToken(token: string): Promise<AuthenticatedUser | null> {
    const found = await this.prisma.apiToken.findUnique({ where: { tokenHash: hashApiToken(token) }, include: { user: true } });
    if (!found || found.revokedAt) return null;
    // At most one write a minute per token keeps hot tokens from hammering the table.
    if (!found.lastUsedAt || Date.now() - found.lastUsedAt.getTime() > 60_000) {
      await this.prisma.apiToken.update({ where: { id: found.id }, data: { lastUsedAt: new Date() } });
    }
    return { id: found.user.id, username: found.user.username, role: found.user.role };
  }

  /** Creates the user if missing (role is applied either way); returns its id. */
  async ensureUser(username: string, role: Role): Promise<number> {
    const user = await this.prisma.user.upsert({ where: { username }, create: { username, role }, update: { role } });
    return user.id;
  }

  /** Stores a token's hash for a user. */
  async addToken(userId: number, name: string, token: string): Promise<void> {
    await this.prisma.apiToken.create({ data: { userId, name, tokenHash: hashApiToken(token) } });
  }

  /** Whether a token is live. */
  async isTokenLive(token: string): Promise<boolean> {
    const found = await this.prisma.apiToken.findUnique({ where: { tokenHash: hashApiToken(token) } });
    return found !== null && found.revokedAt === null;
  }
}
