import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../infrastructure/prisma/prisma.service';
import { Prisma } from '../../generated/prisma/client';
import type { UserRecord } from '../users/user';
import type { SshKeyRecord } from './ssh-key';

/** A checked key as the service stores it. */
export interface NewSshKey {
  userId: number;
  name: string;
  type: string;
  bits: number;
  /** `type base64`, without the comment. */
  publicKey: string;
  fingerprint: string;
}

/** Writing `lastUsedAt` at most this often keeps a key used in a loop from hammering the table. */
const TOUCH_INTERVAL_MS = 60_000;

/** Users' SSH public keys in PostgreSQL. */
@Injectable()
export class SshKeyRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Stores a key; null if its fingerprint is already registered (a key belongs to one user). */
  async create(key: NewSshKey): Promise<SshKeyRecord | null> {
    try {
      return await this.prisma.sshKey.create({ data: key });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  /** A user's keys, oldest first. */
  listForUser(userId: number): Promise<SshKeyRecord[]> {
    return this.prisma.sshKey.findMany({ where: { userId }, orderBy: { id: 'asc' } });
  }

  findByFingerprint(fingerprint: string): Promise<SshKeyRecord | null> {
    return this.prisma.sshKey.findUnique({ where: { fingerprint } });
  }

  /** Deletes one of a user's keys and returns it; null if the user has no key with that id. */
  async deleteOwned(userId: number, id: number): Promise<SshKeyRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      const key = await tx.sshKey.findFirst({ where: { id, userId } });
      if (!key) return null;
      await tx.sshKey.delete({ where: { id: key.id } });
      return key;
    });
  }

  /**
   * For the shell: the enabled user owning the key with this fingerprint, and the key; null for an
   * unknown key or a disabled user. Records when the key was last used unless `touch` is false
   * (an SSH client first asks whether a key would do, then signs with it: touch on the signature).
   */
  async findOwnerByFingerprint(fingerprint: string, touch = true): Promise<{ key: SshKeyRecord; user: UserRecord } | null> {
    const found = await this.prisma.sshKey.findUnique({ where: { fingerprint }, include: { user: true } });
    if (!found || found.user.disabled) return null;
    const { user, ...key } = found;
    if (touch && (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > TOUCH_INTERVAL_MS)) {
      key.lastUsedAt = new Date();
      await this.prisma.sshKey.update({ where: { id: key.id }, data: { lastUsedAt: key.lastUsedAt } });
    }
    return { key, user };
  }
}
