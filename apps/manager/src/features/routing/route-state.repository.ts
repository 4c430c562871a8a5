import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../infrastructure/prisma/prisma.service';
import type { RouteSource } from './route-spec';

/** Reads what every site's route is made from, in two queries whatever the number of sites. */
@Injectable()
export class RouteStateRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Every site that must be routed (all but those being deleted: their routes go first), with its
   * verified custom domains oldest first, as the per-site step reads them.
   */
  async routedSites(): Promise<RouteSource[]> {
    const routed = { state: { not: 'deleting' } } as const;
    const [sites, domains] = await Promise.all([
      this.prisma.site.findMany({ where: routed, select: { id: true, name: true, clientMaxBodyMb: true }, orderBy: { id: 'asc' } }),
      // Only verified domains are ever routed; the join keeps the list to routed sites.
      this.prisma.domain.findMany({
        where: { verifiedAt: { not: null }, site: routed },
        select: { siteId: true, hostname: true, verifiedAt: true },
        orderBy: { id: 'asc' },
      }),
    ]);
    const domainsOf = new Map<number, { hostname: string; verifiedAt: Date | null }[]>();
    for (const { siteId, ...domain } of domains) {
      const list = domainsOf.get(siteId);
      if (list) list.push(domain);
      else domainsOf.set(siteId, [domain]);
    }
    return sites.map((site) => ({ ...site, domains: domainsOf.get(site.id) ?? [] }));
  }
}
