import { Injectable } from '@nestjs/common';
import type { DomainCheckProblem } from '@dais/shared';
import { PrismaService } from '../../infrastructure/prisma/prisma.service';
import { Prisma } from '../../generated/prisma/client';
import type { DomainRecord } from './domain';
import type { SiteState } from '../sites/site';
import { createOperationRow } from '../operations/operation.repository';
import type { OperationWithSteps } from '../operations/operation-view';

/** A domain with the operation that routes (or unroutes) it. */
export interface DomainWithOperation {
  domain: DomainRecord;
  operation: OperationWithSteps;
}

/** A domain with what the checks need to know of its site. */
export type DomainOfSite = DomainRecord & { site: { name: string; state: SiteState } };

/** A new, unverified claim of a hostname by a site. */
export interface NewClaim {
  siteId: number;
  hostname: string;
  token: string;
  releaseAt: Date;
  nextCheckAt: Date;
}

/** What one look at a domain's record leaves on it. */
export interface CheckRecord {
  checkedAt: Date;
  checkProblem: DomainCheckProblem | null;
  checkMessage: string | null;
  nextCheckAt: Date | null;
  lapseAt?: Date | null;
}

/** How control was proven, by whom, and when the next look is due (null: never). */
export interface Verification {
  domainId: number;
  via: 'dns' | 'admin';
  by: string | null;
  requestedById: number | null;
  nextCheckAt: Date | null;
}

/** A verified domain losing its proof: what it tells its owner and when its claim is released. */
export interface Lapse {
  domainId: number;
  now: Date;
  releaseAt: Date;
  nextCheckAt: Date;
  problem: DomainCheckProblem;
  message: string;
}

/** Thrown inside a transaction to roll it back when the row changed under it. */
class Changed extends Error {}

/** The longest check message stored (the column's size): the longest hostname appears twice in one. */
const MESSAGE_MAX = 1_000;

const NO_CERTIFICATE = { certificateState: null, certificateExpiresAt: null, certificateMessage: null, certificateRetryAt: null };

/**
 * Custom domains in PostgreSQL. A claim is written unverified (nothing to route); proving control
 * (or losing it) writes the domain's new state and the `update_site` operation that routes the
 * site's new set of hostnames in one transaction, as does removing a domain.
 */
@Injectable()
export class DomainRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A site's domains, oldest first. */
  listForSite(siteId: number): Promise<DomainRecord[]> {
    return this.prisma.domain.findMany({ where: { siteId }, orderBy: { id: 'asc' } });
  }

  /** How many custom domains a site has. */
  countForSite(siteId: number): Promise<number> {
    return this.prisma.domain.count({ where: { siteId } });
  }

  /** One domain of a site, or null. */
  find(siteId: number, domainId: number): Promise<DomainRecord | null> {
    return this.prisma.domain.findFirst({ where: { id: domainId, siteId } });
  }

  /** A domain by its id alone, or null. */
  findById(domainId: number): Promise<DomainRecord | null> {
    return this.prisma.domain.findUnique({ where: { id: domainId } });
  }

  /** A domain with its site's name and state (to audit and to leave sites being deleted alone), or null. */
  findWithSite(domainId: number): Promise<DomainOfSite | null> {
    return this.prisma.domain.findUnique({ where: { id: domainId }, include: { site: { select: { name: true, state: true } } } });
  }

  /** Whether a site other than `siteId` has proven control of the hostname (and routes it). */
  async isVerifiedElsewhere(hostname: string, siteId: number): Promise<boolean> {
    const holder = await this.prisma.domain.findUnique({ where: { claimedHostname: hostname }, select: { siteId: true } });
    return holder !== null && holder.siteId !== siteId;
  }

  /** Writes an unverified claim; null if the site already has the hostname. */
  async create(claim: NewClaim): Promise<DomainRecord | null> {
    try {
      return await this.prisma.domain.create({
        data: {
          siteId: claim.siteId,
          hostname: claim.hostname,
          verificationToken: claim.token,
          releaseAt: claim.releaseAt,
          nextCheckAt: claim.nextCheckAt,
        },
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  /**
   * Takes up to `limit` domains whose check is due, pushing their next check to `leaseUntil`, so
   * that sweeps running at once in several processes never take the same domain (SKIP LOCKED),
   * and a process that dies mid-check only delays it until the lease ends.
   */
  async takeDue(now: Date, leaseUntil: Date, limit: number): Promise<number[]> {
    const rows = await this.prisma.$queryRaw<{ id: number }[]>`
      UPDATE "Domain" SET "nextCheckAt" = ${leaseUntil}
      WHERE "id" IN (
        SELECT "id" FROM "Domain" WHERE "nextCheckAt" <= ${now} ORDER BY "nextCheckAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED
      )
      RETURNING "id"`;
    return rows.map((row) => row.id);
  }

  /** Records a check on a domain still unverified (or still verified): null if it changed meanwhile. */
  async recordCheck(domainId: number, verified: boolean, record: CheckRecord): Promise<DomainRecord | null> {
    const where = { id: domainId, verifiedAt: verified ? { not: null } : null };
    const data = { ...record, checkMessage: record.checkMessage?.slice(0, MESSAGE_MAX) ?? null };
    const { count } = await this.prisma.domain.updateMany({ where, data });
    return count === 0 ? null : this.findById(domainId);
  }

  /**
   * Marks an unverified domain verified and routes it. `changed` if it was not unverified any
   * more (verified meanwhile, or removed); `claimed-elsewhere` if another site verified the
   * hostname first (the unique `claimedHostname`).
   */
  async verify(verification: Verification): Promise<DomainWithOperation | 'changed' | 'claimed-elsewhere'> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const domain = await tx.domain.findUnique({ where: { id: verification.domainId }, include: { site: true } });
        // A site being deleted is not routed again.
        if (!domain || domain.site.state === 'deleting') throw new Changed();
        const claimed = await tx.domain.updateMany({
          where: { id: domain.id, status: 'unverified' },
          data: { status: 'pending', claimedHostname: domain.hostname },
        });
        if (claimed.count === 0) throw new Changed();
        const operation = await this.updateOperation(tx, domain.siteId, verification.requestedById);
        // A wildcard gets no certificate (HTTP-01 cannot prove one); any other waits for the router's order.
        const certificate = domain.hostname.startsWith('*.')
          ? NO_CERTIFICATE
          : {
              ...NO_CERTIFICATE,
              certificateState: 'pending' as const,
              certificateMessage: 'A certificate is ordered once the domain is routed.',
            };
        const verified = await tx.domain.update({
          where: { id: domain.id },
          data: {
            // The operation's own creation time: the operation (and later ones) route it, not earlier ones still running.
            verifiedAt: operation.createdAt,
            verifiedVia: verification.via,
            verifiedBy: verification.by,
            statusMessage: null,
            checkProblem: null,
            checkMessage: null,
            releaseAt: null,
            lapseAt: null,
            nextCheckAt: verification.nextCheckAt,
            ...certificate,
          },
        });
        return { domain: verified, operation };
      });
    } catch (error) {
      if (error instanceof Changed) return 'changed';
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return 'claimed-elsewhere';
      throw error;
    }
  }

  /** Makes a verified domain whose lapse is due unverified again and unroutes it; null if that no longer applies. */
  async lapse(lapse: Lapse): Promise<DomainWithOperation | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const data = {
          status: 'unverified' as const,
          statusMessage: null,
          verifiedAt: null,
          verifiedVia: null,
          verifiedBy: null,
          claimedHostname: null,
          lapseAt: null,
          checkedAt: lapse.now,
          checkProblem: lapse.problem,
          checkMessage: lapse.message.slice(0, MESSAGE_MAX),
          releaseAt: lapse.releaseAt,
          nextCheckAt: lapse.nextCheckAt,
          ...NO_CERTIFICATE,
        };
        const where = { id: lapse.domainId, verifiedVia: 'dns' as const, lapseAt: { lte: lapse.now } };
        if ((await tx.domain.updateMany({ where, data })).count === 0) throw new Changed();
        const domain = await tx.domain.findUniqueOrThrow({ where: { id: lapse.domainId } });
        return { domain, operation: await this.updateOperation(tx, domain.siteId, null) };
      });
    } catch (error) {
      if (error instanceof Changed) return null;
      throw error;
    }
  }

  /** Removes an unverified claim whose release is due (it was never routed: no operation); null if that no longer applies. */
  async release(domainId: number, now: Date): Promise<DomainRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      const domain = await tx.domain.findUnique({ where: { id: domainId } });
      const where = { id: domainId, status: 'unverified' as const, releaseAt: { lte: now } };
      if (!domain || (await tx.domain.deleteMany({ where })).count === 0) return null;
      return domain;
    });
  }

  /** Removes a domain of the site with its operation; null if the site has no such domain. */
  removeWithOperation(siteId: number, domainId: number, requestedById: number): Promise<DomainWithOperation | null> {
    return this.prisma.$transaction(async (tx) => {
      const domain = await tx.domain.findFirst({ where: { id: domainId, siteId } });
      if (!domain) return null;
      const removed = await tx.domain.deleteMany({ where: { id: domainId, siteId } });
      // Removed meanwhile by another request: that request's operation routes without it.
      if (removed.count === 0) return null;
      return { domain, operation: await this.updateOperation(tx, siteId, requestedById) };
    });
  }

  private async updateOperation(tx: Prisma.TransactionClient, siteId: number, requestedById: number | null): Promise<OperationWithSteps> {
    const site = await tx.site.findUniqueOrThrow({ where: { id: siteId }, include: { database: true } });
    const hasDatabase = site.database !== null && !site.database.deleting;
    return createOperationRow(tx, { ...site, hasDatabase }, 'update_site', requestedById);
  }
}
