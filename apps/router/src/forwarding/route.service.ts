import { KeyedLock, type RoutesApplied, type RoutesRemoved, type RouteSpec } from '@dais/shared';
import type { DesiredStateTable } from '@dais/nginx';

/** Keeps the edge's routes equal to what the manager asked for, one site at a time. */
export class RouteService {
  private readonly locks = new KeyedLock<number>();

  constructor(private readonly table: DesiredStateTable<RouteSpec>) {}

  /** Routes every hostname of the site to the orchestrator pool. Safe to repeat. */
  apply(spec: RouteSpec): Promise<RoutesApplied> {
    return this.locks.run(spec.siteId, async () => {
      const nginxGeneration = await this.table.set(spec.siteId, spec);
      return { siteId: spec.siteId, hostnames: spec.hostnames, nginxGeneration };
    });
  }

  /** Stops routing the site's hostnames. Removing an unknown site is not an error. */
  remove(siteId: number): Promise<RoutesRemoved> {
    return this.locks.run(siteId, async () => {
      if (this.table.get(siteId) === undefined) return { siteId, removed: false, nginxGeneration: this.table.generation };
      return { siteId, removed: true, nginxGeneration: await this.table.set(siteId, null) };
    });
  }

  /** Number of sites routed. */
  get count(): number {
    return this.table.state.size;
  }

  /** Generation serving the current routes. */
  get generation(): number {
    return this.table.generation;
  }
}
