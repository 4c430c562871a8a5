import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../infrastructure/prisma/prisma.service';
import { toHostRecord } from '../site-databases/database-host-record';
import { Prisma } from '../../generated/prisma/client';
import type { OperationKind } from '../operations/operation';
import type { Availability, SiteChanges, SiteDatabaseRecord, SiteRecord, SiteState, SiteType } from './site';
import { createOperationRow } from '../operations/operation.repository';
import type { OperationWithSteps } from '../operations/operation-view';
import { SecretBox } from '../../infrastructure/secrets/secret-box';
import { databasePasswordPlace, SealedSecret, sealedSiteSecrets, siteSecretPlace } from '../../infrastructure/secrets/sealed-secret';

/** What every site read includes: custom domains (oldest first), catalogue image, database and its host. */
export const SITE_INCLUDE = { domains: { orderBy: { id: 'asc' } }, image: true, database: { include: { host: true } } } as const;

type SiteRow = Prisma.SiteGetPayload<{ include: typeof SITE_INCLUDE }>;

// Where services have always found them.
export type { SiteChanges, SiteDatabaseRecord, SiteRecord };

/** Who may see a site: admins see all, others only sites they are members of. */
export interface SiteViewer {
  id: number;
  role: 'admin' | 'user';
}

/** One page of a site list: newest first, after `cursor` (the last id seen), matching `search` and the filters. */
export interface SitePageQuery {
  search?: string;
  type?: SiteType;
  state?: SiteState;
  availability?: Availability;
  limit: number;
  cursor?: number;
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
  constructor(
    private readonly prisma: PrismaService,
    private readonly box: SecretBox,
  ) {}

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
        return { site: toSiteRecord(created), operation };
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  /**
   * Applies `changes` to the site and writes the operation that carries them out, in one
   * transaction: the steps are chosen from the site as it is after the change. Returns null when
   * the change would give the site a name another site has.
   */
  async changeWithOperation(
    siteId: number,
    kind: OperationKind,
    requestedById: number,
    changes: SiteChanges = {},
  ): Promise<OperationWithSteps | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const site = await tx.site.update({
          where: { id: siteId },
          data: { ...this.sealed(siteId, changes), ...(kind === 'delete_site' ? { state: 'deleting' } : {}) },
          include: { database: true },
        });
        return createOperationRow(tx, { ...site, hasDatabase: hasDatabaseFor(kind, site.database) }, kind, requestedById);
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  /** Changes fields that no component needs to hear about (e.g. the description). */
  async change(siteId: number, changes: SiteChanges): Promise<void> {
    await this.prisma.site.update({ where: { id: siteId }, data: this.sealed(siteId, changes) });
  }

  /** Records the image built for the site (null: run the catalogue image). */
  async setBuiltImage(siteId: number, image: string | null): Promise<void> {
    await this.prisma.site.updateMany({ where: { id: siteId }, data: { builtImage: image } });
  }

  /** A site with everything it is made of, or null. */
  async find(id: number): Promise<SiteRecord | null> {
    return toSiteRecordOrNull(await this.prisma.site.findUnique({ where: { id }, include: SITE_INCLUDE }));
  }

  /** A site by name, or null. */
  async findByName(name: string): Promise<SiteRecord | null> {
    return toSiteRecordOrNull(await this.prisma.site.findUnique({ where: { name }, include: SITE_INCLUDE }));
  }

  /** A site the viewer may see, or null (not found and not allowed look the same). */
  async findVisible(id: number, viewer: SiteViewer): Promise<SiteRecord | null> {
    return toSiteRecordOrNull(await this.prisma.site.findFirst({ where: { id, ...visibleTo(viewer) }, include: SITE_INCLUDE }));
  }

  /** A page of the sites the viewer may see, newest first (a number: the first `limit` sites). */
  async listVisible(viewer: SiteViewer, query: SitePageQuery | number): Promise<SiteRecord[]> {
    const page = typeof query === 'number' ? { limit: query } : query;
    // Prisma passes `contains` to ILIKE as it is: escape its pattern characters so "%" means "%".
    const search = page.search ? { contains: page.search.replace(/[\\%_]/g, '\\$&'), mode: 'insensitive' as const } : undefined;
    const rows = await this.prisma.site.findMany({
      where: {
        AND: [
          visibleTo(viewer),
          search ? { OR: [{ name: search }, { description: search }] } : {},
          { type: page.type, state: page.state, availability: page.availability },
          page.cursor === undefined ? {} : { id: { lt: page.cursor } },
        ],
      },
      include: SITE_INCLUDE,
      orderBy: { id: 'desc' },
      take: page.limit,
    });
    return rows.map(toSiteRecord);
  }

  /** Ids of the sites a user is a member of. */
  async memberSiteIds(userId: number): Promise<number[]> {
    return (await this.prisma.siteMember.findMany({ where: { userId }, select: { siteId: true } })).map((member) => member.siteId);
  }

  /** Whether the viewer may see the site. */
  async isVisible(id: number, viewer: SiteViewer): Promise<boolean> {
    return (await this.prisma.site.count({ where: { id, ...visibleTo(viewer) } })) > 0;
  }

  /** The site's members who are not admins: the owners a lock shuts out. */
  async ownerIds(siteId: number): Promise<number[]> {
    const members = await this.prisma.siteMember.findMany({ where: { siteId, user: { role: 'user' } }, select: { userId: true } });
    return members.map((member) => member.userId);
  }

  /** The changes as PostgreSQL keeps them: each secret sealed for its site and name. */
  private sealed(siteId: number, changes: SiteChanges): Prisma.SiteUpdateInput {
    const { secrets, ...rest } = changes;
    if (secrets === undefined) return rest;
    const sealed: Record<string, string> = {};
    for (const [name, value] of Object.entries(secrets)) sealed[name] = this.box.seal(value, siteSecretPlace(siteId, name));
    return { ...rest, secrets: sealed };
  }
}

/** A row as the rest of the manager sees it: secrets and passwords sealed, each knowing its place. */
function toSiteRecord(row: SiteRow): SiteRecord {
  const { database } = row;
  return {
    ...row,
    secrets: sealedSiteSecrets(row.id, row.secrets),
    database: database && {
      ...database,
      password: new SealedSecret(database.password, databasePasswordPlace(database.siteId)),
      host: toHostRecord(database.host),
    },
  };
}

function toSiteRecordOrNull(row: SiteRow | null): SiteRecord | null {
  return row && toSiteRecord(row);
}

/**
 * Whether an operation's steps include the site's database. A database being dropped is left out
 * (a repair must not create it again), except by a site delete, which must still drop it.
 */
function hasDatabaseFor(kind: OperationKind, database: { deleting: boolean } | null): boolean {
  return database !== null && (kind === 'delete_site' || !database.deleting);
}

function visibleTo(viewer: SiteViewer): Prisma.SiteWhereInput {
  return viewer.role === 'admin' ? {} : { members: { some: { userId: viewer.id } } };
}
