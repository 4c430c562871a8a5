import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import type { Domain, Site } from '../generated/prisma/client';
import { Prisma } from '../generated/prisma/client';
import type { OperationKind, SiteType } from '../generated/prisma/enums';
import { stepRowsFor } from '../operations/operation-catalogue';
import type { OperationWithSteps } from '../operations/operation-view';

/** A site with its custom domains. */
export type SiteWithDomains = Site & { domains: Domain[] };

/** Who may see a site: admins see all, others only sites they are members of. */
export interface SiteViewer {
  id: number;
  role: 'admin' | 'user';
}

/** A new site as the service asks for it. */
export interface NewSite {
  name: string;
  type: SiteType;
  description: string;
  ownerId: number;
}

const withSteps = { steps: { orderBy: { position: 'asc' } } } as const;

/** Sites, their members and domains in PostgreSQL. */
@Injectable()
export class SiteRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Writes the site, its owner membership and its create operation in one transaction, so there
   * is never a site without the operation that builds it. Returns null if the name is taken.
   */
  async createWithOperation(site: NewSite): Promise<{ site: SiteWithDomains; operation: OperationWithSteps } | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const created = await tx.site.create({
          data: { name: site.name, type: site.type, description: site.description, members: { create: { userId: site.ownerId } } },
          include: { domains: true },
        });
        const operation = await tx.operation.create({
          data: {
            siteId: created.id,
            siteName: created.name,
            kind: 'create_site',
            requestedById: site.ownerId,
            steps: { create: stepRowsFor('create_site') },
          },
          include: withSteps,
        });
        return { site: created, operation };
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  /** Marks the site for deletion and writes the delete operation, in one transaction. */
  async startOperation(siteId: number, kind: OperationKind, requestedById: number): Promise<OperationWithSteps> {
    return this.prisma.$transaction(async (tx) => {
      const site = await tx.site.update({ where: { id: siteId }, data: kind === 'delete_site' ? { state: 'deleting' } : {} });
      return tx.operation.create({
        data: { siteId, siteName: site.name, kind, requestedById, steps: { create: stepRowsFor(kind) } },
        include: withSteps,
      });
    });
  }

  /** A site with its domains, or null. */
  find(id: number): Promise<SiteWithDomains | null> {
    return this.prisma.site.findUnique({ where: { id }, include: { domains: true } });
  }

  /** A site the viewer may see, or null (not found and not allowed look the same). */
  findVisible(id: number, viewer: SiteViewer): Promise<SiteWithDomains | null> {
    return this.prisma.site.findFirst({ where: { id, ...visibleTo(viewer) }, include: { domains: true } });
  }

  /** Sites the viewer may see, newest first. */
  listVisible(viewer: SiteViewer, limit: number): Promise<SiteWithDomains[]> {
    return this.prisma.site.findMany({ where: visibleTo(viewer), include: { domains: true }, orderBy: { id: 'desc' }, take: limit });
  }

  /** Whether the viewer may see the site. */
  async isVisible(id: number, viewer: SiteViewer): Promise<boolean> {
    return (await this.prisma.site.count({ where: { id, ...visibleTo(viewer) } })) > 0;
  }
}

function visibleTo(viewer: SiteViewer): Prisma.SiteWhereInput {
  return viewer.role === 'admin' ? {} : { members: { some: { userId: viewer.id } } };
}
