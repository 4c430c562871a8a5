import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import type { OperationKind, SiteType } from '../generated/prisma/enums';
import { createOperationRow } from '../operations/operation-rows';
import type { OperationWithSteps } from '../operations/operation-view';

/** What every site read includes: custom domains, catalogue image, database and its host. */
export const SITE_INCLUDE = { domains: true, image: true, database: { include: { host: true } } } as const;

/** A site with everything needed to describe its desired state. */
export type SiteRecord = Prisma.SiteGetPayload<{ include: typeof SITE_INCLUDE }>;

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
  imageId: number | null;
  packages: string[];
  setupCommands: string[][];
  env: Record<string, string>;
}

/** Sites, their members and domains in PostgreSQL. */
@Injectable()
export class SiteRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Writes the site, its owner membership and its create operation in one transaction, so there
   * is never a site without the operation that builds it. Returns null if the name is taken.
   */
  async createWithOperation(site: NewSite): Promise<{ site: SiteRecord; operation: OperationWithSteps } | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const created = await tx.site.create({
          data: {
            name: site.name,
            type: site.type,
            description: site.description,
            imageId: site.imageId,
            packages: site.packages,
            setupCommands: site.setupCommands,
            env: site.env,
            members: { create: { userId: site.ownerId } },
          },
          include: SITE_INCLUDE,
        });
        const operation = await createOperationRow(tx, { ...created, hasDatabase: false }, 'create_site', site.ownerId);
        return { site: created, operation };
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  /**
   * Applies `changes` to the site and writes the operation that carries them out, in one
   * transaction: the steps are chosen from the site as it is after the change.
   */
  async changeWithOperation(
    siteId: number,
    kind: OperationKind,
    requestedById: number,
    changes: Prisma.SiteUpdateInput = {},
  ): Promise<OperationWithSteps> {
    return this.prisma.$transaction(async (tx) => {
      const site = await tx.site.update({
        where: { id: siteId },
        data: { ...changes, ...(kind === 'delete_site' ? { state: 'deleting' } : {}) },
        include: { database: true },
      });
      return createOperationRow(tx, { ...site, hasDatabase: site.database !== null }, kind, requestedById);
    });
  }

  /** Changes fields that no component needs to hear about (e.g. the description). */
  async change(siteId: number, changes: Prisma.SiteUpdateInput): Promise<void> {
    await this.prisma.site.update({ where: { id: siteId }, data: changes });
  }

  /** Records the image built for the site (null: run the catalogue image). */
  async setBuiltImage(siteId: number, image: string | null): Promise<void> {
    await this.prisma.site.updateMany({ where: { id: siteId }, data: { builtImage: image } });
  }

  /** A site with everything it is made of, or null. */
  find(id: number): Promise<SiteRecord | null> {
    return this.prisma.site.findUnique({ where: { id }, include: SITE_INCLUDE });
  }

  /** A site the viewer may see, or null (not found and not allowed look the same). */
  findVisible(id: number, viewer: SiteViewer): Promise<SiteRecord | null> {
    return this.prisma.site.findFirst({ where: { id, ...visibleTo(viewer) }, include: SITE_INCLUDE });
  }

  /** Sites the viewer may see, newest first. */
  listVisible(viewer: SiteViewer, limit: number): Promise<SiteRecord[]> {
    return this.prisma.site.findMany({ where: visibleTo(viewer), include: SITE_INCLUDE, orderBy: { id: 'desc' }, take: limit });
  }

  /** Ids of the sites a user is a member of. */
  async memberSiteIds(userId: number): Promise<number[]> {
    return (await this.prisma.siteMember.findMany({ where: { userId }, select: { siteId: true } })).map((member) => member.siteId);
  }

  /** Whether the viewer may see the site. */
  async isVisible(id: number, viewer: SiteViewer): Promise<boolean> {
    return (await this.prisma.site.count({ where: { id, ...visibleTo(viewer) } })) > 0;
  }
}

function visibleTo(viewer: SiteViewer): Prisma.SiteWhereInput {
  return viewer.role === 'admin' ? {} : { members: { some: { userId: viewer.id } } };
}
