import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Prisma, type Domain } from '../generated/prisma/client';
import { createOperationRow } from '../operations/operation-rows';
import type { OperationWithSteps } from '../operations/operation-view';

/**
 * Custom domains in PostgreSQL. Adding or removing one writes the row and the `update_site`
 * operation that routes the site's new set of hostnames in one transaction.
 */
@Injectable()
export class DomainRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A site's domains, oldest first. */
  listForSite(siteId: number): Promise<Domain[]> {
    return this.prisma.domain.findMany({ where: { siteId }, orderBy: { id: 'asc' } });
  }

  /** How many custom domains a site has. */
  countForSite(siteId: number): Promise<number> {
    return this.prisma.domain.count({ where: { siteId } });
  }

  /** Adds a pending domain with its operation; null if any site (this one included) already has the hostname. */
  async addWithOperation(
    siteId: number,
    hostname: string,
    requestedById: number,
  ): Promise<{ domain: Domain; operation: OperationWithSteps } | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        // A wildcard gets no certificate (HTTP-01 cannot prove one); any other waits for the router's order.
        const certificate = hostname.startsWith('*.')
          ? {}
          : { certificateState: 'pending' as const, certificateMessage: 'A certificate is ordered once the domain is routed.' };
        const domain = await tx.domain.create({ data: { siteId, hostname, ...certificate } });
        return { domain, operation: await this.updateOperation(tx, siteId, requestedById) };
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  /** Removes a domain of the site with its operation; null if the site has no such domain. */
  removeWithOperation(
    siteId: number,
    domainId: number,
    requestedById: number,
  ): Promise<{ domain: Domain; operation: OperationWithSteps } | null> {
    return this.prisma.$transaction(async (tx) => {
      const domain = await tx.domain.findFirst({ where: { id: domainId, siteId } });
      if (!domain) return null;
      const removed = await tx.domain.deleteMany({ where: { id: domainId, siteId } });
      // Removed meanwhile by another request: that request's operation routes without it.
      if (removed.count === 0) return null;
      return { domain, operation: await this.updateOperation(tx, siteId, requestedById) };
    });
  }

  private async updateOperation(tx: Prisma.TransactionClient, siteId: number, requestedById: number): Promise<OperationWithSteps> {
    const site = await tx.site.findUniqueOrThrow({ where: { id: siteId }, include: { database: true } });
    const hasDatabase = site.database !== null && !site.database.deleting;
    return createOperationRow(tx, { ...site, hasDatabase }, 'update_site', requestedById);
  }
}
