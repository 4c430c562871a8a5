import { Inject, Injectable } from '@nestjs/common';
import { peerUrlSchema, type AppHostState } from '@dais/shared';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { Prisma } from '../../generated/prisma/client';
import { PrismaService } from '../../infrastructure/prisma/prisma.service';
import type { AppHostRecord, LastSeen, NewAppHost, NewRouter, RouterRecord } from './fleet-records';

/** Why a registration was not written: a unique column already holds the value. */
export type RegistrationClash = 'name-taken' | 'url-taken';

type LastSeenColumns = Pick<Prisma.AppHostGetPayload<object>, 'health' | 'protocol' | 'version' | 'siteCount' | 'lastSeenAt' | 'lastError'>;
type RouterRow = Prisma.RouterGetPayload<object>;
type AppHostRow = Prisma.AppHostGetPayload<object>;

/**
 * The fleet registry in PostgreSQL: app hosts (orchestrators) and routers. The only importer of
 * Prisma's types for them; everything else sees {@link AppHostRecord} and {@link RouterRecord}.
 */
@Injectable()
export class FleetRepository {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(MANAGER_CONFIG) private readonly config: Pick<ManagerConfig, 'orchestrator'>,
  ) {}

  async listAppHosts(): Promise<AppHostRecord[]> {
    return (await this.prisma.appHost.findMany({ orderBy: { id: 'asc' } })).map(toAppHost);
  }

  async listRouters(): Promise<RouterRecord[]> {
    return (await this.prisma.router.findMany({ orderBy: { id: 'asc' } })).map(toRouter);
  }

  async findAppHost(name: string): Promise<AppHostRecord | null> {
    const row = await this.prisma.appHost.findUnique({ where: { name } });
    return row && toAppHost(row);
  }

  async findRouter(name: string): Promise<RouterRecord | null> {
    const row = await this.prisma.router.findUnique({ where: { name } });
    return row && toRouter(row);
  }

  /** Registers an app host, or says which unique value (name, URL) another one holds. */
  async addAppHost(host: NewAppHost): Promise<AppHostRecord | RegistrationClash> {
    const { lastSeen, ...fields } = host;
    try {
      return toAppHost(await this.prisma.appHost.create({ data: { ...fields, ...lastSeenColumns(lastSeen) } }));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return (await this.prisma.appHost.count({ where: { name: host.name } })) > 0 ? 'name-taken' : 'url-taken';
    }
  }

  /** Registers a router, or says which unique value (name, URL) another one holds. */
  async addRouter(router: NewRouter): Promise<RouterRecord | RegistrationClash> {
    const { lastSeen, ...fields } = router;
    try {
      return toRouter(await this.prisma.router.create({ data: { ...fields, ...lastSeenColumns(lastSeen) } }));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return (await this.prisma.router.count({ where: { name: router.name } })) > 0 ? 'name-taken' : 'url-taken';
    }
  }

  /**
   * Registers each entry only while its table is empty; concurrent callers (two managers starting
   * at once) end with one row: the insert skips a name or URL that is already there.
   */
  async registerIfEmpty(entries: { appHost?: NewAppHost; router?: NewRouter }): Promise<{ appHost: boolean; router: boolean }> {
    const added = { appHost: false, router: false };
    if (entries.appHost && (await this.prisma.appHost.count()) === 0) {
      const { lastSeen: _ignored, ...data } = entries.appHost;
      added.appHost = (await this.prisma.appHost.createMany({ data: [data], skipDuplicates: true })).count > 0;
    }
    if (entries.router && (await this.prisma.router.count()) === 0) {
      const { lastSeen: _ignored, ...data } = entries.router;
      added.router = (await this.prisma.router.createMany({ data: [data], skipDuplicates: true })).count > 0;
    }
    return added;
  }

  /** Sets whether new sites may be placed on the host; null when there is no such host. */
  async setAppHostState(name: string, state: AppHostState): Promise<AppHostRecord | null> {
    const { count } = await this.prisma.appHost.updateMany({ where: { name }, data: { state } });
    return count === 0 ? null : this.findAppHost(name);
  }

  /**
   * How many sites are placed on the app host. Until sites record their host (a `Site.appHostId`
   * column, with placement), every site lives on the orchestrator the operations call
   * (DAIS_ORCHESTRATOR_URL and _ID): that host has them all, any other has none.
   */
  countSitesOn(host: Pick<AppHostRecord, 'url' | 'peerId'>): Promise<number> {
    return this.sitesOn(this.prisma, host);
  }

  private async sitesOn(client: Pick<Prisma.TransactionClient, 'site'>, host: Pick<AppHostRecord, 'url' | 'peerId'>): Promise<number> {
    const { url, id } = this.config.orchestrator;
    if (host.url !== peerUrlSchema.parse(url) || host.peerId !== id) return 0;
    return client.site.count();
  }

  /**
   * Removes the app host unless sites are placed on it: the count and the delete share a
   * transaction. Returns the number of sites that kept it, 0 when it was removed, null when absent.
   */
  async removeAppHostIfEmpty(name: string): Promise<{ removed: AppHostRecord } | { sites: number } | null> {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.appHost.findUnique({ where: { name } });
      if (!row) return null;
      const sites = await this.sitesOn(tx, row);
      if (sites > 0) return { sites };
      await tx.appHost.deleteMany({ where: { id: row.id } });
      return { removed: toAppHost(row) };
    });
  }

  /** Removes the router; null when there is no such router. */
  async removeRouter(name: string): Promise<RouterRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.router.findUnique({ where: { name } });
      if (row) await tx.router.deleteMany({ where: { id: row.id } });
      return row && toRouter(row);
    });
  }

  /** Stores what a health probe saw of the app host (by id: a renamed or re-added host is another entry). */
  async recordAppHostSeen(id: number, seen: LastSeen): Promise<void> {
    await this.prisma.appHost.updateMany({ where: { id }, data: lastSeenColumns(seen) });
  }

  /** Stores what a health probe saw of the router. */
  async recordRouterSeen(id: number, seen: LastSeen): Promise<void> {
    await this.prisma.router.updateMany({ where: { id }, data: lastSeenColumns(seen) });
  }
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

function lastSeenColumns(seen: LastSeen | undefined): Partial<LastSeenColumns> {
  if (!seen) return {};
  return {
    health: seen.health,
    protocol: seen.version?.protocol ?? null,
    version: seen.version?.package ?? null,
    siteCount: seen.siteCount,
    lastSeenAt: seen.lastSeenAt,
    lastError: seen.lastError?.slice(0, 500) ?? null,
  };
}

function lastSeenOf(row: LastSeenColumns): LastSeen {
  return {
    health: row.health,
    version: row.protocol !== null && row.version !== null ? { protocol: row.protocol, package: row.version } : null,
    siteCount: row.siteCount,
    lastSeenAt: row.lastSeenAt,
    lastError: row.lastError,
  };
}

function toRouter(row: RouterRow): RouterRecord {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    peerId: row.peerId,
    publicKey: row.publicKey,
    createdAt: row.createdAt,
    lastSeen: lastSeenOf(row),
  };
}

function toAppHost(row: AppHostRow): AppHostRecord {
  return { ...toRouter(row), runtime: row.runtime, capacity: row.capacity, state: row.state };
}
