import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../infrastructure/prisma/prisma.service';
import { Prisma } from '../../generated/prisma/client';
import type { UserRecord } from '../users/user';

/** A membership with its user. */
export interface MemberRecord {
  siteId: number;
  userId: number;
  addedAt: Date;
  user: UserRecord;
}

/** What removing a member came to. */
export type MemberRemoval = 'removed' | 'not-member' | 'last-member';

/** Site memberships in PostgreSQL. */
@Injectable()
export class MemberRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A site's members, in the order they joined. */
  list(siteId: number): Promise<MemberRecord[]> {
    return this.prisma.siteMember.findMany({
      where: { siteId },
      include: { user: true },
      orderBy: [{ addedAt: 'asc' }, { userId: 'asc' }],
    });
  }

  /** Makes a user a member; null if they already are one. */
  async add(siteId: number, userId: number): Promise<MemberRecord | null> {
    try {
      return await this.prisma.siteMember.create({ data: { siteId, userId }, include: { user: true } });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  /**
   * Removes a member unless they are the last one. The site row is locked first, so two members
   * removing each other at the same moment cannot leave a site with nobody.
   */
  remove(siteId: number, userId: number): Promise<MemberRemoval> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM "Site" WHERE id = ${siteId} FOR UPDATE`;
      const members = await tx.siteMember.findMany({ where: { siteId }, select: { userId: true } });
      if (!members.some((member) => member.userId === userId)) return 'not-member';
      if (members.length <= 1) return 'last-member';
      await tx.siteMember.delete({ where: { siteId_userId: { siteId, userId } } });
      return 'removed';
    });
  }
}
